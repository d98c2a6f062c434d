"""Workflows of the yearly follow-up: opening a cycle, saving, submitting,
returning, approving and reopening self-assessments."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from dashboards import summaries
from dashboards.models import Rollup
from followup.models import (
    EDITABLE_STATUSES,
    HANDED_IN_STATUSES,
    Action,
    ActionPlan,
    ActionReport,
    AreaAnswer,
    AssessmentStatus,
    Cycle,
    CycleArea,
    CycleIndicator,
    CycleLevel,
    IndicatorAnswer,
    IndicatorValue,
    PeriodReport,
    SelfAssessment,
)
from schools.models import School
from strategy.models import Goal, Indicator, Reporter, Strategy


class FollowUpError(Exception):
    """A workflow step that is not allowed now; the message is for the user."""


class IncompleteAssessment(FollowUpError):
    def __init__(self, missing: list[str]):
        super().__init__(_("The self-assessment is not complete."))
        self.missing = missing


# --- Cycles -----------------------------------------------------------------


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
) -> Cycle:
    """Open a year's follow-up: copy what it asks from the strategy and create
    one self-assessment for every active school."""
    if Cycle.objects.filter(year=year).exists():
        raise FollowUpError(_("There is already a follow-up for %(year)s.") % {"year": year})
    if not (opens_on <= deadline <= locks_on):
        raise FollowUpError(_("The dates must come in order: opening, deadline, lock."))
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                strategy=strategy,
                year=year,
                opens_on=opens_on,
                deadline=deadline,
                locks_on=locks_on,
                reminder_days=reminder_days,
                created_by=user,
            )
    except IntegrityError:  # opened a moment ago (a double click)
        raise FollowUpError(_("There is already a follow-up for %(year)s.") % {"year": year}) from None
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
            goals=[{"number": g.number, "text": g.text} for g in focus_area.goals.all()],
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
                target=next((t.value for t in ind.targets.all() if t.year == year), None),
                position=position,
            )
            for position, ind in enumerate(by_area.get(focus_area.pk, []))
        )
    schools = list(School.objects.active())
    SelfAssessment.objects.bulk_create(SelfAssessment(cycle=cycle, school=school) for school in schools)
    summaries.mark_changed(cycle.pk, [s.pk for s in schools])
    return cycle


# --- Saving -----------------------------------------------------------------


@dataclass
class SaveResult:
    answer: AreaAnswer
    conflict: bool = False
    saved_at: datetime.datetime | None = None


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


def area_answer_for(assessment: SelfAssessment, area: CycleArea) -> AreaAnswer:
    return AreaAnswer.objects.filter(assessment=assessment, area=area).first() or AreaAnswer(
        assessment=assessment, area=area
    )


def area_answer_save(
    *, assessment: SelfAssessment, area: CycleArea, data: AreaInput, version: int, user: User
) -> SaveResult:
    """Save one area's answer if nobody else saved it since `version` was read.

    On a conflict nothing is written and the stored answer is returned, so the
    user sees both versions.
    """
    with transaction.atomic():
        locked = SelfAssessment.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=assessment.pk)
        if not locked.is_editable():
            raise FollowUpError(_("The self-assessment can no longer be changed."))
        answer = AreaAnswer.objects.select_for_update().filter(assessment=locked, area=area).first()
        if answer is None and version != 0:
            # The form was read from a saved answer that is gone: nothing to compare with, write nothing.
            return SaveResult(answer=AreaAnswer(assessment=locked, area=area), conflict=True)
        if answer is None:
            try:
                with transaction.atomic():
                    answer = AreaAnswer.objects.create(assessment=locked, area=area)
            except IntegrityError:  # created by a concurrent first save
                answer = AreaAnswer.objects.select_for_update().get(assessment=locked, area=area)
        if answer.version != version:
            return SaveResult(answer=answer, conflict=True)
        for name in AreaInput.FIELDS:
            setattr(answer, name, getattr(data, name))
        answer.version += 1
        answer.updated_at = timezone.now()
        answer.updated_by = user
        answer._history_user = user
        answer.save()
        stored = {
            v.indicator_id: v
            for v in IndicatorAnswer.objects.filter(assessment=locked, indicator_id__in=list(data.indicator_values))
        }
        for indicator_id, value in data.indicator_values.items():
            current = stored.get(indicator_id) or IndicatorAnswer(assessment=locked, indicator_id=indicator_id)
            if current.pk is None or current.value != value:
                current.value = value
                current._history_user = user
                current.save()
        if locked.status == AssessmentStatus.NOT_STARTED:
            locked.status = AssessmentStatus.DRAFT
            locked._history_user = user
            locked.save(update_fields=["status"])
            summaries.mark_changed(locked.cycle_id, [locked.school_id])
        assessment.status = locked.status
    return SaveResult(answer=answer, saved_at=answer.updated_at)


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
        return [i for i in area.indicator_list if i.owner_id in (None, assessment.school.committee_id)]


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
        summaries.mark_changed(locked.cycle_id, [locked.school_id])
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
    summaries.mark_changed(locked.cycle_id, [locked.school_id])
    return locked


@transaction.atomic
def assessment_return(*, assessment: SelfAssessment, user: User, reason: str) -> SelfAssessment:
    """Send a handed-in assessment back to the school with a reason; after the
    lock date this also reopens it."""
    if not reason.strip():
        raise FollowUpError(_("Write why the self-assessment is returned."))
    locked = _review(assessment, allowed=HANDED_IN_STATUSES, user=user)
    locked.status = AssessmentStatus.RETURNED
    locked.return_reason = reason.strip()
    locked.reopened = locked.cycle.is_locked()
    locked.save()
    return locked


@transaction.atomic
def assessment_approve(*, assessment: SelfAssessment, user: User, comment: str = "") -> SelfAssessment:
    locked = _review(assessment, allowed=(AssessmentStatus.SUBMITTED,), user=user)
    locked.status = AssessmentStatus.APPROVED
    locked.approval_comment = comment.strip()
    locked.save()
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


# --- The school's report ------------------------------------------------------


@dataclass
class AreaRow:
    number: int
    title: str
    school: int | None
    not_applicable: bool
    committee: float | None
    committee_count: int
    city: float | None
    city_count: int


def school_report(assessment: SelfAssessment) -> dict:
    """The school's levels per area beside its committee's and the city's
    averages for the year (handed-in assessments only), and its own trend."""
    cycle = assessment.cycle
    answers = {a.area_id: a for a in assessment.area_answers.all()}
    # The committee's and the city's means come from the dashboards' summaries.
    committee_id = assessment.school.committee_id
    groups = {
        r.committee_id: r.areas
        for r in Rollup.objects.filter(cycle=cycle, key__in=[Rollup.key_for(None), Rollup.key_for(committee_id)])
    }

    def mean(group: int | None, number: int) -> tuple[float | None, int]:
        entry = groups.get(group, {}).get(str(number))
        return (entry["sum"] / entry["n"], entry["n"]) if entry and entry["n"] else (None, 0)

    rows = []
    for area in cycle_structure(cycle).areas:
        answer = answers.get(area.pk)
        committee_mean, committee_count = mean(committee_id, area.number)
        city_mean, city_count = mean(None, area.number)
        rows.append(
            AreaRow(
                number=area.number,
                title=area.title,
                school=answer.level if answer and not answer.not_applicable else None,
                not_applicable=bool(answer and answer.not_applicable),
                committee=committee_mean,
                committee_count=committee_count,
                city=city_mean,
                city_count=city_count,
            )
        )
    trend_answers = (
        AreaAnswer.objects.filter(
            assessment__school_id=assessment.school_id,
            assessment__cycle__year__lte=cycle.year,
            assessment__cycle__strategy_id=cycle.strategy_id,
            assessment__status__in=HANDED_IN_STATUSES,
        )
        .exclude(assessment=assessment)
        .values_list("assessment__cycle__year", "area__number", "level", "not_applicable")
    )
    years = sorted({y for y, *_ in trend_answers} | {cycle.year})
    trend = {row.number: dict.fromkeys(years) for row in rows}
    for year, number, level, not_applicable in trend_answers:
        if number in trend and not not_applicable:
            trend[number][year] = level
    for row in rows:
        trend[row.number][cycle.year] = row.school
    return {
        "rows": rows,
        "years": years,
        "trend": [(row, [trend[row.number][y] for y in years]) for row in rows],
        "levels": cycle_structure(cycle).levels,
    }


# --- History ------------------------------------------------------------------


@dataclass
class Change:
    when: datetime.datetime
    who: User | None
    what: str
    changes: list[tuple[str, str, str]]


def _display(record, field_name: str, value) -> str:
    """A recorded value as a person reads it: labels, names and local times, not ids."""
    if value in (None, ""):
        return "–"
    model_field = record.instance._meta.get_field(field_name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else "–"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _changes(sources) -> list[Change]:
    """Recorded changes of several histories, each with a label, newest first."""
    hidden = {
        "id",
        "assessment",
        "area",
        "indicator",
        "cycle",
        "school",
        "version",
        "updated_at",
        "updated_by",
        "plan",
        "report",
        "action",
        "committee",
        "strategy",
    }
    changes = []
    for records, label in sources:
        records = list(records.select_related("history_user").order_by("history_date"))
        previous_by_object: dict[int, object] = {}
        for record in records:
            before = previous_by_object.get(record.id)
            previous_by_object[record.id] = record
            if before is None:
                fields = [
                    (f.verbose_name, "–", _display(record, f.name, getattr(record, f.attname)))
                    for f in record.instance._meta.concrete_fields
                    if f.name not in hidden and getattr(record, f.attname) not in (None, "", False)
                ]
            else:
                delta = record.diff_against(before)
                fields = [
                    (
                        record.instance._meta.get_field(c.field).verbose_name,
                        _display(record, c.field, c.old),
                        _display(record, c.field, c.new),
                    )
                    for c in delta.changes
                    if c.field not in hidden and not record.instance._meta.get_field(c.field).many_to_many
                ]
            if fields:
                changes.append(
                    Change(when=record.history_date, who=record.history_user, what=label(record), changes=fields)
                )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes


def assessment_changes(assessment: SelfAssessment) -> list[Change]:
    """Every recorded change to the assessment and its answers, newest first."""
    return _changes(
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


def plan_changes(plan) -> list[Change]:
    """Every recorded change to an action plan, its actions and its reports."""
    reports = plan.reports.values("pk")
    return _changes(
        [
            (plan.history.all(), lambda r: _("The plan")),
            (Action.history.filter(plan_id=plan.pk), lambda r: _("Action: %(title)s") % {"title": r.title}),
            (
                ActionReport.history.filter(report_id__in=reports).select_related("action", "report__period"),
                lambda r: _("%(period)s: %(title)s") % {"period": r.report.period, "title": r.action.title},
            ),
            (
                IndicatorValue.history.filter(report_id__in=reports).select_related("indicator", "report__period"),
                lambda r: _("%(period)s: indicator %(code)s") % {"period": r.report.period, "code": r.indicator.code},
            ),
        ]
    )


# --- PDF ------------------------------------------------------------------------


class PdfUnavailable(Exception):
    """The server cannot build PDFs; the message says why and what to do instead."""


def render_pdf(html: str, *, base_url: str) -> bytes:
    """A tagged PDF (PDF/UA) of the HTML, built by WeasyPrint."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            _(
                "The PDF cannot be built on this server: WeasyPrint needs the Pango libraries "
                "(Debian: libpango-1.0-0 and libpangoft2-1.0-0). Use the print button instead. (%(error)s)"
            )
            % {"error": exc}
        ) from exc
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")


# --- Action plans and period reports ---------------------------------------------


def plan_create(*, committee, strategy: Strategy, starts_in: int, ends_in: int, user: User):
    if ActionPlan.objects.filter(committee=committee, strategy=strategy).exists():
        raise FollowUpError(_("The committee already has an action plan for this strategy."))
    if ends_in < starts_in:
        raise FollowUpError(_("The plan cannot end before it starts."))
    plan = ActionPlan(committee=committee, strategy=strategy, starts_in=starts_in, ends_in=ends_in)
    plan._history_user = user
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the same plan created a moment ago (a double click)
        raise FollowUpError(_("The committee already has an action plan for this strategy.")) from None
    return plan


def save_versioned(obj, *, values: dict, version: int, user: User, after=None, check=None) -> bool:
    """Write `values` on the stored row if its version is still `version`.

    False, with nothing written, when someone else saved it in between; the
    caller shows both versions. The values go on the locked row, so fields
    others changed meanwhile (e.g. a reopening) are kept. `check(row)` may
    refuse with FollowUpError; `after(row)` runs in the same transaction.
    """
    model = type(obj)
    with transaction.atomic():
        if obj.pk is not None:
            row = model.objects.select_for_update().get(pk=obj.pk)
            if row.version != version:
                return False
        elif version != 0:
            return False
        else:
            row = obj
        if check is not None:
            check(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.version = version + 1
        row._history_user = user
        row.save()
        obj.pk, obj.version = row.pk, row.version
        if after is not None:
            after(row)
    return True


def previous_report(plan, period):
    return (
        PeriodReport.objects.filter(plan=plan)
        .filter(Q(period__year__lt=period.year) | Q(period__year=period.year, period__deadline__lt=period.deadline))
        .order_by("-period__year", "-period__deadline")
        .first()
    )


@transaction.atomic
def report_for(*, plan, period, user: User):
    """The plan's report for a period, started from the previous report's text."""
    report, created = PeriodReport.objects.get_or_create(plan=plan, period=period)
    if created:
        before = previous_report(plan, period)
        earlier = {r.action_id: r for r in before.action_reports.all()} if before else {}
        bulk_create_with_history(
            [
                ActionReport(
                    report=report,
                    action=action,
                    status=earlier[action.pk].status if action.pk in earlier else action.status,
                    light=earlier[action.pk].light if action.pk in earlier else "",
                    comment=earlier[action.pk].comment if action.pk in earlier else "",
                )
                for action in plan.actions.all()
            ],
            ActionReport,
            default_user=user,
        )
    return report


def report_save(*, report, rows: dict[int, dict], values: dict[int, Decimal | None], version: int, user: User) -> bool:
    """Save a period report: per action status, traffic light and progress, and
    the committee-reported indicator values. False on a conflict."""

    def editable(row):
        if not row.is_editable():
            raise FollowUpError(_("The report period is past its deadline. The city office can reopen it."))

    def write_rows(saved):
        for action_id, row in rows.items():
            current = ActionReport.objects.filter(report=saved, action_id=action_id).first() or ActionReport(
                report=saved, action_id=action_id
            )
            current.status, current.light, current.comment = row["status"], row["light"], row["comment"]
            current._history_user = user
            current.save()
        for indicator_id, value in values.items():
            current = IndicatorValue.objects.filter(report=saved, indicator_id=indicator_id).first() or IndicatorValue(
                report=saved, indicator_id=indicator_id
            )
            if current.pk is None or current.value != value:
                current.value = value
                current._history_user = user
                current.save()

    return save_versioned(
        report,
        values={"updated_at": timezone.now(), "updated_by": user},
        version=version,
        user=user,
        after=write_rows,
        check=editable,
    )


@transaction.atomic
def report_reopen(*, report, user: User):
    """Let the committee edit its report after the deadline."""
    row = type(report).objects.select_for_update().get(pk=report.pk)
    row.reopened = True
    row._history_user = user
    row.save(update_fields=["reopened"])
    return row


@dataclass
class AreaRatings:
    """How the committee's schools rated a focus area in the latest follow-up."""

    year: int
    counts: list[tuple[int, str, int]]  # level, label, number of schools
    total: int
    lowest: int


def plan_overview(plan) -> list[dict]:
    """The plan by focus area and goal, goals without an action marked, and
    beside each area its schools' ratings in the latest follow-up."""
    actions = list(Action.objects.filter(plan=plan).prefetch_related("goals"))
    by_goal: dict[int, list] = {}
    for action in actions:
        for goal in action.goals.all():
            by_goal.setdefault(goal.pk, []).append(action)
    ratings = _committee_ratings(plan)
    goals_by_area: dict[int, list] = {}
    for goal in Goal.objects.filter(focus_area__strategy_id=plan.strategy_id).select_related("focus_area"):
        goals_by_area.setdefault(goal.focus_area_id, []).append(goal)
    overview = []
    for goals in sorted(goals_by_area.values(), key=lambda g: g[0].focus_area.number):
        area = goals[0].focus_area
        overview.append(
            {
                "area": area,
                "goals": [(goal, by_goal.get(goal.pk, [])) for goal in goals],
                "ratings": ratings.get(area.number),
            }
        )
    return overview


def _committee_ratings(plan) -> dict[int, AreaRatings]:
    """Per focus area number, how the committee's schools rated it in the latest
    follow-up: read from the dashboards' summary of the committee."""
    rollup = (
        Rollup.objects.filter(
            cycle__strategy_id=plan.strategy_id,
            committee_id=plan.committee_id,
            school_form="",
            ses_band__isnull=True,
        )
        .select_related("cycle__summary")
        .order_by("-cycle__year")
        .first()
    )
    if rollup is None:
        return {}
    levels = rollup.cycle.summary.meta.get("levels", [])
    ratings = {}
    for number, entry in rollup.areas.items():
        counts = [(level, label, entry["levels"].get(str(level), 0)) for level, label in levels]
        if entry["n"]:
            ratings[int(number)] = AreaRatings(
                year=rollup.cycle.year,
                counts=counts,
                total=entry["n"],
                lowest=counts[0][2] if counts else 0,
            )
    return ratings


def uncovered_goals(overview: list[dict]) -> list:
    """The goals of a plan overview that no action serves."""
    return [goal for entry in overview for goal, actions in entry["goals"] if not actions]


def plan_workbook(plan, report=None) -> bytes:
    """The plan and (if given) its report as an Excel workbook."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDE7F0", "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    date = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})

    sheet = book.add_worksheet(_("Action plan")[:31])
    headers = [_("Action"), _("Goals"), _("Responsible"), _("Start"), _("End"), _("Status"), _("Success criteria")]
    sheet.write_row(0, 0, headers, bold)
    actions = list(plan.actions.prefetch_related("goals"))
    for row, action in enumerate(actions, start=1):
        sheet.write(row, 0, action.title, wrap)
        sheet.write(row, 1, ", ".join(g.number for g in action.goals.all()), wrap)
        sheet.write(row, 2, action.responsible, wrap)
        sheet.write_datetime(row, 3, datetime.datetime.combine(action.starts_on, datetime.time()), date)
        sheet.write_datetime(row, 4, datetime.datetime.combine(action.ends_on, datetime.time()), date)
        sheet.write(row, 5, action.get_status_display(), wrap)
        sheet.write(row, 6, action.success_criteria, wrap)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 5, 14)
    sheet.set_column(6, 6, 50)
    sheet.freeze_panes(1, 0)

    gaps = book.add_worksheet(_("Goals without action")[:31])
    gaps.write_row(0, 0, [_("Goal"), _("Text")], bold)
    for row, goal in enumerate(uncovered_goals(plan_overview(plan)), start=1):
        gaps.write(row, 0, goal.number)
        gaps.write(row, 1, goal.text, wrap)
    gaps.set_column(1, 1, 80)

    if report is not None:
        sheet = book.add_worksheet(_("Report")[:31])
        sheet.write(0, 0, str(report.period), bold)
        sheet.write_row(1, 0, [_("Action"), _("Status"), _("Traffic light"), _("Progress")], bold)
        for row, entry in enumerate(report.action_reports.select_related("action"), start=2):
            sheet.write_row(
                row, 0, [entry.action.title, entry.get_status_display(), entry.get_light_display(), entry.comment], wrap
            )
        start = row + 2 if report.action_reports.exists() else 3
        sheet.write_row(start, 0, [_("Indicator"), _("Value"), _("Target")], bold)
        for offset, value in enumerate(report.indicator_values.select_related("indicator"), start=1):
            target = value.indicator.targets.filter(year=report.period.year).first()
            sheet.write_row(start + offset, 0, [str(value.indicator), value.value, target.value if target else None])
        sheet.set_column(0, 0, 40)
        sheet.set_column(3, 3, 60)
    book.close()
    return buffer.getvalue()
