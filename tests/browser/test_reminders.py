import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_committee_staff_see_who_is_late_remind_them_and_read_the_log(page: Page, live_server, org, cycle_a):
    log_in(page, live_server.url, org.editor_a.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppföljning").click()
    page.get_by_role("link", name=str(org.cycle.year)).click()
    expect(page.get_by_role("table")).to_contain_text("Skola A")
    expect(page.get_by_role("table")).not_to_contain_text("Skola B")
    assert_accessible(page)

    page.get_by_role("button", name="Skicka en påminnelse nu till enheter som inte har lämnat in").click()
    expect(page.get_by_role("status")).to_contain_text("1 påminnelser är på väg")
    log = page.get_by_role("table")
    expect(log).to_contain_text(org.principal_a.email)
    expect(log).to_contain_text("Skickad")
    assert_accessible(page)

    # Back on the follow-up's page: when the school was last reminded, and by whom; a second
    # click leaves it out unless "remind again anyway" is ticked.
    page.get_by_role("link", name=str(org.cycle.year)).click()
    expect(page.get_by_role("table")).to_contain_text(str(org.editor_a))
    page.get_by_role("button", name="Skicka en påminnelse nu till enheter som inte har lämnat in").click()
    expect(page.get_by_role("status").first).to_contain_text("0 påminnelser är på väg")
    expect(page.get_by_text("1 enheter har påmints det senaste dygnet")).to_be_visible()
    page.get_by_role("link", name=str(org.cycle.year)).click()
    page.get_by_label("Påminn igen ändå").check()
    assert_accessible(page)
