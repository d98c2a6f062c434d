"""WCAG 2.1 AA checks that axe does not make, on the pages of each kind of user,
and the screenshots kept as CI artefacts."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, log_in, log_out
from tests.browser.test_action_plan import plan  # noqa: F401 (fixture)
from tests.browser.test_dashboards import city  # noqa: F401 (fixture)
from tests.browser.test_self_assessment import assessment  # noqa: F401 (fixture)
from tests.browser.wcag import all_failures, control_border_failures, focus_failures
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("test-results/screenshots")


def test_the_principals_pages_pass_the_checks_beyond_axe(page: Page, live_server, org, assessment):  # noqa: F811
    log_in(page, live_server.url, org.principal_a.email)
    failures = []
    for path in (
        f"/assessments/{assessment.pk}/",
        f"/assessments/{assessment.pk}/areas/1/",
        f"/assessments/{assessment.pk}/areas/2/",
        f"/assessments/{assessment.pk}/submit/",
        f"/organisation/schools/{org.school_a.pk}/",
        "/strategies/",
    ):
        failures += all_failures(page, live_server.url + path)
    assert not failures, "\n".join(failures)


def test_committee_staff_and_the_city_admins_pages_pass_the_checks_beyond_axe(
    page: Page,
    live_server,
    org,
    plan,  # noqa: F811
):
    from actionplans.models import ReportPeriod

    period = ReportPeriod.objects.get()
    log_in(page, live_server.url, org.editor_a.email)
    failures = []
    for path in (
        f"/organisation/committees/{org.committee_a.pk}/",
        "/plans/",
        f"/plans/{plan.pk}/",
        f"/plans/{plan.pk}/edit/",
        f"/plans/{plan.pk}/actions/new/",
        f"/plans/{plan.pk}/reports/{period.pk}/",
        "/users/",
    ):
        failures += all_failures(page, live_server.url + path)
    log_out(page)
    log_in(page, live_server.url, org.admin.email)
    for path in ("/organisation/", "/report-periods/", "/organisation/import/", "/users/invite/"):
        failures += all_failures(page, live_server.url + path)
    assert not failures, "\n".join(failures)


def test_the_city_offices_dashboards_pass_the_checks_beyond_axe(page: Page, live_server, city):  # noqa: F811
    log_in(page, live_server.url, city.analyst.email)
    failures = []
    for path in (
        "/dashboard/",
        f"/dashboard/?committee={city.north.pk}",
        f"/dashboard/?school={city.schools['Björkskolan'].pk}",
        "/follow-up/",
        "/yearly-reports/",
    ):
        failures += all_failures(page, live_server.url + path)
    assert not failures, "\n".join(failures)


def test_the_checks_find_pale_borders_and_a_focus_that_bootstrap_hides(page: Page, live_server, org):
    """Bootstrap's own look, put back on the login page: the checks must see its faults."""
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        """() => document.querySelectorAll("a, button, input, select, textarea").forEach((el) => {
            el.style.setProperty("outline", "0", "important");
            el.style.setProperty("box-shadow", "none", "important");
            if (el.classList.contains("form-control")) el.style.setProperty("border-color", "#dee2e6", "important");
        })"""
    )
    page.wait_for_timeout(400)  # Bootstrap eases border colours in over 0.15 s
    assert control_border_failures(page)
    assert any(f.startswith("no visible focus: input") for f in focus_failures(page))


def test_screenshots_of_the_principals_form_the_action_plan_and_the_city_dashboard(
    page: Page,
    live_server,
    org,
    assessment,  # noqa: F811
    plan,  # noqa: F811
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = []
    log_in(page, live_server.url, org.principal_a.email)
    shots.append(("principal-form", f"/assessments/{assessment.pk}/areas/1/"))
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + shots[0][1])
        page.screenshot(path=SCREENSHOTS / f"principal-form-{width}.png", full_page=True)
    log_out(page)
    log_in(page, live_server.url, org.editor_a.email)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/plans/{plan.pk}/")
        page.screenshot(path=SCREENSHOTS / f"action-plan-{width}.png", full_page=True)
    for name in ("principal-form", "action-plan"):
        for width in (1280, 390):
            assert (SCREENSHOTS / f"{name}-{width}.png").stat().st_size > 10_000


def test_screenshots_of_the_city_dashboard(page: Page, live_server, city):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server.url, city.analyst.email)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/dashboard/")
        page.screenshot(path=SCREENSHOTS / f"city-dashboard-{width}.png", full_page=True)
        assert (SCREENSHOTS / f"city-dashboard-{width}.png").stat().st_size > 10_000


FOCUSED_NAME = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  return (el.getAttribute("aria-label") || label || el.textContent || "").trim().replace(/\\s+/g, " ");
}"""


def tab_to(page: Page, name: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element's label or text starts with `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME).startswith(name):
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_a_principal_fills_in_and_submits_the_whole_self_assessment_with_the_keyboard_alone(
    page: Page,
    live_server,
    org,
    assessment,  # noqa: F811
):
    page.goto(f"{live_server.url}/login/")
    tab_to(page, "E-postadress")
    page.keyboard.type(org.principal_a.email)
    tab_to(page, "Lösenord")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Självvärdering {assessment.cycle.year}, Skola A")

    tab_to(page, "Börja med område 1: Infrastruktur")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Infrastruktur")
    tab_to(page, "1. Inte påbörjat")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("3. Etablerat")).to_be_checked()
    tab_to(page, "Vad har gjorts")
    page.keyboard.type("Trådlöst nät i alla klassrum.")
    tab_to(page, "Vad ska utvecklas härnäst")
    page.keyboard.type("Fortbildning.")
    tab_to(page, "1.1.1 Indikator 1")
    page.keyboard.type("85")
    tab_to(page, "Spara och gå till nästa område")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("2. Digital kompetens")
    tab_to(page, "1. Inte påbörjat")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("2. Påbörjat")).to_be_checked()
    tab_to(page, "Vad har gjorts")
    page.keyboard.type("Alla har gått grundkursen.")
    tab_to(page, "Vad ska utvecklas härnäst")
    page.keyboard.type("Digitala prov.")
    tab_to(page, "Inte besvarat")  # the yes/no group starts at "not answered"
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("group", name="2.1.1 Indikator 2").get_by_label("Ja")).to_be_checked()
    tab_to(page, "Spara och granska innan du lämnar in")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Granska och lämna in")
    tab_to(page, "Lämna in självvärderingen")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Självvärderingen är inlämnad")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


def test_the_pages_open_to_everyone_pass_axe_and_the_checks_beyond_it(page: Page, live_server, org):
    failures = []
    for path in ("/login/", "/accessibility/", "/password-reset/"):
        page.goto(live_server.url + path)
        assert_accessible(page)
        failures += all_failures(page, live_server.url + path)
    assert not failures, "\n".join(failures)
