"""Bringing the dashboards' summaries up to date: the write side.

`mark_changed` runs inside the transaction that changes an assessment's
status (first answer, submission, return, approval), called by the event the
follow-up sends (`core.events`), and queues a refresh once it commits. `refresh` reads the backlog,
recomputes each marked school's `SchoolResult` from its answers, then the
rollups of the committees concerned and of the city. It is safe to run twice
and by two workers at once (one waits for the other on the cycle's summary
row); the schedule runs it every minute as well, so a refresh lost with the
broker is done within a minute anyway. `rebuild` recomputes everything.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from core import events, jobs
from dashboards.models import CycleSummary, Rollup, SchoolResult, SummaryBacklog
from followup.models import HANDED_IN_STATUSES, AreaAnswer, Cycle, IndicatorAnswer, SelfAssessment
from schools.models import Committee
from strategy.models import Direction, Goal

NOT_APPLICABLE = 0  # the level stored for an area that does not apply to the school
# Queued by name: the task module imports this one.
REFRESH_TASK = "dashboards.tasks.refresh_summaries"


def mark_changed(cycle_id: int, school_ids: Iterable[int]) -> None:
    """Mark schools whose summary is out of date, and queue a refresh after commit."""
    rows = [SummaryBacklog(cycle_id=cycle_id, school_id=pk, token=uuid.uuid4()) for pk in school_ids]
    if not rows:
        return
    SummaryBacklog.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["cycle", "school"], update_fields=["token", "marked_at"]
    )
    transaction.on_commit(lambda: jobs.publish(REFRESH_TASK, cycle_id))


def mark_schools_changed(school_ids: Iterable[int]) -> None:
    """Mark schools whose committee, band or forms changed, in every year they were
    followed up (a locked year counts them where its assessments recorded them,
    so its figures stay as they were)."""
    by_cycle: dict[int, list[int]] = defaultdict(list)
    for cycle_id, school_id in SelfAssessment.objects.filter(school_id__in=list(school_ids)).values_list(
        "cycle_id", "school_id"
    ):
        by_cycle[cycle_id].append(school_id)
    for cycle_id, ids in by_cycle.items():
        mark_changed(cycle_id, ids)


@receiver(events.assessments_changed)
def _assessments_changed(sender, *, cycle_id: int, school_ids: list[int], **kwargs) -> None:
    mark_changed(cycle_id, school_ids)


@receiver(events.schools_changed)
def _schools_changed(sender, *, school_ids: list[int], **kwargs) -> None:
    mark_schools_changed(school_ids)


def target_met(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == Direction.LOWER else value >= target


def cycle_meta(cycle: Cycle) -> dict:
    """What the cycle asks, in the order a dashboard shows it."""
    return {
        "year": cycle.year,
        "deadline": cycle.deadline.isoformat(),
        "areas": [[a.number, a.title] for a in cycle.areas.all()],
        # The goals a committee's plan is asked to cover (a city-level goal is the city office's).
        "goal_count": Goal.objects.filter(focus_area__strategy_id=cycle.strategy_id).for_committee_plans().count(),
        # The city-level goals, which the city office's own plan is asked to cover.
        "city_goal_count": Goal.objects.filter(focus_area__strategy_id=cycle.strategy_id).for_city_plan().count(),
        "committees": list(
            Committee.objects.filter(assessments__cycle=cycle).distinct().order_by("name").values_list("pk", "name")
        ),
        "levels": [[lv.level, lv.label] for lv in cycle.levels.all()],
        "indicators": [
            {
                "id": i.pk,
                "code": i.code,
                "name": i.name,
                "unit": i.unit,
                "direction": i.direction,
                "target": float(i.target) if i.target is not None else None,
                "owner": i.owner_id,
            }
            for i in cycle.indicators.select_related("area")
        ],
    }


def _school_results(cycle: Cycle, school_ids: list[int] | None) -> list[SchoolResult]:
    """Results computed from the answers, for the given schools (all when None).

    A school counts where it stood in this cycle (the committee, forms and band
    recorded on its assessment), not where it is now."""
    assessments = SelfAssessment.objects.filter(cycle=cycle)
    answers = AreaAnswer.objects.filter(assessment__cycle=cycle, assessment__status__in=HANDED_IN_STATUSES)
    values = IndicatorAnswer.objects.filter(
        assessment__cycle=cycle, assessment__status__in=HANDED_IN_STATUSES, value__isnull=False
    )
    if school_ids is not None:
        assessments = assessments.filter(school_id__in=school_ids)
        answers = answers.filter(assessment__school_id__in=school_ids)
        values = values.filter(assessment__school_id__in=school_ids)
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    for assessment_id, number, level, not_applicable in answers.values_list(
        "assessment_id", "area__number", "level", "not_applicable"
    ):
        if not_applicable:
            levels[assessment_id][str(number)] = NOT_APPLICABLE
        elif level is not None:
            levels[assessment_id][str(number)] = level
    indicator_values: dict[int, dict[str, float]] = defaultdict(dict)
    for assessment_id, indicator_id, value in values.values_list("assessment_id", "indicator_id", "value"):
        indicator_values[assessment_id][str(indicator_id)] = float(value)
    deadline = cycle.deadline
    results = []
    for a in assessments.iterator(chunk_size=2000):
        handed_in = a.status in HANDED_IN_STATUSES
        on_time = None
        if handed_in and a.submitted_at is not None:
            on_time = timezone.localdate(a.submitted_at) <= deadline
        results.append(
            SchoolResult(
                cycle=cycle,
                school_id=a.school_id,
                committee_id=a.committee_id,
                ses_band=a.ses_band,
                forms="," + ",".join(sorted(a.school_forms)) + "," if a.school_forms else "",
                status=a.status,
                handed_in_at=a.submitted_at if handed_in else None,
                on_time=on_time,
                levels=levels.get(a.pk, {}),
                indicators=indicator_values.get(a.pk, {}),
            )
        )
    return results


class Tally:
    """Counts and sums for a group of schools; adds up from schools or from other tallies."""

    def __init__(self):
        self.schools = 0
        self.statuses: dict[str, int] = defaultdict(int)
        self.areas: dict[str, dict] = {}
        self.indicators: dict[str, dict] = {}

    def add_school(self, result: SchoolResult, targets: dict[str, tuple[float | None, str]]) -> None:
        self.schools += 1
        self.statuses[result.status] += 1
        if result.on_time is True:
            self.statuses["on_time"] += 1
        elif result.on_time is False:
            self.statuses["after_deadline"] += 1
        for number, level in result.levels.items():
            area = self.areas.setdefault(number, {"n": 0, "sum": 0, "na": 0, "levels": {}})
            if level == NOT_APPLICABLE:
                area["na"] += 1
            else:
                area["n"] += 1
                area["sum"] += level
                area["levels"][str(level)] = area["levels"].get(str(level), 0) + 1
        for indicator_id, value in result.indicators.items():
            entry = self.indicators.setdefault(indicator_id, {"n": 0, "sum": 0.0, "met": 0})
            entry["n"] += 1
            entry["sum"] += value
            target, direction = targets.get(indicator_id, (None, ""))
            if target is not None and target_met(value, target, direction):
                entry["met"] += 1

    def add(self, other: Rollup) -> None:
        self.schools += other.schools
        for status, n in other.statuses.items():
            self.statuses[status] += n
        for number, theirs in other.areas.items():
            area = self.areas.setdefault(number, {"n": 0, "sum": 0, "na": 0, "levels": {}})
            for name in ("n", "sum", "na"):
                area[name] += theirs[name]
            for level, n in theirs["levels"].items():
                area["levels"][level] = area["levels"].get(level, 0) + n
        for indicator_id, theirs in other.indicators.items():
            entry = self.indicators.setdefault(indicator_id, {"n": 0, "sum": 0.0, "met": 0})
            for name in ("n", "sum", "met"):
                entry[name] += theirs[name]

    def as_rollup(self, cycle: Cycle, *, committee_id: int | None, form: str, band: int | None) -> Rollup:
        return Rollup(
            cycle=cycle,
            key=Rollup.key_for(committee_id, form, band),
            committee_id=committee_id,
            school_form=form,
            ses_band=band,
            schools=self.schools,
            statuses=dict(self.statuses),
            areas=self.areas,
            indicators=self.indicators,
        )


def _groups(result: SchoolResult) -> list[tuple[str, int | None]]:
    """The (form, band) groups a school counts in: all and each of its forms, by all bands and its own."""
    forms = [""] + [f for f in result.forms.split(",") if f]
    band = result.ses_band or 0
    return [(form, b) for form in forms for b in (None, band)]


def _committee_rollups(cycle: Cycle, committee_ids: set[int], targets) -> list[Rollup]:
    tallies: dict[tuple[int, str, int | None], Tally] = defaultdict(Tally)
    for result in SchoolResult.objects.filter(cycle=cycle, committee_id__in=committee_ids).iterator(chunk_size=2000):
        for form, band in _groups(result):
            tallies[(result.committee_id, form, band)].add_school(result, targets)
    return [
        tally.as_rollup(cycle, committee_id=committee_id, form=form, band=band)
        for (committee_id, form, band), tally in tallies.items()
    ]


def _city_rollups(cycle: Cycle) -> list[Rollup]:
    tallies: dict[tuple[str, int | None], Tally] = defaultdict(Tally)
    for rollup in Rollup.objects.filter(cycle=cycle, committee__isnull=False).iterator(chunk_size=2000):
        tallies[(rollup.school_form, rollup.ses_band)].add(rollup)
    return [tally.as_rollup(cycle, committee_id=None, form=form, band=band) for (form, band), tally in tallies.items()]


def indicator_targets(meta: dict) -> dict[str, tuple[float | None, str]]:
    """Each indicator's target and direction, by cycle indicator id, from a cycle's summary."""
    return {str(i["id"]): (i["target"], i["direction"]) for i in meta.get("indicators", [])}


def _lock_summary(cycle: Cycle) -> CycleSummary:
    """The cycle's summary row, locked: refreshes of one cycle run one at a time."""
    # By id: a summary object made from the instance would be cached on it, stale after this refresh.
    CycleSummary.objects.get_or_create(cycle_id=cycle.pk)
    return CycleSummary.objects.select_for_update().get(cycle_id=cycle.pk)


def _store(cycle: Cycle, summary: CycleSummary, results: list[SchoolResult], committee_ids: set[int] | None) -> None:
    summary.meta = cycle_meta(cycle)
    targets = indicator_targets(summary.meta)
    school_ids = [r.school_id for r in results]
    if committee_ids is None:
        SchoolResult.objects.filter(cycle=cycle).delete()
    else:
        SchoolResult.objects.filter(cycle=cycle, school_id__in=school_ids).delete()
    SchoolResult.objects.bulk_create(results, batch_size=2000)
    if committee_ids is None:
        committee_ids = set(SchoolResult.objects.filter(cycle=cycle).values_list("committee_id", flat=True))
        Rollup.objects.filter(cycle=cycle).delete()
    else:
        Rollup.objects.filter(cycle=cycle, committee_id__in=committee_ids).delete()
    Rollup.objects.bulk_create(_committee_rollups(cycle, committee_ids, targets), batch_size=2000)
    Rollup.objects.filter(cycle=cycle, committee__isnull=True).delete()
    Rollup.objects.bulk_create(_city_rollups(cycle), batch_size=2000)
    summary.refreshed_at = timezone.now()
    summary.save()


def refresh(cycle_id: int) -> int:
    """Bring the summaries of the schools marked in this cycle up to date; returns how many."""
    cycle = Cycle.objects.get(pk=cycle_id)
    with transaction.atomic():
        summary = _lock_summary(cycle)
        marks = list(SummaryBacklog.objects.filter(cycle=cycle).values_list("school_id", "token"))
        if not marks:
            return 0
        school_ids = [school_id for school_id, _token in marks]
        results = _school_results(cycle, school_ids)
        # A school that moved keeps counting where it was until its old committee is rebuilt too.
        before = set(
            SchoolResult.objects.filter(cycle=cycle, school_id__in=school_ids).values_list("committee_id", flat=True)
        )
        # A school no longer in the cycle (its assessment moved to the unit it merged into) counts nowhere.
        SchoolResult.objects.filter(cycle=cycle, school_id__in=school_ids).exclude(
            school_id__in=[r.school_id for r in results]
        ).delete()
        _store(cycle, summary, results, before | {r.committee_id for r in results})
        SummaryBacklog.objects.filter(token__in=[token for _school, token in marks]).delete()
    return len(marks)


def refresh_all_marked() -> int:
    """Every cycle with marked schools (what the schedule runs each minute)."""
    cycle_ids = set(SummaryBacklog.objects.values_list("cycle_id", flat=True))
    return sum(refresh(cycle_id) for cycle_id in sorted(cycle_ids))


def sweep() -> int:
    """The summaries' part of the every-minute sweep (core.jobs): queue a refresh
    for each cycle with marked schools. A mark is the job's row; a refresh claims
    a cycle by locking its summary row, a claim that ends with the worker's
    connection, so nothing is held by a worker that died."""
    queued = 0
    for cycle_id in sorted(set(SummaryBacklog.objects.values_list("cycle_id", flat=True))):
        if not jobs.publish(REFRESH_TASK, cycle_id):
            break
        queued += 1
    return queued


def rebuild(cycle: Cycle) -> int:
    """Recompute every summary of the cycle from the answers; returns the number of schools."""
    with transaction.atomic():
        summary = _lock_summary(cycle)
        tokens = list(SummaryBacklog.objects.filter(cycle=cycle).values_list("token", flat=True))
        results = _school_results(cycle, None)
        _store(cycle, summary, results, None)
        SummaryBacklog.objects.filter(token__in=tokens).delete()
    return len(results)
