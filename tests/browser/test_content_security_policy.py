"""The main pages run under the strict Content-Security-Policy: no inline script
or style, no eval; the browser reports no violation on any of them."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser import test_dashboards
from tests.browser.helpers import log_in
from tests.browser.test_self_assessment import saved

# The dashboards' data, as their browser test sets it up (plan and assessment come from conftest).
city = test_dashboards.city

pytestmark = pytest.mark.browser


def test_the_response_carries_a_strict_policy(page: Page, live_server, db):
    response = page.goto(f"{live_server.url}/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "camera=()" in response.headers["permissions-policy"]


def test_the_principals_form_autosaves_and_prints_without_a_violation(
    page: Page,
    live_server,
    org,
    assessment,
    csp_violations,
):
    log_in(page, live_server.url, org.principal_a.email)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/1/")
    page.get_by_label("3. Etablerat").check()
    page.get_by_label("Vad har gjorts").fill("Trådlöst nät i alla klassrum.")
    saved(page)
    page.get_by_label("1.1.1 Indikator 1").fill("140")
    expect(page.locator("#autosave-status")).to_contain_text("Inte sparat", timeout=15000)
    page.get_by_label("1.1.1 Indikator 1").fill("85")
    saved(page)
    expect(page.locator("progress.portal-progress")).to_be_visible()
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Skriv ut").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/report/")
    assert csp_violations == []


def test_the_dashboards_show_without_a_violation(page: Page, live_server, city, csp_violations):
    log_in(page, live_server.url, city.analyst.email)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("svg.chart").first).to_be_visible()
    page.get_by_role("table", name="Inlämning").get_by_role("link", name="Nämnd Norr").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nämnd Norr")
    page.goto(f"{live_server.url}/yearly-reports/")
    page.goto(f"{live_server.url}/strategies/")
    assert csp_violations == []


def test_the_action_plan_shows_without_a_violation(page: Page, live_server, org, plan, csp_violations):
    log_in(page, live_server.url, org.editor_a.email)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.get_by_role("heading", name="4 mål saknar åtgärd")).to_be_visible()
    page.get_by_role("link", name="Ny åtgärd").click()
    expect(page.get_by_label("Titel")).to_be_visible()
    page.goto(f"{live_server.url}/users/")
    page.goto(f"{live_server.url}/organisation/")
    assert csp_violations == []
