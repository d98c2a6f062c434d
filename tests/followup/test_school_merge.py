"""Merging two school units (followup/school_history.py and its page): the
preview, a follow-up in which both units have a self-assessment, and the merge
done in one transaction or not at all."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from followup import school_history
from followup.models import SelfAssessment
from followup.services import FollowUpError
from schools.models import School
from tests.factories import SchoolFactory, followup_strategy, member, open_cycle
from tests.followup.test_school_history import lock

TODAY = timezone.localdate()


@pytest.fixture
def units(org):
    """Skola A and Skola C (both committee A) are to become one, Skola A staying.
    Last year (locked) only Skola C was followed up; this year both are."""
    org.school_c = SchoolFactory(committee=org.committee_a, name="Skola C", unit_code="33333333")
    org.principal_c = member(Role.PRINCIPAL, school=org.school_c, email="rektor.c@example.se")
    strategy = followup_strategy()
    School.objects.filter(pk=org.school_a.pk).update(is_active=False, closed_on=TODAY)
    org.last = open_cycle(strategy, year=TODAY.year - 1)
    School.objects.filter(pk=org.school_a.pk).update(is_active=True, closed_on=None)
    lock(org.last)
    org.this = open_cycle(strategy)
    org.school_a.refresh_from_db()
    return org


def merge_page(client, units, **data):
    client.force_login(units.admin)
    return client.post(
        reverse("followup:school_merge"), {"staying": units.school_a.pk, "going": units.school_c.pk, **data}
    )


def test_the_preview_lists_each_years_assessment_and_the_roles_that_move(units):
    plan = school_history.school_merge_plan(staying=units.school_a, going=units.school_c)

    assert plan.errors == []
    assert [(y.cycle.year, y.is_conflict) for y in plan.years] == [(TODAY.year, True), (TODAY.year - 1, False)]
    assert [a.cycle_id for a in plan.moving_assessments] == [units.last.pk]
    assert [(m.user, m.role) for m in plan.memberships] == [(units.principal_c, Role.PRINCIPAL)]


def test_the_page_shows_the_preview_and_says_which_assessment_is_kept_where_both_have_one(client, units):
    page = merge_page(client, units, preview="").content.decode()

    assert "Båda enheterna har en självvärdering." in page
    assert "Självvärderingen för Skola A behålls som enhetens" in page
    assert "Flyttas till Skola A." in page
    assert units.principal_c.get_full_name() in page
    assert not School.objects.get(pk=units.school_c.pk).merged_into_id


def test_merging_moves_assessments_and_roles_and_closes_the_unit_that_goes_with_a_reference(client, units):
    this_c = SelfAssessment.objects.get(cycle=units.this, school=units.school_c)

    response = merge_page(client, units, confirm="", previewed=f"{units.school_a.pk}:{units.school_c.pk}")

    assert response.status_code == 302
    going = School.objects.get(pk=units.school_c.pk)
    assert (going.is_active, going.closed_on, going.merged_into_id) == (False, TODAY, units.school_a.pk)
    # Last year's assessment moves, keeping the committee it was counted in.
    moved = SelfAssessment.objects.get(cycle=units.last, school=units.school_a)
    assert moved.committee_id == units.committee_a.pk
    # This year both had one: Skola A keeps its own, Skola C's stays with the closed unit.
    assert SelfAssessment.objects.get(cycle=units.this, school=units.school_a).pk != this_c.pk
    this_c.refresh_from_db()
    assert (this_c.school_id, this_c.school_active) == (units.school_c.pk, False)
    assert Membership.objects.filter(user=units.principal_c, school=units.school_a, role=Role.PRINCIPAL).exists()
    assert not Membership.objects.filter(school=units.school_c).exists()


def test_a_confirmation_for_other_units_than_previewed_shows_the_preview_and_merges_nothing(client, units):
    response = merge_page(client, units, confirm="", previewed=f"{units.school_b.pk}:{units.school_c.pk}")

    assert response.status_code == 200
    assert "Slå samman enheterna" in response.content.decode()
    assert School.objects.get(pk=units.school_c.pk).is_active


def test_a_failure_half_way_leaves_nothing_merged(units, monkeypatch):
    def fail(self, **kwargs):
        raise RuntimeError("closing failed")

    monkeypatch.setattr(School, "close", fail)
    with pytest.raises(RuntimeError):
        school_history.school_merge(staying=units.school_a, going=units.school_c, user=units.admin)

    assert SelfAssessment.objects.get(cycle=units.last, school=units.school_c).committee_id == units.committee_a.pk
    assert Membership.objects.filter(user=units.principal_c, school=units.school_c).exists()
    assert not Membership.objects.filter(user=units.principal_c, school=units.school_a).exists()
    assert School.objects.get(pk=units.school_c.pk).is_active


def test_a_closed_unit_cannot_be_merged_and_the_message_says_why(client, units):
    School.objects.filter(pk=units.school_c.pk).update(is_active=False, closed_on=TODAY)
    closed = School.objects.get(pk=units.school_c.pk)

    with pytest.raises(FollowUpError, match="är redan nedlagd"):
        school_history.school_merge(staying=units.school_a, going=closed, user=units.admin)
    assert SelfAssessment.objects.filter(school=units.school_c).count() == 2


def test_the_same_unit_on_both_sides_is_refused_in_swedish(client, units):
    client.force_login(units.admin)
    page = client.post(
        reverse("followup:school_merge"), {"staying": units.school_a.pk, "going": units.school_a.pk, "preview": ""}
    ).content.decode()
    assert "Välj två olika skolenheter." in page
