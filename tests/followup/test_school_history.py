"""Where a school stood in each follow-up (followup/school_history.py): a school
moved to another committee keeps counting where it was in a locked year, and is
counted under its new committee in the follow-up still open; and who reads a
past year's assessment."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts import permissions
from accounts.models import Role
from dashboards import figures, reports, summaries
from dashboards.models import Rollup, SchoolResult
from dashboards.report_content import content_collect
from dashboards.tables import table_to_data
from followup.models import Cycle, SelfAssessment
from schools.models import School, SchoolForm
from schools.services import school_update
from tests.dashboards.test_reports import hand_in
from tests.factories import SchoolFactory, followup_strategy, member, open_cycle

TODAY = timezone.localdate()


def lock(cycle):
    past = TODAY - datetime.timedelta(days=1)
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_on=past - datetime.timedelta(days=60), deadline=past - datetime.timedelta(days=30), locks_on=past
    )
    cycle.refresh_from_db()


@pytest.fixture
def years(org):
    """Last year's follow-up, locked, in which Skola A (committee A, 300 pupils,
    band 2), Skola B (committee B, 100 pupils) and Skola C (committee A) handed
    in; and this year's, open, in which nobody has yet."""
    School.objects.filter(pk=org.school_a.pk).update(pupil_count=300, ses_band=2)
    School.objects.filter(pk=org.school_b.pk).update(pupil_count=100)
    org.school_c = SchoolFactory(committee=org.committee_a, name="Skola C", unit_code="33333333", pupil_count=50)
    strategy = followup_strategy(owner=org.committee_a)
    org.last = open_cycle(strategy, year=TODAY.year - 1)
    hand_in(org.last, org.school_a, {1: 4, 2: 4})
    hand_in(org.last, org.school_b, {1: 1, 2: 2})
    hand_in(org.last, org.school_c, {1: 2, 2: 3})
    lock(org.last)
    org.this = open_cycle(strategy)
    summaries.rebuild(org.last)
    summaries.rebuild(org.this)
    return org


def move_school_a_to_committee_b(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        school_update(
            school=School.objects.get(pk=org.school_a.pk),
            values={"committee_id": org.committee_b.pk, "ses_band": 5, "pupil_count": 900},
            forms={SchoolForm.PRESCHOOL},
        )


def figures_of(org, cycle) -> dict:
    """Every table of the city's and each committee's dashboard and of the yearly report."""
    with translation.override("sv"):
        report = content_collect(document=reports.document_for(cycle=cycle), now=timezone.now())
        return {
            "city": [table_to_data(t) for t in figures.city_dashboard(cycle).tables],
            "committee_a": [table_to_data(t) for t in figures.committee_dashboard(cycle, org.committee_a).tables],
            "committee_b": [table_to_data(t) for t in figures.committee_dashboard(cycle, org.committee_b).tables],
            "report": report["tables"],
        }


def test_opening_a_cycle_records_each_schools_committee_forms_bands_and_status(years):
    recorded = SelfAssessment.objects.get(cycle=years.this, school=years.school_a)
    assert (recorded.committee_id, recorded.school_forms, recorded.ses_band, recorded.pupil_count) == (
        years.committee_a.pk,
        [SchoolForm.COMPULSORY],
        2,
        300,
    )
    assert recorded.school_active is True


def test_the_database_refuses_an_assessment_without_a_committee_or_with_a_band_outside_1_to_5(years):
    school = SchoolFactory(committee=years.committee_a, unit_code="44444444")
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfAssessment.objects.create(cycle=years.this, school=school)
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfAssessment.objects.create(cycle=years.this, school=school, committee=years.committee_a, ses_band=7)


def test_a_school_moved_to_another_committee_leaves_last_years_dashboards_and_report_unchanged(
    years, django_capture_on_commit_callbacks
):
    before = figures_of(years, years.last)

    move_school_a_to_committee_b(years, django_capture_on_commit_callbacks)
    summaries.rebuild(years.last)
    summaries.rebuild(years.this)

    assert figures_of(years, years.last) == before
    last_result = SchoolResult.objects.get(cycle=years.last, school=years.school_a)
    assert (last_result.committee_id, last_result.ses_band, last_result.forms) == (
        years.committee_a.pk,
        2,
        ",grundskola,",
    )
    last_a = Rollup.objects.get(cycle=years.last, key=Rollup.key_for(years.committee_a.pk))
    assert (last_a.schools, last_a.areas["1"]["sum"]) == (2, 6)  # Skola A (4) and C (2)


def test_this_years_open_follow_up_counts_the_moved_school_under_its_new_committee(
    years, django_capture_on_commit_callbacks
):
    move_school_a_to_committee_b(years, django_capture_on_commit_callbacks)
    summaries.rebuild(years.this)

    recorded = SelfAssessment.objects.get(cycle=years.this, school=years.school_a)
    assert (recorded.committee_id, recorded.school_forms, recorded.ses_band, recorded.pupil_count) == (
        years.committee_b.pk,
        [SchoolForm.PRESCHOOL],
        5,
        900,
    )
    assert Rollup.objects.get(cycle=years.this, key=Rollup.key_for(years.committee_b.pk)).schools == 2
    assert Rollup.objects.get(cycle=years.this, key=Rollup.key_for(years.committee_a.pk)).schools == 1
    assert SelfAssessment.objects.get(cycle=years.last, school=years.school_a).committee_id == years.committee_a.pk


def test_closing_a_school_during_an_open_follow_up_records_it_there_only(years, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        school_update(
            school=School.objects.get(pk=years.school_c.pk), values={"is_active": False}, forms={"grundskola"}
        )
    assert SelfAssessment.objects.get(cycle=years.this, school=years.school_c).school_active is False
    assert SelfAssessment.objects.get(cycle=years.last, school=years.school_c).school_active is True


# --- Who reads a past year ---------------------------------------------------------


def test_committee_staff_read_the_units_that_were_theirs_that_year(years, django_capture_on_commit_callbacks):
    move_school_a_to_committee_b(years, django_capture_on_commit_callbacks)
    last_a = SelfAssessment.objects.get(cycle=years.last, school=years.school_a)
    this_a = SelfAssessment.objects.get(cycle=years.this, school=years.school_a)
    for user, sees in (
        (years.editor_a, {last_a.pk}),  # last year Skola A was committee A's
        (years.editor_b, {this_a.pk}),  # this year it is committee B's
        (years.principal_a, {last_a.pk, this_a.pk}),  # its principal reads every year of the unit
        (years.analyst, {last_a.pk, this_a.pk}),
    ):
        found = permissions.visible_assessments(user, SelfAssessment.objects.filter(school=years.school_a))
        assert set(found.values_list("pk", flat=True)) == sees, user.email


def test_the_committee_that_had_the_school_opens_last_years_assessment_and_the_new_one_does_not(
    client, years, django_capture_on_commit_callbacks
):
    move_school_a_to_committee_b(years, django_capture_on_commit_callbacks)
    last_a = SelfAssessment.objects.get(cycle=years.last, school=years.school_a)
    this_a = SelfAssessment.objects.get(cycle=years.this, school=years.school_a)
    expected = {
        (years.editor_a, last_a): 200,
        (years.editor_a, this_a): 404,
        (years.editor_b, last_a): 404,
        (years.editor_b, this_a): 200,
    }
    for (user, assessment), status in expected.items():
        client.force_login(user)
        response = client.get(reverse("followup:assessment_detail", args=[assessment.pk]))
        assert response.status_code == status, (user.email, assessment.cycle.year)


def test_last_years_list_of_who_handed_in_shows_the_committee_the_school_had_then(
    client, years, django_capture_on_commit_callbacks
):
    move_school_a_to_committee_b(years, django_capture_on_commit_callbacks)
    client.force_login(years.editor_a)
    page = client.get(reverse("followup:cycle_detail", args=[years.last.pk])).content.decode()
    assert "Skola A" in page
    this_year = client.get(reverse("followup:cycle_detail", args=[years.this.pk])).content.decode()
    assert "Skola A" not in this_year


def test_a_school_dashboard_of_a_past_year_is_for_the_committee_it_had_then(
    client, years, django_capture_on_commit_callbacks
):
    move_school_a_to_committee_b(years, django_capture_on_commit_callbacks)
    url = reverse("dashboards:dashboard") + f"?cycle={years.last.pk}&school={years.school_a.pk}"
    client.force_login(years.editor_a)
    assert client.get(url).status_code == 200
    client.force_login(years.editor_b)
    assert client.get(url).status_code == 403
    reader = member(Role.COMMITTEE_READER, committee=years.committee_b, email="lasare.b@example.se")
    client.force_login(reader)
    this_year = reverse("dashboards:dashboard") + f"?cycle={years.this.pk}&school={years.school_a.pk}"
    assert client.get(this_year).status_code == 200


def test_a_moved_school_reports_its_new_committees_indicators_this_year_and_kept_last_years(
    years, django_capture_on_commit_callbacks
):
    move_school_a_to_committee_b(years, django_capture_on_commit_callbacks)
    last_a = SelfAssessment.objects.get(cycle=years.last, school=years.school_a)
    this_a = SelfAssessment.objects.get(cycle=years.this, school=years.school_a)
    own_last = years.last.indicators.get(code="2.1.1")  # committee A's own indicator
    own_this = years.this.indicators.get(code="2.1.1")

    assert own_last.is_reported_by(last_a) is True
    assert own_this.is_reported_by(this_a) is False


def test_the_school_page_lists_each_year_with_the_committee_it_had_then_and_only_the_years_the_user_reads(
    client, years, django_capture_on_commit_callbacks
):
    move_school_a_to_committee_b(years, django_capture_on_commit_callbacks)
    url = reverse("schools:school_detail", args=[years.school_a.pk])
    client.force_login(years.principal_a)
    years_listed = [a.cycle.year for a in client.get(url).context["assessments"]]
    assert years_listed == [TODAY.year, TODAY.year - 1]
    assert f"{TODAY.year - 1}</a> (Nämnd A)" in client.get(url).content.decode()
    client.force_login(years.editor_b)
    assert [a.cycle.year for a in client.get(url).context["assessments"]] == [TODAY.year]
