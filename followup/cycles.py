"""Opening a follow-up of a strategy (a cycle) for a year: which schools it takes
in, copying what it asks from the strategy, one self-assessment per school; and
moving its dates, with their history."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import User
from core import events, history, versions
from followup.models import (
    ASSESSMENTS,
    HANDED_IN_STATUSES,
    Cycle,
    CycleArea,
    CycleIndicator,
    CycleLevel,
    SelfAssessment,
)
from followup.services import FollowUpError
from schools.models import School
from strategy.models import Indicator, Reporter, Strategy


def cycle_schools(*, committees=(), school_forms=()) -> models.QuerySet[School]:
    """The active schools a follow-up of these committees and school forms takes
    in (none given: all)."""
    schools = School.objects.active()
    if committees:
        schools = schools.filter(committee__in=committees)
    if school_forms:
        schools = schools.filter(form_offerings__form__in=school_forms).distinct()
    return schools


# A status changed without the event (a data migration, the admin) shows within this time.
COUNTS_TIMEOUT = 60


def status_counts(assessments: models.QuerySet[SelfAssessment]) -> dict[int, dict[str, int]]:
    """{cycle id: {status: self-assessments}} of the given self-assessments."""
    counts: dict[int, dict[str, int]] = {}
    for cycle_id, status, n in assessments.values_list("cycle_id", "status").annotate(n=Count("id")).order_by():
        counts.setdefault(cycle_id, {})[status] = n
    return counts


def city_status_counts() -> dict[int, dict[str, int]]:
    """`status_counts` of every self-assessment in the city, cached until a status changes."""
    return cache.get_or_set(
        f"followup:city-status-counts:{versions.current(ASSESSMENTS)}",
        lambda: status_counts(SelfAssessment.objects.all()),
        COUNTS_TIMEOUT,
    )


def handed_in(counts: dict[str, int]) -> tuple[int, int]:
    """(self-assessments, of them handed in) of one follow-up's status counts."""
    return sum(counts.values()), sum(n for status, n in counts.items() if status in HANDED_IN_STATUSES)


def _assessments_changed(sender, **kwargs) -> None:
    versions.changed(ASSESSMENTS)


events.assessments_changed.connect(_assessments_changed, dispatch_uid="followup_assessments_version")


@transaction.atomic
def cycle_open(
    *,
    strategy: Strategy,
    year: int,
    opens_on: datetime.date,
    deadline: datetime.date,
    locks_on: datetime.date,
    user: User | None,
    reminder_days: str = "14,7,1",
    committees=(),
    school_forms: list[str] | tuple[str, ...] = (),
) -> Cycle:
    """Open a follow-up of `strategy` for `year`, of the given committees and
    school forms (none: all): copy what it asks from the strategy and create one
    self-assessment for every active school it takes in.

    The year must lie within the strategy's validity, and no school may already
    be in another follow-up of the same strategy that year."""
    if year < strategy.valid_from or (strategy.valid_to is not None and year > strategy.valid_to):
        raise FollowUpError(
            _("The strategy is valid %(validity)s; a follow-up of %(year)s lies outside it.")
            % {"validity": strategy.period, "year": year}
        )
    if not (opens_on <= deadline <= locks_on):
        raise FollowUpError(_("The dates must come in order: opening, deadline, lock."))
    # One opening of a strategy at a time: a double click waits here and then
    # finds the schools taken.
    Strategy.objects.select_for_update().filter(pk=strategy.pk).first()
    school_forms = sorted(set(school_forms))
    schools = list(cycle_schools(committees=committees, school_forms=school_forms).with_forms())
    if not schools:
        raise FollowUpError(_("No active school unit has the chosen committees and school forms."))
    taken = (
        SelfAssessment.objects.filter(cycle__strategy=strategy, cycle__year=year, school__in=schools)
        .select_related("school")
        .order_by("school__name")
    )
    if taken.exists():
        count = taken.count()
        raise FollowUpError(
            _(
                "%(count)s of the school units, e.g. %(school)s, are already in a follow-up of this strategy for "
                "%(year)s. Choose other committees or school forms."
            )
            % {"count": count, "school": taken[0].school.name, "year": year}
        )
    cycle = Cycle.objects.create(
        strategy=strategy,
        year=year,
        school_forms=school_forms,
        opens_on=opens_on,
        deadline=deadline,
        locks_on=locks_on,
        reminder_days=reminder_days,
        created_by=user,
    )
    cycle.committees.set(committees)
    CycleLevel.objects.bulk_create(
        CycleLevel(cycle=cycle, level=m.level, label=m.label, description=m.description)
        for m in strategy.maturity_levels.all()
    )
    indicators = (
        Indicator.objects.filter(goal__focus_area__strategy=strategy, reported_by=Reporter.SCHOOL)
        .select_related("goal")
        .prefetch_related("targets")
    )
    by_area: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_area.setdefault(indicator.goal.focus_area_id, []).append(indicator)
    for focus_area in strategy.focus_areas.prefetch_related("goals"):
        area = CycleArea.objects.create(
            cycle=cycle,
            focus_area=focus_area,
            number=focus_area.number,
            title=focus_area.title,
            description=focus_area.description,
            # With its level: the principal's form shows the goals for the school apart.
            goals=[{"number": g.number, "text": g.text, "level": g.level} for g in focus_area.goals.all()],
        )
        CycleIndicator.objects.bulk_create(
            CycleIndicator(
                cycle=cycle,
                area=area,
                indicator=ind,
                owner_id=ind.owner_id,
                code=ind.code,
                name=ind.name,
                definition=ind.definition,
                unit=ind.unit,
                direction=ind.direction,
                target=ind.target_for(year),
                position=position,
            )
            for position, ind in enumerate(by_area.get(focus_area.pk, []))
        )
    # Each assessment records where its school stands as the follow-up opens
    # (followup.school_history keeps it up to date until the cycle is locked).
    assessments = [SelfAssessment(cycle=cycle, school=school) for school in schools]
    for assessment, school in zip(assessments, schools, strict=True):
        assessment.record_school(school)
    SelfAssessment.objects.bulk_create(assessments)
    events.assessments_changed.send(sender=Cycle, cycle_id=cycle.pk, school_ids=[s.pk for s in schools])
    return cycle


@transaction.atomic
def cycle_change_dates(
    *,
    cycle: Cycle,
    opens_on: datetime.date,
    deadline: datetime.date,
    locks_on: datetime.date,
    reminder_days: str,
    user: User,
) -> Cycle:
    """Move a follow-up's opening date, deadline, lock date or reminder days;
    the change is recorded in the cycle's history with who made it."""
    if not (opens_on <= deadline <= locks_on):
        raise FollowUpError(_("The dates must come in order: opening, deadline, lock."))
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    cycle.opens_on, cycle.deadline, cycle.locks_on = opens_on, deadline, locks_on
    cycle.reminder_days = reminder_days
    cycle._history_user = user
    cycle.save()
    # The deadline decides who is on time: the dashboards count the cycle again.
    events.assessments_changed.send(
        sender=Cycle, cycle_id=cycle.pk, school_ids=list(cycle.assessments.values_list("school_id", flat=True))
    )
    return cycle


def cycle_changes(cycle: Cycle) -> list[history.Change]:
    """Every recorded change to the follow-up's dates, newest first."""
    return history.changes([(cycle.history.all(), lambda r: _("Dates"))])
