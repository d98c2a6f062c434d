"""A new action never loses a typed character: kept in the browser until it can
be saved, offered back after the session expired and the user logged in again,
and created once however many saves and tabs carry the same draft; read
afterwards from a third browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible
from tests.browser.test_two_windows import OFFER, saved, status, window
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

INCOMPLETE = "Inte sparad än"
NO_DRAFT = "() => !Object.keys(localStorage).some((key) => key.startsWith('portal-draft:'))"


def new_action(live_server, plan) -> str:
    return f"{live_server.url}/plans/{plan.pk}/actions/new/"


def fill_required(page: Page) -> None:
    page.get_by_label("1.1 Mål 1.1 för staden.").check()
    page.get_by_label("Ansvarig").fill("IT-samordnare")
    page.get_by_label("Start").fill("2026-01-01")
    page.get_by_label("Slut").fill("2026-12-31")


def read_back(browser, live_server, org, plan):
    """A third browser (the committee's reader) reads the plan as stored."""
    page = window(browser, live_server, org.reader_a)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    return page.get_by_role("main")


def test_a_new_action_typed_after_the_session_expired_is_offered_back_and_saved_once(browser, live_server, org, plan):
    page = window(browser, live_server, org.editor_a)
    page.goto(new_action(live_server, plan))
    page.get_by_label("Titel").fill("Fortbildning i digitala verktyg")
    expect(status(page)).to_contain_text(INCOMPLETE, timeout=15000)
    assert_accessible(page)
    assert not plan.actions.exists()

    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Beskrivning").fill("Skrivet när sessionen hade gått ut.")
    fill_required(page)
    expect(status(page)).to_contain_text("Du är utloggad", timeout=15000)
    assert_accessible(page)
    assert not plan.actions.exists()

    status(page).get_by_role("link", name="Logga in igen").click()
    page.get_by_label("E-postadress").fill(org.editor_a.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(new_action(live_server, plan))
    offer = page.get_by_role("group", name=OFFER)
    expect(offer).to_be_visible()
    assert_accessible(page)
    offer.get_by_role("button", name="Återställ").click()
    expect(page.get_by_label("Beskrivning")).to_have_value("Skrivet när sessionen hade gått ut.")
    saved(page)
    assert_accessible(page)

    page.get_by_role("button", name="Spara").click()  # Save after the autosave: the same action
    expect(page.locator(".messages")).to_contain_text("Åtgärden är sparad")
    action = plan.actions.get()
    assert (action.title, action.description) == (
        "Fortbildning i digitala verktyg",
        "Skrivet när sessionen hade gått ut.",
    )

    # Stored: the browser has forgotten the draft, the next new action starts empty.
    page.goto(new_action(live_server, plan))
    expect(page.get_by_label("Titel")).to_have_value("")
    page.wait_for_timeout(1000)
    expect(page.get_by_role("group", name=OFFER)).to_have_count(0)
    expect(read_back(browser, live_server, org, plan)).to_contain_text("Fortbildning i digitala verktyg")


def test_two_tabs_with_the_same_new_action_draft_create_one_action_with_both_texts(browser, live_server, org, plan):
    first = window(browser, live_server, org.editor_a)
    first.goto(new_action(live_server, plan))
    first.get_by_label("Titel").fill("Trådlöst nät i två flikar")
    expect(status(first)).to_contain_text(INCOMPLETE, timeout=15000)

    second = first.context.new_page()
    second.goto(new_action(live_server, plan))
    second.get_by_role("group", name=OFFER).get_by_role("button", name="Återställ").click()
    expect(second.get_by_label("Titel")).to_have_value("Trådlöst nät i två flikar")
    expect(status(second)).to_contain_text(INCOMPLETE, timeout=15000)
    assert_accessible(second)

    fill_required(first)
    saved(first)
    assert plan.actions.count() == 1

    fill_required(second)
    second.get_by_label("Beskrivning").fill("Från andra fliken.")
    expect(status(second)).to_contain_text("Sparat", timeout=15000)
    expect(second.get_by_label("Beskrivning")).to_have_value("Från andra fliken.")
    # The browser forgets a draft only when the server has all of it.
    second.wait_for_function(NO_DRAFT, timeout=15000)
    expect(status(second)).to_contain_text("Sparat")
    assert_accessible(second)

    action = plan.actions.get()
    assert (action.title, action.description, action.responsible) == (
        "Trådlöst nät i två flikar",
        "Från andra fliken.",
        "IT-samordnare",
    )
    main = read_back(browser, live_server, org, plan)
    expect(main).to_contain_text("Trådlöst nät i två flikar")
    expect(main).to_contain_text("IT-samordnare")
