"""The principal's self-assessment in the browser, and the committee's review."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from followup import cycles
from strategy.models import FocusArea, Goal, Indicator, IndicatorUnit, Reporter
from tests.browser.helpers import assert_accessible, log_in, log_out
from tests.factories import StrategyFactory, maturity_scale

pytestmark = pytest.mark.browser


@pytest.fixture
def assessment(org):
    """School A's self-assessment in a cycle open today: two areas, a percentage
    indicator in the first and a yes/no indicator in the second."""
    strategy = StrategyFactory(title="It-strategi för lärande")
    maturity_scale(strategy)
    for number, title, unit in (
        (1, "Infrastruktur", IndicatorUnit.PERCENT),
        (2, "Digital kompetens", IndicatorUnit.YES_NO),
    ):
        area = FocusArea.objects.create(strategy=strategy, number=number, title=title)
        goal = Goal.objects.create(focus_area=area, number=f"{number}.1", text="Alla ska ha god tillgång till it.")
        Indicator.objects.create(
            goal=goal, code=f"{number}.1.1", name=f"Indikator {number}", unit=unit, reported_by=Reporter.SCHOOL
        )
    today = timezone.localdate()
    cycle = cycles.cycle_open(
        strategy=strategy,
        year=today.year,
        opens_on=today - datetime.timedelta(days=7),
        deadline=today + datetime.timedelta(days=14),
        locks_on=today + datetime.timedelta(days=30),
        user=org.admin,
    )
    return cycle.assessments.get(school=org.school_a)


def saved(page: Page):
    expect(page.locator("#autosave-status")).to_contain_text("Sparat", timeout=15000)


def test_a_principal_fills_in_submits_and_the_committee_returns_and_approves(page: Page, live_server, org, assessment):
    log_in(page, live_server.url, org.principal_a.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Självvärdering {assessment.cycle.year}, Skola A")
    expect(page.get_by_text("14 dagar kvar")).to_be_visible()
    expect(page.get_by_role("link", name="Granska och lämna in")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Börja med område 1: Infrastruktur").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("1. Infrastruktur")
    assert_accessible(page)
    page.get_by_label("3. Etablerat").check()
    page.get_by_label("Vad har gjorts").fill("Trådlöst nät i alla klassrum.")
    page.get_by_label("Vad ska utvecklas härnäst").fill("Fortbildning i formativ bedömning.")
    page.get_by_label("1.1.1 Indikator 1").fill("140")
    expect(page.locator("#autosave-status")).to_contain_text("Inte sparat", timeout=15000)
    expect(page.locator("#errors-indicator_" + str(assessment.cycle.indicators.get(code="1.1.1").pk))).to_contain_text(
        "0–100"
    )
    assert_accessible(page)
    page.get_by_label("1.1.1 Indikator 1").fill("85")
    saved(page)

    page.reload()
    expect(page.get_by_label("Vad har gjorts")).to_have_value("Trådlöst nät i alla klassrum.")
    expect(page.get_by_label("1.1.1 Indikator 1")).to_have_value("85")
    expect(page.get_by_label("3. Etablerat")).to_be_checked()

    page.get_by_role("button", name="Spara och gå till nästa område").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2. Digital kompetens")
    page.get_by_label("2. Påbörjat").check()
    page.get_by_label("Vad har gjorts").fill("Alla har gått grundkursen.")
    page.get_by_label("Vad ska utvecklas härnäst").fill("Digitala prov.")
    page.get_by_role("group", name="2.1.1 Indikator 2").get_by_label("Ja").check()
    saved(page)
    page.get_by_role("button", name="Spara och granska innan du lämnar in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Granska och lämna in")
    assert_accessible(page)
    page.get_by_role("button", name="Lämna in självvärderingen").click()
    expect(page.get_by_role("status")).to_contain_text("Självvärderingen är inlämnad")
    expect(page.get_by_text("Status: Inlämnad")).to_be_visible()
    expect(page.get_by_role("link", name="Fortsätt med område")).to_have_count(0)
    expect(page.get_by_role("link", name="Granska och lämna in")).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    log_in(page, live_server.url, org.editor_a.email)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.get_by_label("Varför skickas den tillbaka?").fill("Beskriv mer konkret vad ni ska utveckla.")
    page.get_by_role("button", name="Skicka tillbaka till enheten").click()
    expect(page.get_by_text("Status: Återsänd")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    log_in(page, live_server.url, org.principal_a.email)
    expect(page.get_by_text("Beskriv mer konkret vad ni ska utveckla.")).to_be_visible()
    page.get_by_role("link", name="1. Infrastruktur").click()
    page.get_by_label("Vad ska utvecklas härnäst").fill(
        "Fortbildning i formativ bedömning under våren, två tillfällen."
    )
    saved(page)
    page.get_by_role("link", name=f"Självvärdering {assessment.cycle.year}, Skola A").click()
    page.get_by_role("link", name="Granska och lämna in").click()
    page.get_by_role("button", name="Lämna in självvärderingen").click()
    expect(page.get_by_text("Status: Inlämnad")).to_be_visible()
    log_out(page)

    log_in(page, live_server.url, org.editor_a.email)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.get_by_label("Kommentar (frivillig)").fill("Tack!")
    page.get_by_role("button", name="Godkänn").click()
    expect(page.get_by_text("Status: Godkänd")).to_be_visible()
    page.get_by_role("link", name="Historik").click()
    expect(page.get_by_role("table")).to_contain_text("Godkänd")
    assert_accessible(page)


def test_text_typed_when_the_session_has_expired_is_kept_through_the_next_login(
    page: Page, live_server, org, assessment
):
    log_in(page, live_server.url, org.principal_a.email)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/1/")
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Vad har gjorts").fill("En lång text som skrevs medan sessionen hade gått ut.")

    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Du är utloggad", timeout=15000)
    status.get_by_role("link", name="Logga in igen").click()

    page.get_by_label("E-postadress").fill(org.principal_a.email)
    page.get_by_label("Lösenord").fill("correct-horse-battery")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Infrastruktur")
    offer = page.get_by_role("group", name="Den här webbläsaren har text för sidan som inte hann sparas.")
    assert_accessible(page)
    offer.get_by_role("button", name="Återställ").click()
    expect(page.get_by_label("Vad har gjorts")).to_have_value("En lång text som skrevs medan sessionen hade gått ut.")
    saved(page)

    page.reload()
    expect(page.get_by_label("Vad har gjorts")).to_have_value("En lång text som skrevs medan sessionen hade gått ut.")
    answer = assessment.area_answers.get(area__number=1)
    assert answer.done == "En lång text som skrevs medan sessionen hade gått ut."


def test_the_maturity_scale_is_large_cards_that_stay_radios(page: Page, live_server, org, assessment):
    log_in(page, live_server.url, org.principal_a.email)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/1/")
    scale = page.get_by_role("group", name="Mognadsnivå")
    expect(scale.get_by_role("radio")).to_have_count(assessment.cycle.levels.count())
    card = page.locator(".level-card", has=page.get_by_role("radio", name="3. Etablerat"))
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    assert box["height"] >= 44
    assert box["width"] >= 150
    # A click anywhere on the card, here near its lower right corner, chooses the level.
    page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] - 8)
    expect(page.get_by_role("radio", name="3. Etablerat")).to_be_checked()
    ring = "(el) => getComputedStyle(el).boxShadow"
    assert card.evaluate(ring) != "none"
    other = page.locator(".level-card", has=page.get_by_role("radio", name="2. Påbörjat"))
    assert other.evaluate(ring) == "none"
    # The chosen card is marked by a ring wider than any card's border, not by its colour alone.
    assert card.evaluate("(el) => getComputedStyle(el).boxShadow").endswith("3px")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("radio", name="2. Påbörjat")).to_be_checked()
    assert other.evaluate(ring) != "none"
    saved(page)
    assert_accessible(page)
