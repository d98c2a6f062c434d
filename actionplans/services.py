"""Workflows of the committees' action plans: creating and saving a plan and its
actions, starting, saving and reopening period reports, and reading a plan by
focus area and goal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from actionplans.models import Action, ActionPlan, ActionReport, IndicatorValue, PeriodReport, ReportPeriod
from core import history
from followup import services as followup
from schools.models import Committee
from strategy.models import Goal, Strategy


class PlanError(Exception):
    """A step that is not allowed now; the message is for the user."""


# --- Plans and actions ------------------------------------------------------------


def plan_create(*, committee: Committee, strategy: Strategy, starts_in: int, ends_in: int, user: User) -> ActionPlan:
    if ActionPlan.objects.filter(committee=committee, strategy=strategy).exists():
        raise PlanError(_("The committee already has an action plan for this strategy."))
    if ends_in < starts_in:
        raise PlanError(_("The plan cannot end before it starts."))
    plan = ActionPlan(committee=committee, strategy=strategy, starts_in=starts_in, ends_in=ends_in)
    plan._history_user = user
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the same plan created a moment ago (a double click)
        raise PlanError(_("The committee already has an action plan for this strategy.")) from None
    return plan


def versioned_save(
    obj: models.Model,
    *,
    values: dict,
    version: int,
    user: User,
    after: Callable[[models.Model], None] | None = None,
    check: Callable[[models.Model], None] | None = None,
) -> bool:
    """Write `values` on the stored row if its version is still `version`.

    False, with nothing written, when someone else saved it in between; the
    caller shows both versions. The values go on the locked row, so fields
    others changed meanwhile (e.g. a reopening) are kept. `check(row)` may
    refuse with PlanError; `after(row)` runs in the same transaction.
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


def plan_save(*, plan: ActionPlan, values: dict, version: int, user: User) -> bool:
    """Save the plan's own fields (period, status, decision); False on a conflict."""
    return versioned_save(plan, values=values, version=version, user=user)


def action_save(*, action: Action, values: dict, goals, version: int, user: User) -> bool:
    """Save an action (new when it has no pk) with the goals it serves; False on a conflict."""
    return versioned_save(action, values=values, version=version, user=user, after=lambda saved: saved.goals.set(goals))


# --- Period reports ---------------------------------------------------------------


def period_report_previous(plan: ActionPlan, period: ReportPeriod) -> PeriodReport | None:
    """The plan's report for the period before `period`, if any."""
    return (
        PeriodReport.objects.filter(plan=plan)
        .filter(Q(period__year__lt=period.year) | Q(period__year=period.year, period__deadline__lt=period.deadline))
        .order_by("-period__year", "-period__deadline")
        .first()
    )


@dataclass
class StartingRow:
    status: str
    light: str
    comment: str


def period_report_starting_rows(plan: ActionPlan, period: ReportPeriod) -> dict[int, StartingRow]:
    """Where a new period report starts, per action id: the previous report's
    status, light and progress, or the action's own status."""
    before = period_report_previous(plan, period)
    earlier = {r.action_id: r for r in before.action_reports.all()} if before else {}
    rows = {}
    for action in plan.actions.all():
        row = earlier.get(action.pk)
        rows[action.pk] = (
            StartingRow(status=row.status, light=row.light, comment=row.comment)
            if row
            else StartingRow(status=action.status, light="", comment="")
        )
    return rows


@transaction.atomic
def period_report_start(*, plan: ActionPlan, period: ReportPeriod, user: User) -> PeriodReport:
    """The plan's report for a period, started from the previous report's text."""
    report, created = PeriodReport.objects.get_or_create(plan=plan, period=period)
    if created:
        bulk_create_with_history(
            [
                ActionReport(
                    report=report, action_id=action_id, status=row.status, light=row.light, comment=row.comment
                )
                for action_id, row in period_report_starting_rows(plan, period).items()
            ],
            ActionReport,
            default_user=user,
        )
    return report


def period_report_save(
    *, report: PeriodReport, rows: dict[int, dict], values: dict[int, Decimal | None], version: int, user: User
) -> bool:
    """Save a period report: per action status, traffic light and progress, and
    the committee-reported indicator values. False on a conflict."""

    def editable(row):
        if not row.is_editable():
            raise PlanError(_("The report period is past its deadline. The city office can reopen it."))

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

    return versioned_save(
        report,
        values={"updated_at": timezone.now(), "updated_by": user},
        version=version,
        user=user,
        after=write_rows,
        check=editable,
    )


@transaction.atomic
def period_report_reopen(*, report: PeriodReport, user: User) -> PeriodReport:
    """Let the committee edit its report after the deadline."""
    row = PeriodReport.objects.select_for_update().get(pk=report.pk)
    row.reopened = True
    row._history_user = user
    row.save(update_fields=["reopened"])
    return row


def period_report_latest(plan: ActionPlan) -> PeriodReport | None:
    return plan.reports.select_related("period").order_by("-period__year", "-period__deadline").first()


# --- Reading a plan ---------------------------------------------------------------


def plan_overview(plan: ActionPlan) -> list[dict]:
    """The plan by focus area and goal, goals without an action marked, and
    beside each area its schools' ratings in the latest follow-up."""
    actions = list(Action.objects.filter(plan=plan).prefetch_related("goals"))
    by_goal: dict[int, list] = {}
    for action in actions:
        for goal in action.goals.all():
            by_goal.setdefault(goal.pk, []).append(action)
    ratings = followup.committee_area_ratings(committee_id=plan.committee_id, strategy_id=plan.strategy_id)
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


def plan_uncovered_goals(overview: list[dict]) -> list[Goal]:
    """The goals of a plan overview that no action serves."""
    return [goal for entry in overview for goal, actions in entry["goals"] if not actions]


def plan_changes(plan: ActionPlan) -> list[history.Change]:
    """Every recorded change to an action plan, its actions and its reports."""
    reports = plan.reports.values("pk")
    return history.changes(
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
