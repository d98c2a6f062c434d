"""Workflows of the committees' action plans: creating and saving a plan and its
actions, starting, saving and reopening period reports, and reading a plan by
focus area and goal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from actionplans.models import (
    Action,
    ActionPlan,
    ActionReport,
    IndicatorValue,
    PeriodReport,
    ReportPeriod,
    ReportStatus,
)
from core import history, versioning
from followup import services as followup
from schools.models import Committee
from strategy.models import Goal, Strategy


class PlanError(Exception):
    """A step that is not allowed now; the message is for the user."""


# --- Plans and actions ------------------------------------------------------------


def plan_create(
    *, committee: Committee | None, strategy: Strategy, starts_in: int, ends_in: int, user: User
) -> ActionPlan:
    """A committee's plan, or with no committee the city office's plan for the city's goals."""
    taken = (
        _("The city office already has a plan for this strategy's city goals.")
        if committee is None
        else _("The committee already has an action plan for this strategy.")
    )
    if ActionPlan.objects.filter(committee=committee, strategy=strategy).exists():
        raise PlanError(taken)
    if ends_in < starts_in:
        raise PlanError(_("The plan cannot end before it starts."))
    plan = ActionPlan(committee=committee, strategy=strategy, starts_in=starts_in, ends_in=ends_in)
    plan._history_user = user
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the same plan created a moment ago (a double click)
        raise PlanError(taken) from None
    return plan


PLAN_FIELDS = ("starts_in", "ends_in", "status", "decided_on", "registry_number")
ACTION_FIELDS = ("title", "description", "goals", "responsible", "starts_on", "ends_on", "success_criteria", "status")


def plan_snapshot(plan: ActionPlan) -> dict:
    """The plan's own fields as its form edits them (see `core.versioning`)."""
    return {name: getattr(plan, name) for name in PLAN_FIELDS}


def _set_and_save(row: models.Model, changes: dict) -> None:
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()


def plan_save(
    *, plan: ActionPlan, values: dict, version: int, user: User, base: dict | None = None, keep_mine: int | None = None
) -> versioning.Outcome:
    """Save the plan's own fields (period, status, decision) with a version:
    saved, merged with another edit of other fields, or a conflict."""
    return versioning.versioned_save(
        lock=lambda: ActionPlan.objects.select_for_update().get(pk=plan.pk),
        read=plan_snapshot,
        write=_set_and_save,
        values=values,
        base=base,
        version=version,
        user=user,
        keep_mine=keep_mine,
    )


def action_snapshot(action: Action) -> dict:
    """The action's fields as its form edits them, the goals as their ids."""
    snapshot = {name: getattr(action, name) for name in ACTION_FIELDS if name != "goals"}
    snapshot["goals"] = sorted(action.goals.values_list("pk", flat=True)) if action.pk else []
    return snapshot


class ActionFormTaken(PlanError):
    """The token of a new-action form that created another user's or another plan's action."""


def action_save(
    *,
    action: Action,
    values: dict,
    version: int,
    user: User,
    base: dict | None = None,
    keep_mine: int | None = None,
    draft_token: uuid.UUID | None = None,
) -> versioning.Outcome:
    """Save an action (new when it has no pk) with the goals it serves, with a
    version: saved, merged with another edit of other fields, or a conflict.

    A new action posted with the token of the form it was typed in
    (`draft_token`) is created once: that form posted again, from this tab or
    another with the same draft, saves the action it created, with the same
    versioning as an edit. A token that created another user's or another
    plan's action raises ActionFormTaken, and nothing is saved.
    """
    with transaction.atomic():
        if action.pk is None and draft_token is not None:
            # One creation at a time per plan, so a double click finds the first one's action.
            ActionPlan.objects.select_for_update().get(pk=action.plan_id)
            created = Action.objects.filter(draft_token=draft_token).values("pk", "plan_id", "created_by_id").first()
            if created is None:
                action.draft_token, action.created_by = draft_token, user
            elif created["plan_id"] != action.plan_id or created["created_by_id"] != user.pk:
                raise ActionFormTaken(_("This form belongs to another action. Open a new action form."))
            else:
                action.pk = created["pk"]

        def lock() -> Action:
            if action.pk is None:
                return action
            return Action.objects.select_for_update().get(pk=action.pk)

        def write(row: Action, changes: dict) -> None:
            _set_and_save(row, {name: value for name, value in changes.items() if name != "goals"})
            if "goals" in changes:
                row.goals.set(changes["goals"])
            action.pk, action.version = row.pk, row.version

        try:
            return versioning.versioned_save(
                lock=lock,
                read=action_snapshot,
                write=write,
                values=values,
                base=base,
                version=version,
                user=user,
                keep_mine=keep_mine,
            )
        except IntegrityError:
            if action.draft_token is None:
                raise
            # The token was taken in the same instant by another plan's form.
            raise ActionFormTaken(_("This form belongs to another action. Open a new action form.")) from None


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


def period_report_snapshot(report: PeriodReport, *, actions: list[Action], indicator_ids: list[int]) -> dict:
    """A period report as its form edits it: per action `status_<id>`,
    `light_<id>` and `comment_<id>`, per indicator `value_<id>`. A report not
    yet saved starts from the previous one (`period_report_starting_rows`)."""
    if report.pk is None:
        rows = period_report_starting_rows(report.plan, report.period)
        values: dict = {}
    else:
        rows = {r.action_id: r for r in report.action_reports.filter(action__in=actions)}
        values = dict(
            report.indicator_values.filter(indicator_id__in=indicator_ids).values_list("indicator_id", "value")
        )
    snapshot: dict = {}
    for action in actions:
        row = rows.get(action.pk)
        snapshot[f"status_{action.pk}"] = row.status if row else action.status
        snapshot[f"light_{action.pk}"] = row.light if row else ""
        snapshot[f"comment_{action.pk}"] = row.comment if row else ""
    for indicator_id in indicator_ids:
        snapshot[f"value_{indicator_id}"] = values.get(indicator_id)
    return snapshot


def period_report_save(
    *,
    report: PeriodReport,
    rows: dict[int, dict],
    values: dict[int, Decimal | None],
    version: int,
    user: User,
    base: dict | None = None,
    keep_mine: int | None = None,
) -> versioning.Outcome:
    """Save a period report: per action status, traffic light and progress, and
    the committee-reported indicator values, with a version: saved, merged with
    another edit of other fields, or a conflict."""
    actions = list(Action.objects.filter(plan_id=report.plan_id, pk__in=list(rows)))
    indicator_ids = list(values)
    mine: dict = {}
    for action_id, row in rows.items():
        mine.update({f"{name}_{action_id}": row[name] for name in ("status", "light", "comment")})
    mine.update({f"value_{indicator_id}": value for indicator_id, value in values.items()})

    def lock() -> PeriodReport:
        if report.pk is None:  # a period past its deadline is shown, never started
            row = report
        else:
            row = (
                PeriodReport.objects.select_for_update(of=("self",)).select_related("period", "plan").get(pk=report.pk)
            )
        if row.is_handed_in:
            raise PlanError(_("The report is handed in; the city office can return it to the committee."))
        if not row.is_editable():
            raise PlanError(_("The report period is past its deadline. The city office can reopen it."))
        return row

    def write(saved: PeriodReport, changes: dict) -> None:
        saved.save()
        touched = {int(name.rsplit("_", 1)[1]) for name in changes if not name.startswith("value_")}
        for action_id in touched:
            current = ActionReport.objects.filter(report=saved, action_id=action_id).first() or ActionReport(
                report=saved, action_id=action_id, status=mine[f"status_{action_id}"]
            )
            for name in ("status", "light", "comment"):
                key = f"{name}_{action_id}"
                if key in changes:
                    setattr(current, name, changes[key])
            current._history_user = user
            current.save()
        for name, value in changes.items():
            if not name.startswith("value_"):
                continue
            indicator_id = int(name.removeprefix("value_"))
            current = IndicatorValue.objects.filter(report=saved, indicator_id=indicator_id).first() or IndicatorValue(
                report=saved, indicator_id=indicator_id
            )
            current.value = value
            current._history_user = user
            current.save()
        report.version = saved.version

    return versioning.versioned_save(
        lock=lock,
        read=lambda row: period_report_snapshot(row, actions=actions, indicator_ids=indicator_ids),
        write=write,
        values=mine,
        base=base,
        version=version,
        user=user,
        keep_mine=keep_mine,
    )


@transaction.atomic
def period_report_reopen(*, report: PeriodReport, user: User) -> PeriodReport:
    """Let the committee edit its report after the deadline."""
    row = PeriodReport.objects.select_for_update().get(pk=report.pk)
    row.reopened = True
    row._history_user = user
    row.save(update_fields=["reopened"])
    return row


@transaction.atomic
def period_report_submit(*, report: PeriodReport, user: User) -> PeriodReport:
    """The committee hands in its report; handing in twice records one submission."""
    row = PeriodReport.objects.select_for_update().select_related("period").get(pk=report.pk)
    if row.is_handed_in:
        return row
    if not row.is_editable():
        raise PlanError(_("The report period is past its deadline. The city office can reopen it."))
    if row.updated_at is None:
        raise PlanError(_("Save the report before handing it in."))
    row.submit(by=user)
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def period_report_return(*, report: PeriodReport, user: User, reason: str) -> PeriodReport:
    """The city office returns a handed-in report to the committee with a reason;
    the committee can edit it again, even after the deadline."""
    row = PeriodReport.objects.select_for_update().get(pk=report.pk)
    if not row.is_handed_in:
        raise PlanError(_("Only a handed-in report can be returned."))
    if not reason.strip():
        raise PlanError(_("Give a reason for returning the report."))
    row.send_back(by=user, reason=reason.strip())
    row.reopened = True
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def period_report_approve(*, report: PeriodReport, user: User, comment: str = "") -> PeriodReport:
    """The city office approves a handed-in report."""
    row = PeriodReport.objects.select_for_update().get(pk=report.pk)
    if row.status != ReportStatus.SUBMITTED:
        raise PlanError(_("Only a handed-in report can be approved."))
    row.approve(by=user, comment=comment.strip())
    row._history_user = user
    row.save()
    return row


@dataclass
class PeriodOverviewRow:
    plan: ActionPlan
    report: PeriodReport | None

    @property
    def status_display(self) -> str:
        return self.report.get_status_display() if self.report else str(_("Not started"))

    @property
    def is_handed_in(self) -> bool:
        return bool(self.report and self.report.is_handed_in)


def period_overview(period: ReportPeriod) -> list[PeriodOverviewRow]:
    """Who has reported for a period: every action plan whose years include the
    period's year, with its report (or none yet), by committee."""
    plans = (
        ActionPlan.objects.filter(starts_in__lte=period.year, ends_in__gte=period.year)
        .select_related("committee", "strategy")
        .order_by(F("committee__name").asc(nulls_first=True), "strategy__title")
    )
    reports = {r.plan_id: r for r in period.reports.select_related("submitted_by")}
    return [PeriodOverviewRow(plan=plan, report=reports.get(plan.pk)) for plan in plans]


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


def plan_uncovered_goals(plan: ActionPlan, overview: list[dict]) -> list[Goal]:
    """The goals of a plan overview that the plan is asked to cover and no action
    serves: a committee's plan the committee's and schools' goals, the city
    office's plan the city's."""
    city = plan.is_city_plan
    return [
        goal for entry in overview for goal, actions in entry["goals"] if not actions and goal.is_for_plan(city=city)
    ]


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
