"""Where a school unit stood in each follow-up, and merging two units.

Each self-assessment records the committee, school forms, bands and status its
school had in that follow-up (`SelfAssessment.record_school`), written when the
cycle opens. A change to a school (moved to another committee, other forms,
closed) is followed by the assessments of its cycles that are not yet locked; a
locked cycle keeps what it recorded, so a past year's dashboards and report
count the school where it was that year.

Merging: the unit that goes is closed with a reference to the unit that stays;
its self-assessments move to the unit that stays, except in a follow-up where
both have one: there the staying unit's is the unit's, and the going unit's
stays with the closed unit, readable as history. Its principals and staff get
the same roles at the staying unit. All in one transaction, or nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from core import events
from followup.models import Cycle, SelfAssessment
from followup.services import FollowUpError
from schools.models import School


def open_cycle_assessments(school_ids: list[int], *, today: datetime.date | None = None):
    """The assessments of these schools in cycles not yet locked."""
    today = today or timezone.localdate()
    return SelfAssessment.objects.filter(school_id__in=school_ids, cycle__locks_on__gte=today)


def assessments_follow_schools(*, school_ids: list[int], today: datetime.date | None = None) -> int:
    """Record the schools' current committee, forms, bands and status on their
    assessments in cycles not yet locked; returns how many changed. Locked
    cycles are left as they were."""
    schools = {s.pk: s for s in School.objects.filter(pk__in=school_ids).prefetch_related("form_offerings")}
    changed = []
    fields = ["committee", "school_forms", "ses_band", "pupil_count", "school_active"]
    attnames = [SelfAssessment._meta.get_field(name).attname for name in fields]

    def recorded(assessment: SelfAssessment) -> list:
        return [getattr(assessment, name) for name in attnames]

    for assessment in open_cycle_assessments(list(schools), today=today):
        before = recorded(assessment)
        assessment.record_school(schools[assessment.school_id])
        if recorded(assessment) != before:
            changed.append(assessment)
    SelfAssessment.objects.bulk_update(changed, fields)
    return len(changed)


@receiver(events.schools_changed)
def _schools_changed(sender, *, school_ids: list[int], **kwargs) -> None:
    assessments_follow_schools(school_ids=school_ids)


# --- Merging two units -----------------------------------------------------------


@dataclass
class MergeYear:
    """One follow-up in which the unit that goes has a self-assessment."""

    cycle: Cycle
    moving: SelfAssessment
    kept: SelfAssessment | None = None  # the staying unit's, when both have one

    @property
    def is_conflict(self) -> bool:
        return self.kept is not None


@dataclass
class MergePlan:
    """What merging `going` into `staying` moves, shown before it is done."""

    staying: School
    going: School
    years: list[MergeYear] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)  # roles at the going unit
    errors: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[MergeYear]:
        return [y for y in self.years if y.is_conflict]

    @property
    def moving_assessments(self) -> list[SelfAssessment]:
        return [y.moving for y in self.years if not y.is_conflict]


def school_merge_plan(*, staying: School, going: School) -> MergePlan:
    """What merging `going` into `staying` would do; nothing is written.
    `errors` says, in Swedish, why it cannot be done."""
    plan = MergePlan(staying=staying, going=going)
    if staying.pk == going.pk:
        plan.errors.append(_("Choose two different school units."))
    if not staying.is_active:
        plan.errors.append(_("The unit that stays, %(name)s, is closed.") % {"name": staying.name})
    if not going.is_active:
        plan.errors.append(_("The unit that goes, %(name)s, is already closed.") % {"name": going.name})
    if plan.errors:
        return plan
    kept = {a.cycle_id: a for a in staying.assessments.select_related("cycle")}
    for assessment in going.assessments.select_related("cycle__strategy").order_by("-cycle__year", "cycle_id"):
        plan.years.append(MergeYear(cycle=assessment.cycle, moving=assessment, kept=kept.get(assessment.cycle_id)))
    plan.memberships = list(going.memberships.select_related("user").order_by("role", "user__email"))
    return plan


@transaction.atomic
def school_merge(*, staying: School, going: School, user, on: datetime.date | None = None) -> MergePlan:
    """Merge `going` into `staying` in one transaction (see the module's docstring).
    Raises FollowUpError, writing nothing, when the plan has errors."""
    # Both rows locked in a fixed order: two merges of the same units wait for each other.
    locked = {s.pk: s for s in School.objects.select_for_update().filter(pk__in=sorted({staying.pk, going.pk}))}
    staying, going = locked[staying.pk], locked[going.pk]
    plan = school_merge_plan(staying=staying, going=going)
    if plan.errors:
        raise FollowUpError(" ".join(plan.errors))
    moved_cycles = []
    for assessment in plan.moving_assessments:
        assessment.school = staying
        assessment._history_user = user
        assessment.save(update_fields=["school"])
        moved_cycles.append(assessment.cycle_id)
    held = set(staying.memberships.values_list("user_id", "role"))
    for membership in plan.memberships:
        if (membership.user_id, membership.role) not in held:
            Membership.objects.create(user_id=membership.user_id, role=membership.role, school=staying, created_by=user)
        membership._history_user = user
        membership.delete()
    going.close(on=on or timezone.localdate(), merged_into=staying)
    going.save(update_fields=["is_active", "closed_on", "merged_into"])
    # In cycles not yet locked: the closed unit's assessments record that it is
    # closed, and those that moved record the staying unit as it is.
    assessments_follow_schools(school_ids=[going.pk, staying.pk])
    for cycle_id in moved_cycles:
        events.assessments_changed.send(sender=School, cycle_id=cycle_id, school_ids=[staying.pk, going.pk])
    return plan
