"""Helpers for browser tests: log in through the real page, check WCAG 2.1 AA."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any WCAG 2.1 A/AA violation."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login/")
    assert_accessible(page)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    expect(user_menu(page)).to_have_count(1)  # folded away on a narrow screen


def user_menu(page: Page):
    """The button that opens the menu of language, settings and log-out."""
    return page.locator(".user-menu > button")


def log_out(page: Page, label: str = "Logga ut") -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # a narrow screen: the menus are folded away
        toggler.click()
    user_menu(page).click()
    page.get_by_role("button", name=label).click()
