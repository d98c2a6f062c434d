import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, User
from actionplans.models import ActionPlan
from dashboards.models import CycleSummary, Rollup, SummaryBacklog
from devtools import scale
from followup.models import AreaAnswer, AssessmentStatus, Cycle, SelfAssessment
from schools.models import Committee, School, SchoolFormOffering

pytestmark = pytest.mark.slow

TINY = scale.Scale(committees=2, schools_per_committee=3, years=2)


def quiet(_message):
    pass


def generate_small():
    call_command("generate_data", "--scale", "small", stdout=io.StringIO())


def levels_by_place():
    """Each level written, by school, year (counted from this year) and area: what the seed decides."""
    this_year = timezone.localdate().year
    return {
        (a.assessment.school.unit_code, this_year - a.assessment.cycle.year, a.area.number): a.level
        for a in AreaAnswer.objects.select_related("assessment__school", "assessment__cycle", "area")
    }


def rows():
    return (
        Committee.objects.count(),
        School.objects.count(),
        User.objects.count(),
        Cycle.objects.count(),
        SelfAssessment.objects.count(),
        AreaAnswer.objects.count(),
    )


def test_the_small_scale_writes_its_committees_schools_and_one_assessment_per_school_and_year(db):
    generate_small()
    size = scale.SCALES["small"]
    assert Committee.objects.count() == size.committees
    assert School.objects.count() == size.schools
    assert Cycle.objects.count() == size.years
    assert SelfAssessment.objects.count() == size.schools * size.years
    assert set(SelfAssessment.objects.values_list("cycle__year", flat=True)) == set(
        range(timezone.localdate().year - size.years + 1, timezone.localdate().year + 1)
    )


def test_past_years_are_all_approved_with_an_answer_for_every_area(db):
    scale.generate(TINY, say=quiet)
    this_year = timezone.localdate().year
    past = SelfAssessment.objects.filter(cycle__year__lt=this_year).select_related("cycle")
    assert past.count() == TINY.schools * (TINY.years - 1)
    for assessment in past:
        assert assessment.status == AssessmentStatus.APPROVED
        assert assessment.submitted_at is not None
        assert assessment.reviewed_at is not None
        areas = set(assessment.cycle.areas.values_list("number", flat=True))
        assert areas
        assert set(assessment.area_answers.values_list("area__number", flat=True)) == areas
        assert not assessment.area_answers.filter(level__isnull=True).exists()


def test_this_years_principal_is_writing_a_draft(db):
    scale.generate(TINY, say=quiet)
    principal = User.objects.get(email="rektor@skala.se")
    school = principal.memberships.get().school
    assert school == School.objects.order_by("unit_code").first()
    assert SelfAssessment.objects.get(school=school, cycle__year=timezone.localdate().year).status == (
        AssessmentStatus.DRAFT
    )


def test_every_school_offers_a_school_form_and_has_a_band_from_1_to_5(db):
    scale.generate(TINY, say=quiet)
    for school in School.objects.all():
        assert SchoolFormOffering.objects.filter(school=school).exists()
        assert 1 <= school.ses_band <= 5


def test_every_committee_has_an_action_plan_whose_actions_serve_goals(db):
    scale.generate(TINY, say=quiet)
    for committee in Committee.objects.all():
        plan = ActionPlan.objects.get(committee=committee)
        actions = list(plan.actions.all())
        assert len(actions) >= 4
        for action in actions:
            assert action.goals.count() == 2


def test_the_four_users_have_their_roles_and_log_in_with_demo(db):
    scale.generate(TINY, say=quiet)
    committee = Committee.objects.order_by("code").first()
    for email, role, place in scale.USERS:
        membership = Membership.objects.get(user__email=email)
        assert membership.role == role
        assert membership.committee == (committee if place == "committee" else None)
        if place == "school":
            assert membership.school.committee == committee
        assert Client().login(request=HttpRequest(), username=email, password="demo")


def test_the_dashboards_summaries_exist_for_every_cycle_and_the_backlog_is_empty(db):
    scale.generate(TINY, say=quiet)
    for cycle in Cycle.objects.all():
        assert CycleSummary.objects.get(cycle=cycle).refreshed_at is not None
        assert Rollup.objects.get(cycle=cycle, key=Rollup.key_for(None)).schools == TINY.schools
    assert not SummaryBacklog.objects.exists()


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_same_seed_gives_the_same_levels_and_another_seed_other_levels():
    scale.generate(TINY, seed=7, say=quiet)
    first = levels_by_place()
    assert len(first) == len(set(first))
    assert len(set(first.values())) > 1
    call_command("flush", "--noinput")  # empties the tables and restarts their numbering
    scale.generate(TINY, seed=7, say=quiet)
    assert levels_by_place() == first
    call_command("flush", "--noinput")
    scale.generate(TINY, seed=8, say=quiet)
    assert levels_by_place() != first


def test_generating_into_a_database_with_committees_fails_and_writes_nothing(db):
    scale.generate(TINY, say=quiet)
    before = rows()
    with pytest.raises(scale.ScaleError):
        scale.generate(TINY, say=quiet)
    with pytest.raises(CommandError, match="already holds committees"):
        call_command("generate_data", "--scale", "small", stdout=io.StringIO())
    assert rows() == before


def test_the_override_flags_change_the_size(db):
    call_command(
        "generate_data",
        *("--scale", "small", "--committees", "2", "--schools-per-committee", "2", "--years", "1", "--seed", "5"),
        stdout=io.StringIO(),
    )
    assert Committee.objects.count() == 2
    assert School.objects.count() == 4
    assert Cycle.objects.get().year == timezone.localdate().year
    assert SelfAssessment.objects.count() == 4


@pytest.mark.parametrize("flag", ["--years", "--committees", "--schools-per-committee"])
def test_a_size_below_one_is_a_command_error(db, flag):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_data", "--scale", "small", flag, "0", stdout=io.StringIO())
    assert not Committee.objects.exists()
