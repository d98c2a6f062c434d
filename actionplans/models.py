"""Committees' action plans for a strategy, the city office's plan for the
city's own goals, their actions, and the period reports (T1, T2, annual
report) in which progress is reported."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from strategy.models import IndicatorUnit


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")


class ActionPlanQuerySet(models.QuerySet):
    def for_committees(self, committees):
        return self.filter(committee__in=committees)

    def of_committees(self):
        """The committees' plans, without the city office's."""
        return self.filter(committee__isnull=False)


class ActionPlan(models.Model):
    """A committee's action plan for a strategy ("varje nämnd ska ta fram en
    handlingsplan"), or, without a committee, the city office's plan for the
    strategy's city-level goals ("Kommunstyrelsen följer upp …")."""

    committee = models.ForeignKey(
        "schools.Committee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("committee"),
        help_text=_("Empty for the city office's plan for the city's own goals."),
    )
    strategy = models.ForeignKey(
        "strategy.Strategy", on_delete=models.PROTECT, related_name="action_plans", verbose_name=_("strategy")
    )
    starts_in = models.PositiveSmallIntegerField(_("from year"))
    ends_in = models.PositiveSmallIntegerField(_("to year"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    registry_number = models.CharField(_("registry number"), max_length=50, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ActionPlanQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = [F("committee__name").asc(nulls_first=True), "-starts_in"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "strategy"], name="one_action_plan_per_committee_and_strategy"
            ),
            models.UniqueConstraint(
                fields=["strategy"], condition=Q(committee__isnull=True), name="one_city_plan_per_strategy"
            ),
            models.CheckConstraint(condition=Q(ends_in__gte=F("starts_in")), name="action_plan_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{_('Action plan')} {self.owner_name} {self.starts_in}–{self.ends_in}"

    @property
    def is_city_plan(self) -> bool:
        return self.committee_id is None

    @property
    def owner_name(self) -> str:
        """Whose plan it is: the committee's name, or the city office."""
        return str(_("The city office")) if self.is_city_plan else self.committee.name

    @property
    def file_stem(self) -> str:
        """The start of its exported files' names."""
        owner = "stadsledningskontoret" if self.is_city_plan else self.committee.code
        return f"handlingsplan-{owner}-{self.starts_in}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    DONE = "done", _("Done")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class ActionQuerySet(models.QuerySet):
    def created_in_form(self, *, token: str, user) -> "ActionQuerySet":
        """The action a user's new-action form (its token) created, if any."""
        try:
            token = uuid.UUID(str(token))
        except ValueError:
            return self.none()
        return self.filter(draft_token=token, created_by=user)


class Action(models.Model):
    """An action (åtgärd) in an action plan, serving one or more of the strategy's goals."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    goals = models.ManyToManyField("strategy.Goal", related_name="actions", verbose_name=_("goals"))
    responsible = models.CharField(_("responsible"), max_length=200, help_text=_("A role or a name."))
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    success_criteria = models.TextField(_("success criteria"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    version = models.PositiveIntegerField(default=0)
    # The new-action form it was typed in, and by whom: that form posted again
    # (a double click, a retry after logging in again, a second tab with the
    # same draft) saves this action instead of creating another.
    draft_token = models.UUIDField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "draft_token", "created_by"], m2m_fields=[goals])

    class Meta:
        ordering = ["starts_on", "title"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="action_ends_after_start"),
            models.UniqueConstraint(fields=["draft_token"], name="one_action_per_new_action_form"),
        ]

    def __str__(self) -> str:
        return self.title


class PeriodKind(models.TextChoices):
    T1 = "t1", _("Period report 1 (January–April)")
    T2 = "t2", _("Period report 2 (January–August)")
    ANNUAL = "annual", _("Annual report")


class ReportPeriod(models.Model):
    """A reporting occasion set up by the city office, with its deadline."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("report"), max_length=10, choices=PeriodKind.choices)
    deadline = models.DateField(_("deadline"))

    class Meta:
        ordering = ["-year", "deadline"]  # in date order within a year
        verbose_name = _("report period")
        verbose_name_plural = _("report periods")
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="one_report_period_per_year_and_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    def is_past_deadline(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.deadline


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("period report status", "Handed in")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


REPORT_EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
REPORT_HANDED_IN_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


class PeriodReport(models.Model):
    """A committee's report on its action plan for one period: written, handed
    in, and returned with a reason or approved by the city office."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(ReportPeriod, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("handed in"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    approval_comment = models.TextField(_("comment on approval"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened = models.BooleanField(
        _("reopened by the city office"), default=False, help_text=_("Lets the committee edit after the deadline.")
    )
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["version", "updated_at", "updated_by"])

    class Meta:
        ordering = ["-period__year", "period__deadline"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="one_report_per_plan_and_period"),
            models.CheckConstraint(
                condition=Q(status__in=["draft"]) | Q(submitted_at__isnull=False),
                name="period_report_handed_in_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.owner_name}: {self.period}"

    def is_editable(self, today: datetime.date | None = None) -> bool:
        """Written by the committee: not handed in, and before the deadline unless reopened."""
        if self.status not in REPORT_EDITABLE_STATUSES:
            return False
        return self.reopened or not self.period.is_past_deadline(today)

    @property
    def is_handed_in(self) -> bool:
        return self.status in REPORT_HANDED_IN_STATUSES

    def submit(self, *, by) -> None:
        """Handed in by the committee; the caller saves."""
        self.status, self.submitted_at, self.submitted_by = ReportStatus.SUBMITTED, timezone.now(), by

    def send_back(self, *, by, reason: str) -> None:
        """Returned to the committee with a reason; the caller saves."""
        self.status, self.return_reason = ReportStatus.RETURNED, reason
        self.reviewed_at, self.reviewed_by = timezone.now(), by

    def approve(self, *, by, comment: str = "") -> None:
        """Approved by the city office; the caller saves."""
        self.status, self.approval_comment = ReportStatus.APPROVED, comment
        self.reviewed_at, self.reviewed_by = timezone.now(), by


class TrafficLight(models.TextChoices):
    GREEN = "green", _("Green – on track")
    YELLOW = "yellow", _("Yellow – at risk")
    RED = "red", _("Red – off track")


class ActionReport(models.Model):
    """How one action stands in a period report."""

    report = models.ForeignKey(PeriodReport, on_delete=models.CASCADE, related_name="action_reports")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices)
    light = models.CharField(_("traffic light"), max_length=10, choices=TrafficLight.choices, blank=True)
    comment = models.TextField(_("progress"), blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "action"], name="one_report_per_action_and_period")]

    def __str__(self) -> str:
        return f"{self.report.period}: {self.action}"


class IndicatorValue(models.Model):
    """A committee-reported indicator's value in a period report."""

    report = models.ForeignKey(PeriodReport, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey("strategy.Indicator", on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator_and_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.value_display}"

    @property
    def value_display(self) -> str:
        """ "Ja"/"Nej" for a yes/no indicator, the number otherwise."""
        return IndicatorUnit(self.indicator.unit).display_value(self.value)


# --- Reminders ------------------------------------------------------------------
