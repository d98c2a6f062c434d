import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, log_in, log_out, user_menu

pytestmark = pytest.mark.browser


def test_a_principal_logs_in_switches_to_english_and_every_page_passes_axe(page: Page, live_server, org):
    log_in(page, live_server.url, org.principal_a.email)

    expect(page).to_have_url(f"{live_server.url}/organisation/schools/{org.school_a.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skola A")
    expect(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link")).to_have_text(["Skola A", "Strategier"])
    assert_accessible(page)

    user_menu(page).click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("term").first).to_have_text("Unit code")
    assert_accessible(page)

    log_out(page, "Log out")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_accessible(page)


def test_the_skip_link_takes_keyboard_users_to_the_main_content(page: Page, live_server, org):
    log_in(page, live_server.url, org.admin.email)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/organisation/#main")


def test_a_wrong_password_is_refused_with_a_clear_message(page: Page, live_server, org):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-postadress").fill(org.principal_a.email)
    page.get_by_label("Lösenord").fill("wrong password")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_text("Ange ett korrekt")).to_be_visible()
    assert_accessible(page)
