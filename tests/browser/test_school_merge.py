import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_the_city_admin_previews_a_merge_with_its_conflict_and_merges_the_units(page: Page, live_server, org, cycle_a):
    log_in(page, live_server.url, org.admin.email)
    page.get_by_role("button", name="Administrera").click()
    page.get_by_role("link", name="Slå samman skolenheter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slå samman skolenheter")
    assert_accessible(page)

    page.get_by_label("Enheten som finns kvar").select_option(label="Skola A (11111111)")
    page.get_by_label("Enheten som läggs ned").select_option(label="Skola B (22222222)")
    page.get_by_role("button", name="Visa vad sammanslagningen gör").click()
    preview = page.locator("#merge-preview").locator("..")
    expect(preview).to_contain_text("Båda enheterna har en självvärdering.")
    expect(preview).to_contain_text("Självvärderingen för Skola A behålls som enhetens")
    expect(preview).to_contain_text(org.principal_b.get_full_name())
    assert_accessible(page)

    preview.get_by_role("button", name="Slå samman enheterna").click()
    expect(page.get_by_role("status")).to_contain_text("är sammanslagen med Skola A")
    assert_accessible(page)
