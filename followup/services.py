"""Workflows of the yearly follow-up: saving, submitting, returning, approving
and reopening self-assessments, and reading what a committee's schools answered.
Opening a cycle and moving its dates is followup/cycles.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from core import events, history, versioning, versions
from followup import notifications
from followup.models import (
    ASSESSMENTS,
    EDITABLE_STATUSES,
    HANDED_IN_STATUSES,
    AreaAnswer,
    AssessmentStatus,
    Cycle,
    CycleArea,
    CycleIndicator,
    CycleLevel,
    IndicatorAnswer,
    SelfAssessment,
)


class FollowUpError(Exception):
    """A workflow step that is not allowed now; the message is for the user."""


class IncompleteAssessment(FollowUpError):
    def __init__(self, missing: list[str]):
        super().__init__(_("The self-assessment is not complete."))
        self.missing = missing


def _changed(assessment: SelfAssessment) -> None:
    """Say that the assessment's status changed, for the dashboards to count it again."""
    events.assessments_changed.send(
        sender=SelfAssessment, cycle_id=assessment.cycle_id, school_ids=[assessment.school_id]
    )


# --- Saving -----------------------------------------------------------------


@dataclass
class SaveResult:
    answer: AreaAnswer
    conflict: bool = False
    saved_at: datetime.datetime | None = None
    outcome: versioning.Outcome | None = None


@dataclass
class AreaInput:
    level: int | None
    done: str = ""
    strengths: str = ""
    next_steps: str = ""
    not_applicable: bool = False
    not_applicable_reason: str = ""
    indicator_values: dict[int, Decimal | None] = field(default_factory=dict)

    FIELDS = ("level", "done", "strengths", "next_steps", "not_applicable", "not_applicable_reason")

    def values(self) -> dict:
        """The answer as a snapshot keyed by the form's field names (see `core.versioning`)."""
        values = {name: getattr(self, name) for name in self.FIELDS}
        values.update({f"indicator_{pk}": value for pk, value in self.indicator_values.items()})
        return values


def area_answer_snapshot(answer: AreaAnswer, values: dict[int, Decimal | None]) -> dict:
    """An area's answer and the given indicator values, keyed by the form's field names."""
    snapshot = {name: getattr(answer, name) for name in AreaInput.FIELDS}
    snapshot.update({f"indicator_{pk}": value for pk, value in values.items()})
    return snapshot


def area_answer_for(assessment: SelfAssessment, area: CycleArea) -> AreaAnswer:
    return AreaAnswer.objects.filter(assessment=assessment, area=area).first() or AreaAnswer(
        assessment=assessment, area=area
    )


def area_answer_save(
    *,
    assessment: SelfAssessment,
    area: CycleArea,
    data: AreaInput,
    version: int,
    user: User,
    base: dict | None = None,
    keep_mine: int | None = None,
) -> SaveResult:
    """Save one area's answer with its indicator values, with a version
    (`core.versioning.versioned_save`): written if nobody saved since `version`,
    merged if the other save touched other fields than this one (`base` is what
    the form was read from), else a conflict that writes nothing and returns the
    stored answer, so the user sees both versions. `keep_mine` saves over the
    version the user was shown.
    """
    indicator_ids = list(data.indicator_values)
    locked_assessment: list[SelfAssessment] = []

    def lock() -> AreaAnswer:
        locked = SelfAssessment.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=assessment.pk)
        if not locked.is_editable():
            raise FollowUpError(locked.closed_message())
        locked_assessment.append(locked)
        answer = AreaAnswer.objects.select_for_update().filter(assessment=locked, area=area).first()
        if answer is None and version != 0:
            # Read from a saved answer that is gone: compared with an empty one.
            return AreaAnswer(assessment=locked, area=area)
        if answer is None:
            try:
                with transaction.atomic():
                    answer = AreaAnswer.objects.create(assessment=locked, area=area)
            except IntegrityError:  # created by a concurrent first save
                answer = AreaAnswer.objects.select_for_update().get(assessment=locked, area=area)
        return answer

    def read(answer: AreaAnswer) -> dict:
        stored = dict.fromkeys(indicator_ids)
        if answer.assessment_id:
            stored.update(
                IndicatorAnswer.objects.filter(
                    assessment_id=answer.assessment_id, indicator_id__in=indicator_ids
                ).values_list("indicator_id", "value")
            )
        return area_answer_snapshot(answer, stored)

    def write(answer: AreaAnswer, changes: dict) -> None:
        locked = locked_assessment[0]
        for name in AreaInput.FIELDS:
            if name in changes:
                setattr(answer, name, changes[name])
        answer.save()
        for name, value in changes.items():
            if not name.startswith("indicator_"):
                continue
            indicator_id = int(name.removeprefix("indicator_"))
            current = IndicatorAnswer.objects.filter(assessment=locked, indicator_id=indicator_id).first()
            current = current or IndicatorAnswer(assessment=locked, indicator_id=indicator_id)
            current.value = value
            current._history_user = user
            current.save()
        if locked.mark_draft(by=user):
            _changed(locked)

    outcome = versioning.versioned_save(
        lock=lock,
        read=read,
        write=write,
        values=data.values(),
        base=base,
        version=version,
        user=user,
        keep_mine=keep_mine,
    )
    locked = locked_assessment[0]
    assessment.status = locked.status
    answer = AreaAnswer.objects.filter(assessment=locked, area=area).first() or AreaAnswer(assessment=locked, area=area)
    if outcome.conflict:
        return SaveResult(answer=answer, conflict=True, outcome=outcome)
    return SaveResult(answer=answer, saved_at=answer.updated_at, outcome=outcome)


def start_from_last_year(*, assessment: SelfAssessment, area: CycleArea, user: User) -> bool:
    """Fill the empty parts of this year's answer with last year's; False if there is none."""
    previous = previous_answer(assessment, area)
    if previous is None:
        return False
    answer = area_answer_for(assessment, area)
    data = AreaInput(
        level=answer.level or previous.level,
        done=answer.done or previous.done,
        strengths=answer.strengths or previous.strengths,
        next_steps=answer.next_steps or previous.next_steps,
        not_applicable=answer.not_applicable,
        not_applicable_reason=answer.not_applicable_reason,
    )
    result = area_answer_save(assessment=assessment, area=area, data=data, version=answer.version, user=user)
    return not result.conflict


def previous_answer(assessment: SelfAssessment, area: CycleArea) -> AreaAnswer | None:
    """The answer for the same focus area of the strategy in the school's latest earlier year, if any."""
    same_area = Q(area__focus_area_id=area.focus_area_id) if area.focus_area_id else Q(area__number=area.number)
    return (
        AreaAnswer.objects.filter(
            same_area,
            assessment__school_id=assessment.school_id,
            assessment__cycle__year__lt=assessment.cycle.year,
        )
        .select_related("area", "assessment__cycle")
        .order_by("-assessment__cycle__year")
        .first()
    )


# --- Submitting and reviewing ----------------------------------------------


@dataclass
class CycleStructure:
    """What a cycle asks: its areas (each with `indicator_list`) and maturity levels."""

    areas: list[CycleArea]
    levels: list[CycleLevel]

    def area(self, number: int) -> CycleArea | None:
        return next((a for a in self.areas if a.number == number), None)

    def following(self, area: CycleArea) -> CycleArea | None:
        return next((a for a in self.areas if a.number > area.number), None)


def cycle_structure(cycle: Cycle) -> CycleStructure:
    """The cycle's areas, indicators and levels, cached: they are copied when the
    cycle opens and never change afterwards."""
    key = f"cycle-structure:v1:{cycle.pk}"
    structure = cache.get(key)
    if structure is None:
        areas = list(cycle.areas.prefetch_related("indicators"))
        for area in areas:
            area.indicator_list = list(area.indicators.all())
        structure = CycleStructure(areas=areas, levels=list(cycle.levels.all()))
        cache.set(key, structure, timeout=60 * 60)
    return structure


@dataclass
class AssessmentData:
    """An assessment's answers and indicator values, read once for a page."""

    structure: CycleStructure
    answers: dict[int, AreaAnswer]  # by area id
    values: dict[int, Decimal | None]  # by cycle indicator id

    def indicators_for(self, assessment: SelfAssessment, area: CycleArea) -> list[CycleIndicator]:
        """The area's indicators the school reports: the city's and its committee's own."""
        return [i for i in area.indicator_list if i.is_reported_by(assessment)]


def assessment_data(assessment: SelfAssessment) -> AssessmentData:
    return AssessmentData(
        structure=cycle_structure(assessment.cycle),
        answers={a.area_id: a for a in assessment.area_answers.all()},
        values={v.indicator_id: v.value for v in assessment.indicator_answers.all()},
    )


def missing_by_area(assessment: SelfAssessment, data: AssessmentData | None = None) -> dict[int, list[str]]:
    """What must still be filled in, per area id, before the assessment can be submitted."""
    data = data or assessment_data(assessment)
    answers, values = data.answers, data.values
    missing: dict[int, list[str]] = {}
    for area in data.structure.areas:
        answer = answers.get(area.pk)
        gaps = missing[area.pk] = []
        if answer is not None and answer.not_applicable:
            if not answer.not_applicable_reason.strip():
                gaps.append(_("why it does not apply"))
            continue
        if answer is None or answer.level is None:
            gaps.append(_("maturity level"))
        if answer is None or not answer.done.strip():
            gaps.append(_("what has been done"))
        if answer is None or not answer.next_steps.strip():
            gaps.append(_("what to develop next"))
        for indicator in data.indicators_for(assessment, area):
            if values.get(indicator.pk) is None:
                gaps.append(_("indicator %(code)s %(name)s") % {"code": indicator.code, "name": indicator.name})
    return missing


def missing_for_submission(assessment: SelfAssessment) -> list[str]:
    """Everything still missing, each named with its area."""
    areas = {a.pk: a for a in cycle_structure(assessment.cycle).areas}
    return [
        _("Area %(number)s %(title)s: %(what)s")
        % {"number": areas[area_id].number, "title": areas[area_id].title, "what": gap}
        for area_id, gaps in missing_by_area(assessment).items()
        for gap in gaps
    ]


def assessment_submit(*, assessment: SelfAssessment, user: User) -> bool:
    """Hand in the assessment. Submitting twice (a double click, two tabs)
    records one submission: the second call returns False and changes nothing."""
    with transaction.atomic():
        locked = (
            SelfAssessment.objects.select_for_update(of=("self",))
            .select_related("cycle", "school")
            .get(pk=assessment.pk)
        )
        if locked.status in HANDED_IN_STATUSES:
            return False
        if not locked.is_editable():
            raise FollowUpError(_("The follow-up is locked. Ask your committee to reopen the self-assessment."))
        missing = missing_for_submission(locked)
        if missing:
            raise IncompleteAssessment(missing)
        locked.status = AssessmentStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.reopened = False
        locked._history_user = user
        locked.save()
        _changed(locked)
        notifications.assessment_handed_in(assessment=locked, by=user)
    return True


def _review(assessment: SelfAssessment, *, allowed: tuple, user: User) -> SelfAssessment:
    locked = SelfAssessment.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=assessment.pk)
    if locked.status not in allowed:
        raise FollowUpError(
            _("The self-assessment is %(status)s and cannot be handled so.")
            % {"status": locked.get_status_display().lower()}
        )
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = user
    locked._history_user = user
    _changed(locked)
    return locked


@transaction.atomic
def assessment_return(*, assessment: SelfAssessment, user: User, reason: str) -> SelfAssessment:
    """Send a handed-in assessment back to the school with a reason; after the
    lock date this also reopens it."""
    if not reason.strip():
        raise FollowUpError(_("Write why the self-assessment is returned."))
    permissions.require_independent_reviewer(user, assessment)
    locked = _review(assessment, allowed=HANDED_IN_STATUSES, user=user)
    locked.status = AssessmentStatus.RETURNED
    locked.return_reason = reason.strip()
    locked.reopened = locked.cycle.is_locked()
    locked.save()
    notifications.assessment_returned(assessment=locked, by=user)
    return locked


@transaction.atomic
def assessment_approve(*, assessment: SelfAssessment, user: User, comment: str = "") -> SelfAssessment:
    permissions.require_independent_reviewer(user, assessment)
    locked = _review(assessment, allowed=(AssessmentStatus.SUBMITTED,), user=user)
    locked.status = AssessmentStatus.APPROVED
    locked.approval_comment = comment.strip()
    locked.save()
    notifications.assessment_approved(assessment=locked, by=user)
    return locked


@transaction.atomic
def assessment_reopen(*, assessment: SelfAssessment, user: User) -> SelfAssessment:
    """Let a school that has not handed in keep writing after the lock date."""
    locked = _review(assessment, allowed=EDITABLE_STATUSES, user=user)
    if not locked.cycle.is_locked():
        raise FollowUpError(_("The follow-up is not locked yet; the school can still write."))
    locked.reopened = True
    locked.save()
    return locked


# --- History ------------------------------------------------------------------


def assessment_changes(assessment: SelfAssessment) -> list[history.Change]:
    """Every recorded change to the assessment and its answers, newest first."""
    return history.changes(
        [
            (assessment.history.all(), lambda r: _("Status and review")),
            (
                AreaAnswer.history.filter(assessment_id=assessment.pk).select_related("area"),
                lambda r: _("Area %(number)s %(title)s") % {"number": r.area.number, "title": r.area.title},
            ),
            (
                IndicatorAnswer.history.filter(assessment_id=assessment.pk).select_related("indicator"),
                lambda r: _("Indicator %(code)s %(name)s") % {"code": r.indicator.code, "name": r.indicator.name},
            ),
        ]
    )


# --- What a committee's schools answered ------------------------------------------


@dataclass
class AreaRatings:
    """How the committee's schools rated a focus area in the latest follow-up."""

    year: int
    counts: list[tuple[int, str, int]]  # level, label, number of schools
    total: int
    lowest: int


def committee_area_ratings(*, committee_id: int, strategy_id: int) -> dict[int, AreaRatings]:
    """Per focus area number, how the committee's schools rated it in the latest
    follow-up of the strategy in which any of them handed in (one query), cached until
    a self-assessment's status changes (within a minute for one changed without the event)."""
    return cache.get_or_set(
        f"followup:area-ratings:{committee_id}:{strategy_id}:{versions.current(ASSESSMENTS)}",
        lambda: _committee_area_ratings(committee_id=committee_id, strategy_id=strategy_id),
        60,
    )


def _committee_area_ratings(*, committee_id: int, strategy_id: int) -> dict[int, AreaRatings]:
    handed_in = {
        "committee_id": committee_id,
        "status__in": HANDED_IN_STATUSES,
        "area_answers__not_applicable": False,
        "area_answers__level__isnull": False,
    }
    latest = (
        Cycle.objects.filter(strategy_id=strategy_id, **{f"assessments__{k}": v for k, v in handed_in.items()})
        .order_by("-year")
        .values("pk")[:1]
    )
    # Each level of that cycle against each area's handed-in answers of the committee:
    # a level nobody chose is counted 0.
    rows = (
        CycleLevel.objects.filter(
            cycle_id=Subquery(latest),
            cycle__areas__answers__assessment__committee_id=committee_id,
            cycle__areas__answers__assessment__status__in=HANDED_IN_STATUSES,
            cycle__areas__answers__not_applicable=False,
            cycle__areas__answers__level__isnull=False,
        )
        .values_list("cycle__year", "cycle__areas__number", "level", "label")
        .annotate(n=Count("cycle__areas__answers", filter=Q(cycle__areas__answers__level=F("level"))))
        .order_by("cycle__areas__number", "level")
    )
    counts: dict[int, list[tuple[int, str, int]]] = {}
    years: dict[int, int] = {}
    for year, number, level, label, n in rows:
        counts.setdefault(number, []).append((level, label, n))
        years[number] = year
    return {
        number: AreaRatings(
            year=years[number], counts=found, total=sum(n for *_, n in found), lowest=found[0][2] if found else 0
        )
        for number, found in counts.items()
    }
