"""The principal's landing page: one next thing to do, the status and the days left."""

import datetime

from django.urls import reverse
from django.utils import timezone

from followup.models import AssessmentStatus, Cycle, SelfAssessment
from tests.followup.test_views import area_data, area_url, cycle_indicator

HTMX = {"HX-Request": "true"}


def landing(client, org):
    return client.get(reverse("followup:assessment_detail", args=[org.assessment_a.pk])).content.decode()


def primary_actions(page):
    return page.count('class="btn btn-primary')


def test_a_new_self_assessment_leads_to_its_first_area_and_not_to_handing_in(client, org, cycle_a):
    client.force_login(org.principal_a)
    page = landing(client, org)
    assert f'<a class="btn btn-primary btn-lg" href="{area_url(org)}">Börja med område 1: Infrastruktur</a>' in page
    assert "Granska och lämna in" not in page
    assert primary_actions(page) == 1


def test_a_draft_leads_to_the_first_area_still_missing(client, org, cycle_a):
    client.force_login(org.principal_a)
    client.post(area_url(org), area_data(cycle_indicator(org).pk, done=""), headers=HTMX)
    page = landing(client, org)
    assert "Fortsätt med område 1: Infrastruktur</a>" in page
    assert "Granska och lämna in" not in page


def test_when_every_area_is_done_the_one_primary_action_is_to_review_and_submit(client, org, cycle_a):
    client.force_login(org.principal_a)
    client.post(area_url(org), area_data(cycle_indicator(org).pk), headers=HTMX)
    page = landing(client, org)
    submit = reverse("followup:assessment_submit", args=[org.assessment_a.pk])
    assert f'<a class="btn btn-primary btn-lg" href="{submit}">Granska och lämna in</a>' in page
    assert "Fortsätt med område" not in page
    assert primary_actions(page) == 1


def test_a_handed_in_or_approved_self_assessment_offers_nothing_to_hand_in(client, org, cycle_a):
    client.force_login(org.principal_a)
    client.post(area_url(org), area_data(cycle_indicator(org).pk), headers=HTMX)
    for status in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED):
        SelfAssessment.objects.filter(pk=org.assessment_a.pk).update(status=status)
        page = landing(client, org)
        assert "Granska och lämna in" not in page
        assert "Fortsätt med område" not in page
        assert primary_actions(page) == 0
        assert "dagar kvar" not in page


def test_the_landing_shows_the_status_as_a_tag_and_the_days_left(client, org, cycle_a):
    client.force_login(org.principal_a)
    page = landing(client, org)
    assert '<span class="tag tag-status-not_started">Inte påbörjad</span>' in page
    assert '<span class="tag tag-countdown">14 dagar kvar</span>' in page


def set_deadline(org, days_from_today):
    deadline = timezone.localdate() + datetime.timedelta(days=days_from_today)
    type(org.cycle).objects.filter(pk=org.cycle.pk).update(deadline=deadline)


def test_on_the_deadline_it_says_last_day_today(client, org, cycle_a):
    set_deadline(org, 0)
    client.force_login(org.principal_a)
    assert '<span class="tag tag-countdown">Sista dag idag</span>' in landing(client, org)


def test_after_the_deadline_it_says_how_many_days_late(client, org, cycle_a):
    set_deadline(org, -3)
    client.force_login(org.principal_a)
    assert '<span class="tag tag-status-late">Försenad 3 dagar</span>' in landing(client, org)


def test_the_days_left_are_counted_in_whole_days_in_singular_and_plural():
    today = datetime.date(2026, 12, 1)
    cases = {1: "1 dag kvar", 12: "12 dagar kvar", 0: "Sista dag idag", -1: "Försenad 1 dag", -3: "Försenad 3 dagar"}
    for days, expected in cases.items():
        cycle = Cycle(deadline=today + datetime.timedelta(days=days))
        assessment = SelfAssessment(cycle=cycle, status=AssessmentStatus.DRAFT)
        assert assessment.deadline_countdown(today) == expected
