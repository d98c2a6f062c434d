"""The city office opens a follow-up of compulsory schools only and moves its
dates; a principal of a school outside it is not asked, one inside is told
when it opens."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from followup.models import Cycle
from schools.models import SchoolForm
from tests.browser.helpers import assert_accessible, log_in, log_out
from tests.factories import SchoolFactory, followup_strategy

pytestmark = pytest.mark.browser

MONTHS = ["januari", "februari", "mars", "april", "maj", "juni"]
MONTHS += ["juli", "augusti", "september", "oktober", "november", "december"]


def test_the_city_office_opens_a_follow_up_for_compulsory_schools_only_and_moves_its_dates(
    page: Page, live_server, org
):
    strategy = followup_strategy(title="It-strategi för skolan")
    SchoolFactory(committee=org.committee_a, name="Förskolan Solen", forms=[SchoolForm.PRESCHOOL])
    today = timezone.localdate()
    opens = today + datetime.timedelta(days=30)

    log_in(page, live_server.url, org.admin.email)
    page.goto(f"{live_server.url}/follow-up/new/")
    assert_accessible(page)
    page.get_by_label("Strategi").select_option(label=str(strategy))
    page.get_by_label("Grundskola", exact=True).check()
    page.get_by_label("Öppnar").fill(opens.isoformat())
    page.locator("#id_deadline").fill((opens + datetime.timedelta(days=30)).isoformat())
    page.get_by_label("Låses efter").fill((opens + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Öppna uppföljningen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Uppföljning {today.year} (Grundskola)")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Skola A")
    expect(table).not_to_contain_text("Förskolan Solen")
    assert_accessible(page)

    page.get_by_role("link", name="Ändra datumen").click()
    later = opens + datetime.timedelta(days=40)
    page.locator("#id_deadline").fill(later.isoformat())
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Uppföljningens datum är sparade.")
    page.get_by_role("link", name="Ändra datumen").click()
    expect(page.get_by_role("table")).to_contain_text(later.isoformat())
    assert_accessible(page)

    cycle = Cycle.objects.get()
    assert cycle.deadline == later
    log_out(page)
    log_in(page, live_server.url, org.principal_a.email)
    page.goto(f"{live_server.url}/assessments/{cycle.assessments.get(school=org.school_a).pk}/")
    month = MONTHS[opens.month - 1]
    expect(page.get_by_role("main")).to_contain_text(f"Självvärderingen öppnar {opens.day} {month} {opens.year}.")
    assert_accessible(page)
