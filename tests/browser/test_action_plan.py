"""Committee staff keep their action plan and report on it, in the browser."""

import datetime

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from actionplans.models import ActionPlan, ReportPeriod
from strategy.models import FocusArea, Goal, Indicator, IndicatorUnit, Reporter
from tests.browser.helpers import assert_accessible, log_in, log_out
from tests.factories import StrategyFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(org):
    strategy = StrategyFactory(title="It-strategi för lärande")
    for number, title in ((1, "Infrastruktur"), (2, "Digital kompetens")):
        area = FocusArea.objects.create(strategy=strategy, number=number, title=title)
        for n in (1, 2):
            Goal.objects.create(focus_area=area, number=f"{number}.{n}", text=f"Mål {number}.{n} för staden.")
    Indicator.objects.create(
        goal=Goal.objects.get(number="1.1", focus_area__strategy=strategy),
        code="1.1.9",
        name="Andel skolor med trådlöst nät",
        unit=IndicatorUnit.PERCENT,
        reported_by=Reporter.COMMITTEE,
    )
    today = timezone.localdate()
    ReportPeriod.objects.create(year=today.year, kind="t1", deadline=today + datetime.timedelta(days=20))
    return ActionPlan.objects.create(committee=org.committee_a, strategy=strategy, starts_in=2025, ends_in=2028)


def test_committee_staff_add_an_action_report_on_it_and_export_the_plan(page: Page, live_server, org, plan, tmp_path):
    log_in(page, live_server.url, org.editor_a.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Handlingsplaner").click()
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Nämnd A").click()
    expect(page.get_by_role("heading", name="4 mål saknar åtgärd")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Ny åtgärd").click()
    page.get_by_label("Titel").fill("Trådlöst nät och fortbildning")
    page.get_by_label("1.1 Mål 1.1 för staden.").check()
    page.get_by_label("2.1 Mål 2.1 för staden.").check()
    page.get_by_label("Ansvarig").fill("IT-samordnare")
    page.get_by_label("Start").fill("2026-01-01")
    page.get_by_label("Slut").fill("2026-12-31")
    assert_accessible(page)
    page.get_by_role("button", name="Spara").click()

    expect(page.get_by_role("status")).to_contain_text("Åtgärden är sparad")
    uncovered = page.get_by_role("region", name="2 mål saknar åtgärd")
    expect(uncovered).to_contain_text("1.2")
    expect(uncovered).to_contain_text("2.2")
    expect(uncovered).not_to_contain_text("1.1 Mål")
    assert_accessible(page)

    page.get_by_role("link", name=f"Tertialrapport 1 (januari–april) {timezone.localdate().year}").click()
    action = page.get_by_role("group", name="Trådlöst nät och fortbildning")
    action.get_by_label("Status").select_option(label="Pågår")
    action.get_by_label("Trafikljus").select_option(label="Gult – risk för avvikelse")
    action.get_by_label("Lägesbeskrivning").fill("Nätet är klart på hälften av skolorna.")
    page.get_by_label("1.1.9 Andel skolor med trådlöst nät").fill("55")
    assert_accessible(page)
    page.get_by_role("button", name="Spara rapporten").click()
    expect(page.locator(".messages")).to_contain_text("Rapporten är sparad")
    expect(action.get_by_label("Lägesbeskrivning")).to_have_value("Nätet är klart på hälften av skolorna.")

    page.get_by_role("link", name="Tillbaka till planen").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som Excel").click()
    path = tmp_path / "plan.xlsx"
    download.value.save_as(path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Handlingsplan", "Mål utan åtgärd", "Rapport"]
    assert workbook["Handlingsplan"]["A2"].value == "Trådlöst nät och fortbildning"
    assert workbook["Rapport"]["D3"].value == "Nätet är klart på hälften av skolorna."


def test_a_committee_hands_in_its_t1_report_and_the_city_office_sees_who_has_reported(
    page: Page, live_server, org, plan
):
    ActionPlan.objects.create(committee=org.committee_b, strategy=plan.strategy, starts_in=2025, ends_in=2028)
    Indicator.objects.create(
        goal=Goal.objects.get(number="2.1", focus_area__strategy=plan.strategy),
        code="2.1.9",
        name="Nämnden har en plan för digitala enheter",
        unit=IndicatorUnit.YES_NO,
        reported_by=Reporter.COMMITTEE,
    )
    period = ReportPeriod.objects.get()
    log_in(page, live_server.url, org.editor_a.email)
    page.goto(f"{live_server.url}/plans/{plan.pk}/reports/{period.pk}/")
    page.get_by_label("1.1.9 Andel skolor med trådlöst nät").fill("55")
    page.get_by_role("group", name="2.1.9 Nämnden har en plan för digitala enheter").get_by_label("Ja").check()
    page.get_by_role("button", name="Spara rapporten").click()
    expect(page.locator(".messages")).to_contain_text("Rapporten är sparad")
    assert_accessible(page)
    page.get_by_role("button", name="Lämna in rapporten").click()
    expect(page.locator(".messages")).to_contain_text("Rapporten är inlämnad till stadsledningskontoret.")
    expect(page.get_by_role("main")).to_contain_text("Status: Inlämnad")
    log_out(page)

    log_in(page, live_server.url, org.admin.email)
    page.goto(f"{live_server.url}/report-periods/")
    page.get_by_role("link", name=str(period)).click()
    expect(page.get_by_role("main")).to_contain_text("1 av 2 handlingsplaner är inlämnade.")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name="Nämnd A")).to_contain_text("Inlämnad")
    expect(table.get_by_role("row", name="Nämnd B")).to_contain_text("Inte påbörjad")
    assert_accessible(page)


def test_the_city_office_makes_its_own_plan_for_the_city_goal_and_a_committee_reads_it(
    page: Page, live_server, org, plan
):
    plan.strategy.status = "adopted"
    plan.strategy.save()
    Goal.objects.filter(focus_area__strategy=plan.strategy, number="2.2").update(level="city")
    log_in(page, live_server.url, org.analyst.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Handlingsplaner").click()
    page.get_by_role("link", name="Ny handlingsplan").click()
    page.get_by_label("Vems plan").select_option(label="Stadsledningskontoret: stadens egna mål")
    page.get_by_label("Strategi").select_option(value=str(plan.strategy.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Skapa planen").click()

    expect(page.get_by_role("heading", name="Handlingsplan för Stadsledningskontoret")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("1 mål saknar åtgärd")
    assert_accessible(page)
    page.get_by_role("link", name="Ny åtgärd").click()
    page.get_by_label("Titel").fill("Uppföljning i årsredovisningen")
    page.get_by_label("2.2 Mål 2.2 för staden.").check()
    page.get_by_label("Ansvarig").fill("Stadsledningskontoret")
    page.get_by_label("Start").fill("2026-01-01")
    page.get_by_label("Slut").fill("2026-12-31")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Åtgärden är sparad")
    expect(page.get_by_role("main")).not_to_contain_text("saknar åtgärd")
    log_out(page)

    log_in(page, live_server.url, org.editor_a.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Handlingsplaner").click()
    page.get_by_role("main").get_by_role("link", name="Stadsledningskontoret").click()
    expect(page.get_by_role("main")).to_contain_text("Uppföljning i årsredovisningen")
    expect(page.get_by_role("link", name="Ny åtgärd")).to_have_count(0)
    assert_accessible(page)


def test_the_plan_page_keeps_goals_without_action_short_and_fits_a_phone(page: Page, live_server, org, plan):
    from actionplans.models import Action
    from tests.browser.wcag import reflow_failures

    action = Action.objects.create(
        plan=plan, title="Trådlöst nät", responsible="IT-samordnare", starts_on="2026-01-01", ends_on="2026-12-31"
    )
    action.goals.set([Goal.objects.get(number="1.1", focus_area__strategy=plan.strategy)])
    log_in(page, live_server.url, org.editor_a.email)
    url = f"{live_server.url}/plans/{plan.pk}/"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        uncovered = page.get_by_role("region", name="3 mål saknar åtgärd")
        assert uncovered.bounding_box()["height"] < 120
        expect(uncovered.get_by_role("link", name="1.2")).to_be_hidden()
        assert_accessible(page)
    uncovered.get_by_text("Visa målen").click()
    uncovered.get_by_role("link", name="1.2").click()
    expect(page.locator(":target")).to_contain_text("Mål 1.2 för staden.")
    item = page.get_by_role("main").get_by_role("listitem").filter(has_text="Trådlöst nät").last
    expect(item.get_by_role("term")).to_have_text(["Status", "Ansvarig", "Tid"])
    assert reflow_failures(page, url) == []


def test_a_locked_period_report_reads_as_text_that_fits_a_phone(page: Page, live_server, org, plan):
    from actionplans import services
    from actionplans.models import Action
    from tests.browser.wcag import reflow_failures

    action = Action.objects.create(
        plan=plan, title="Trådlöst nät", responsible="IT-samordnare", starts_on="2026-01-01", ends_on="2026-12-31"
    )
    period = ReportPeriod.objects.get()
    report = services.period_report_start(plan=plan, period=period, user=org.editor_a)
    comment = "Nätet är klart på hälften av skolorna, resten följer under hösten när upphandlingen är klar."
    services.period_report_save(
        report=report,
        rows={action.pk: {"status": "ongoing", "light": "yellow", "comment": comment}},
        values={},
        version=0,
        user=org.editor_a,
    )
    ReportPeriod.objects.filter(pk=period.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    log_in(page, live_server.url, org.editor_a.email)
    url = f"{live_server.url}/plans/{plan.pk}/reports/{period.pk}/"
    page.goto(url)
    card = page.get_by_role("region", name="Trådlöst nät")
    expect(card.get_by_role("definition")).to_contain_text(["", "IT-samordnare", "Pågår", "Gult", comment])
    expect(page.get_by_role("main").get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("combobox")).to_have_count(0)
    assert_accessible(page)
    assert reflow_failures(page, url) == []
