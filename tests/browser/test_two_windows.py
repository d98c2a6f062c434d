"""Two windows, expiry, log-out and log-in never lose a typed character: each
case ends with both people's text stored or visibly offered back, read
afterwards from a third browser."""

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from actionplans import services as actionplans
from actionplans.models import Action, ReportPeriod
from tests.browser.helpers import assert_accessible, log_in, log_out
from tests.factories import member

pytestmark = pytest.mark.browser

OFFER = "Den här webbläsaren har text för sidan som inte hann sparas."


def window(browser: Browser, live_server, user, **context_args) -> Page:
    """A browser of its own (a context: its own cookies and storage), logged in as `user`."""
    context = browser.new_context(locale="en-US", timezone_id="Europe/Stockholm", **context_args)
    page = context.new_page()
    log_in(page, live_server.url, user.email)
    return page


def status(page: Page):
    return page.locator("#autosave-status")


def saved(page: Page):
    expect(status(page)).to_contain_text("Sparat", timeout=15000)


def conflict(page: Page):
    expect(status(page)).to_contain_text("Inte sparat", timeout=15000)
    return page.get_by_role("region", name="sparade medan du skrev")


def area_url(live_server, assessment):
    return f"{live_server.url}/assessments/{assessment.pk}/areas/1/"


def read_back(browser, live_server, org, assessment):
    """A third browser (the committee's editor) reads the self-assessment as stored."""
    page = window(browser, live_server, org.editor_a)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    return page.get_by_role("main")


@pytest.fixture
def staff_a(org):
    """A second writer of school A's self-assessment."""
    return member(Role.SCHOOL_STAFF, school=org.school_a, email="personal.a@example.se")


def two_writers(browser, live_server, org, staff_a, assessment):
    mine = window(browser, live_server, org.principal_a)
    theirs = window(browser, live_server, staff_a)
    for page in (mine, theirs):
        page.goto(area_url(live_server, assessment))
    return mine, theirs


def test_keep_mine_after_a_conflict_saves_my_text_and_keeps_theirs_in_the_history(
    browser,
    live_server,
    org,
    staff_a,
    assessment,
):
    mine, theirs = two_writers(browser, live_server, org, staff_a, assessment)
    theirs.get_by_label("Vad har gjorts").fill("Personalens text.")
    saved(theirs)
    mine.get_by_label("Vad har gjorts").fill("Rektorns text.")
    panel = conflict(mine)
    expect(panel).to_contain_text("Personalens text.")
    expect(panel).to_contain_text("Rektorns text.")
    assert_accessible(mine)

    panel.get_by_role("button", name="Behåll min version").click()
    expect(mine.locator(".messages")).to_contain_text("Sparat")
    expect(mine.get_by_label("Vad har gjorts")).to_have_value("Rektorns text.")
    expect(mine.get_by_role("group", name=OFFER)).to_have_count(0)
    expect(read_back(browser, live_server, org, assessment)).to_contain_text("Rektorns text.")
    answer = assessment.area_answers.get()
    assert answer.done == "Rektorns text."
    assert "Personalens text." in answer.history.values_list("done", flat=True)


def test_use_theirs_discards_my_draft_here_and_in_the_browser(browser, live_server, org, staff_a, assessment):
    mine, theirs = two_writers(browser, live_server, org, staff_a, assessment)
    theirs.get_by_label("Vad har gjorts").fill("Personalens text.")
    saved(theirs)
    mine.get_by_label("Vad har gjorts").fill("Rektorns text.")
    conflict(mine).get_by_role("button", name="Använd deras version").click()

    expect(mine.get_by_label("Vad har gjorts")).to_have_value("Personalens text.")
    mine.wait_for_timeout(3000)  # longer than autosave waits
    expect(mine.get_by_role("group", name=OFFER)).to_have_count(0)
    mine.reload()
    expect(mine.get_by_label("Vad har gjorts")).to_have_value("Personalens text.")
    expect(mine.get_by_role("group", name=OFFER)).to_have_count(0)
    expect(read_back(browser, live_server, org, assessment)).to_contain_text("Personalens text.")
    assert assessment.area_answers.get().done == "Personalens text."


def test_the_conflict_shows_indicator_values_and_not_applicable_and_different_fields_merge(
    browser,
    live_server,
    org,
    staff_a,
    assessment,
):
    mine, theirs = two_writers(browser, live_server, org, staff_a, assessment)
    # Different fields: saved together without asking.
    theirs.get_by_label("Styrkor").fill("Engagerade it-ombud.")
    saved(theirs)
    mine.get_by_label("Vad har gjorts").fill("Trådlöst nät.")
    expect(status(mine)).to_contain_text("tillsammans med ändringarna som", timeout=15000)
    expect(mine.get_by_label("Styrkor")).to_have_value("Engagerade it-ombud.")

    # The same fields: both versions side by side, indicator and "does not apply" included.
    theirs.reload()
    theirs.get_by_label("1.1.1 Indikator 1").fill("60")
    saved(theirs)
    mine.get_by_label("1.1.1 Indikator 1").fill("80")
    mine.get_by_label("Området gäller inte vår skolform").check()
    mine.get_by_label("Varför det inte gäller").fill("Ingen fritidsverksamhet.")
    panel = conflict(mine)
    expect(panel.get_by_role("row", name="1.1.1 Indikator 1")).to_contain_text("60")
    expect(panel.get_by_role("row", name="1.1.1 Indikator 1")).to_contain_text("80")
    expect(panel.get_by_role("row", name="Området gäller inte vår skolform")).to_contain_text("Ja")
    expect(panel.get_by_role("row", name="Varför det inte gäller")).to_contain_text("Ingen fritidsverksamhet.")
    expect(panel).to_contain_text(f"{staff_a} sparade medan du skrev")
    assert_accessible(mine)

    # The same user in a second window of the same browser.
    other_window = mine.context.new_page()
    other_window.goto(area_url(live_server, assessment))
    other_window.get_by_label("Vad ska utvecklas härnäst").fill("Från andra fönstret.")
    saved(other_window)
    third_window = mine.context.new_page()
    third_window.goto(area_url(live_server, assessment))
    other_window.get_by_label("Vad ska utvecklas härnäst").fill("Från andra fönstret, igen.")
    saved(other_window)
    third_window.get_by_label("Vad ska utvecklas härnäst").fill("Från tredje fönstret.")
    expect(conflict(third_window)).to_contain_text("Du, i ett annat fönster, sparade medan du skrev här")

    # A value the server refuses marks its field for assistive technology.
    theirs.reload()
    field = theirs.get_by_label("1.1.1 Indikator 1")
    field.fill("140")
    expect(status(theirs)).to_contain_text("Inte sparat", timeout=15000)
    expect(field).to_have_attribute("aria-invalid", "true")
    error_id = f"errors-{field.get_attribute('name')}"
    assert error_id in field.get_attribute("aria-describedby")
    expect(theirs.locator(f"#{error_id}")).to_contain_text("0–100")
    assert_accessible(theirs)

    main = read_back(browser, live_server, org, assessment)
    expect(main).to_contain_text("Trådlöst nät.")
    expect(main).to_contain_text("Engagerade it-ombud.")
    expect(main).to_contain_text("Från andra fönstret, igen.")


def test_log_out_after_expiry_warns_and_keeps_the_draft_for_its_user_only(
    browser,
    live_server,
    org,
    staff_a,
    assessment,
    tmp_path,
):
    page = window(browser, live_server, org.principal_a)
    page.goto(area_url(live_server, assessment))
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Vad har gjorts").fill("Skrivet efter att sessionen gått ut.")
    expect(status(page)).to_contain_text("Du är utloggad", timeout=15000)

    log_out(page)
    warning = page.get_by_role("alert").filter(has_text="Du har text som inte är sparad")
    expect(warning).to_be_visible()
    assert_accessible(page)
    warning.get_by_role("button", name="Logga ut ändå").click()
    expect(page.get_by_label("E-postadress")).to_be_visible()
    assert_accessible(page)

    # Another user at the same computer never sees it.
    log_in(page, live_server.url, staff_a.email)
    page.goto(area_url(live_server, assessment))
    expect(page.get_by_label("Vad har gjorts")).to_have_value("")
    expect(page.get_by_role("group", name=OFFER)).to_have_count(0)
    page.wait_for_timeout(1000)
    expect(page.get_by_role("group", name=OFFER)).to_have_count(0)
    log_out(page)
    expect(page.get_by_label("E-postadress")).to_be_visible()

    # The browser restarts: its storage is all that is left.
    state = tmp_path / "state.json"
    page.context.storage_state(path=state)
    page.context.close()
    page = window(browser, live_server, org.principal_a, storage_state=state)
    page.goto(area_url(live_server, assessment))
    offer = page.get_by_role("group", name=OFFER)
    offer.get_by_role("button", name="Återställ").click()
    expect(page.get_by_label("Vad har gjorts")).to_have_value("Skrivet efter att sessionen gått ut.")
    saved(page)
    expect(read_back(browser, live_server, org, assessment)).to_contain_text("Skrivet efter att sessionen gått ut.")


def test_log_out_with_a_valid_session_saves_the_draft_first(browser, live_server, org, assessment):
    page = window(browser, live_server, org.principal_a)
    page.goto(area_url(live_server, assessment))
    page.get_by_label("Vad har gjorts").fill("Sparas innan utloggningen.")
    log_out(page)
    expect(page.get_by_label("E-postadress")).to_be_visible()
    assert assessment.area_answers.get().done == "Sparas innan utloggningen."


def test_after_logging_in_again_in_another_tab_the_open_form_saves_without_a_reload(
    browser,
    live_server,
    org,
    assessment,
):
    first = window(browser, live_server, org.principal_a)
    first.goto(area_url(live_server, assessment))
    first.context.clear_cookies(name="sessionid")
    second = first.context.new_page()
    log_in(second, live_server.url, org.principal_a.email)

    first.get_by_label("Vad har gjorts").fill("Skrivet i första fliken.")
    saved(first)
    expect(read_back(browser, live_server, org, assessment)).to_contain_text("Skrivet i första fliken.")


@pytest.fixture
def report_plan(org, plan):
    """The plan with one action, a colleague on the committee, and the period's report started."""
    action = Action.objects.create(
        plan=plan,
        title="Trådlöst nät",
        responsible="IT-samordnare",
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        status="ongoing",
    )
    action.goals.set([plan.strategy.focus_areas.get(number=1).goals.get(number="1.1")])
    actionplans.period_report_start(plan=plan, period=ReportPeriod.objects.get(), user=org.editor_a)
    colleague = member(Role.COMMITTEE_EDITOR, committee=org.committee_a, email="kollega.a@example.se")
    return plan, action, colleague


def test_the_period_report_saves_itself_and_merges_two_editors(browser, live_server, org, report_plan):
    plan_, _action, colleague = report_plan
    url = f"{live_server.url}/plans/{plan_.pk}/reports/{ReportPeriod.objects.get().pk}/"
    mine = window(browser, live_server, org.editor_a)
    theirs = window(browser, live_server, colleague)
    for page in (mine, theirs):
        page.goto(url)
    theirs.get_by_role("group", name="Trådlöst nät").get_by_label("Lägesbeskrivning").fill("Hälften klart.")
    saved(theirs)
    mine.get_by_label("1.1.9 Andel skolor med trådlöst nät").fill("55")
    expect(status(mine)).to_contain_text("Sparat", timeout=15000)
    assert_accessible(mine)
    mine.get_by_role("group", name="Trådlöst nät").get_by_label("Trafikljus").select_option(label="Rött – avviker")
    saved(mine)

    third = window(browser, live_server, org.reader_a)
    third.goto(url)
    # A reader, who may not write, reads the report as text.
    action = third.get_by_role("region", name="Trådlöst nät")
    expect(action).to_contain_text("Hälften klart.")
    expect(action).to_contain_text("Rött – avviker")
    expect(third.get_by_role("main")).to_contain_text("1.1.9 Andel skolor med trådlöst nät55 %")


def test_an_action_saves_itself_and_a_conflict_keeps_mine(browser, live_server, org, report_plan):
    plan_, action, colleague = report_plan
    url = f"{live_server.url}/plans/{plan_.pk}/actions/{action.pk}/"
    mine = window(browser, live_server, org.editor_a)
    theirs = window(browser, live_server, colleague)
    for page in (mine, theirs):
        page.goto(url)
    theirs.get_by_label("Ansvarig").fill("Förvaltningschef")
    saved(theirs)
    mine.get_by_label("Ansvarig").fill("Rektorerna")
    panel = conflict(mine)
    expect(panel.get_by_role("row", name="Ansvarig")).to_contain_text("Förvaltningschef")
    assert_accessible(mine)
    panel.get_by_role("button", name="Behåll min version").click()
    expect(mine.locator(".messages")).to_contain_text("Åtgärden är sparad")

    third = window(browser, live_server, org.reader_a)
    third.goto(f"{live_server.url}/plans/{plan_.pk}/")
    expect(third.get_by_role("main")).to_contain_text("Rektorerna")
    action.refresh_from_db()
    assert action.responsible == "Rektorerna"
