"""The yearly follow-up: cycles, what each cycle asks, and the schools' self-assessments.

What a cycle asks (areas, goals, indicators, maturity levels) is copied from
the strategy when the cycle opens, so later edits to the strategy never change
a year already under way or answered.
"""

import datetime

from django.conf import settings
from django.core import validators
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from strategy.models import Direction, IndicatorUnit


class CycleQuerySet(models.QuerySet):
    def open_on(self, day: datetime.date):
        return self.filter(opens_on__lte=day, locks_on__gte=day)


class Cycle(models.Model):
    """One year's follow-up of a strategy, opened by the city office."""

    strategy = models.ForeignKey(
        "strategy.Strategy", on_delete=models.PROTECT, related_name="cycles", verbose_name=_("strategy")
    )
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    locks_on = models.DateField(
        _("locked after"), help_text=_("After this day no one edits unless the committee reopens.")
    )
    reminder_days = models.CharField(
        _("reminders, days before the deadline"),
        max_length=50,
        default="14,7,1",
        validators=[
            validators.RegexValidator(r"^\d{1,3}(,\d{1,3})*$", _("Whole numbers separated by commas, e.g. 14,7,1."))
        ],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("follow-up cycle")
        verbose_name_plural = _("follow-up cycles")
        constraints = [
            models.CheckConstraint(condition=Q(opens_on__lte=F("deadline")), name="cycle_opens_before_deadline"),
            models.CheckConstraint(condition=Q(deadline__lte=F("locks_on")), name="cycle_deadline_before_lock"),
        ]

    def __str__(self) -> str:
        return f"{_('Follow-up')} {self.year}"

    def is_locked(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.locks_on

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_days.split(",") if d.strip()}, reverse=True)

    def has_opened(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) >= self.opens_on


class CycleArea(models.Model):
    """A focus area as it was when the cycle opened, with its goals' texts."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="areas")
    focus_area = models.ForeignKey(
        "strategy.FocusArea", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    goals = models.JSONField(_("goals"), default=list, help_text="[{'number': '1.1', 'text': '…'}, …]")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "number"], name="cycle_area_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class CycleLevel(models.Model):
    """A maturity level as it was when the cycle opened."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("level"))
    label = models.CharField(_("label"), max_length=100)
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["level"]
        constraints = [models.UniqueConstraint(fields=["cycle", "level"], name="cycle_level_unique")]

    def __str__(self) -> str:
        return f"{self.level}. {self.label}"


class CycleIndicatorQuerySet(models.QuerySet):
    def for_school(self, school):
        """The indicators a school reports: the city-wide ones and its committee's own."""
        return self.filter(Q(owner__isnull=True) | Q(owner_id=school.committee_id))


class CycleIndicator(models.Model):
    """A school-reported indicator as it was when the cycle opened."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="indicators")
    area = models.ForeignKey(CycleArea, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.ForeignKey(
        "strategy.Indicator", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey("schools.Committee", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=IndicatorUnit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = CycleIndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["area__number", "position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


EDITABLE_STATUSES = (AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)
HANDED_IN_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED)


class SelfAssessmentQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(cycle__year=year)

    def pending(self):
        """Not yet handed in: not started, draft or returned."""
        return self.filter(status__in=EDITABLE_STATUSES)

    def handed_in(self):
        return self.filter(status__in=HANDED_IN_STATUSES)


class SelfAssessment(models.Model):
    """One school's self-assessment for one year."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="assessments")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.NOT_STARTED
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    approval_comment = models.TextField(_("comment on approval"), blank=True)
    reopened = models.BooleanField(
        _("reopened after the lock date"), default=False, help_text=_("Set by the committee; cleared on submission.")
    )

    objects = SelfAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cycle__year", "school__name"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "school"], name="one_self_assessment_per_school_and_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.cycle.year}"

    @property
    def is_pending(self) -> bool:
        """Not handed in: not started, draft or returned."""
        return self.status in EDITABLE_STATUSES

    def is_editable(self, today: datetime.date | None = None) -> bool:
        """Open for writing: the cycle has opened, not handed in, and not locked unless reopened."""
        if not self.is_pending or not self.cycle.has_opened(today):
            return False
        return self.reopened or not self.cycle.is_locked(today)

    def mark_draft(self) -> None:
        if self.status == AssessmentStatus.NOT_STARTED:
            SelfAssessment.objects.filter(pk=self.pk, status=AssessmentStatus.NOT_STARTED).update(
                status=AssessmentStatus.DRAFT
            )
            self.status = AssessmentStatus.DRAFT


class AreaAnswer(models.Model):
    """A school's answer for one focus area: level, texts and its indicator values.

    `version` grows by one on every save; a save that names an older version
    is a conflict with someone else's edit and is not written.
    """

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="area_answers")
    area = models.ForeignKey(CycleArea, on_delete=models.PROTECT, related_name="answers")
    level = models.PositiveSmallIntegerField(_("maturity level"), null=True, blank=True)
    done = models.TextField(_("What has been done"), blank=True)
    strengths = models.TextField(_("Strengths"), blank=True)
    next_steps = models.TextField(_("What to develop next"), blank=True)
    not_applicable = models.BooleanField(_("Does not apply to the unit"), default=False)
    not_applicable_reason = models.TextField(_("Why it does not apply"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["version", "updated_at", "updated_by"])

    class Meta:
        ordering = ["area__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="one_answer_per_area"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1), name="area_answer_level_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} – {self.area}"


class IndicatorAnswer(models.Model):
    """A school's value for one indicator, saved together with its area's answer."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="indicator_answers")
    indicator = models.ForeignKey(CycleIndicator, on_delete=models.PROTECT, related_name="answers")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="one_value_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.value}"


# --- Committees' action plans and period reports ------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")


class ActionPlanQuerySet(models.QuerySet):
    def for_committees(self, committees):
        return self.filter(committee__in=committees)


class ActionPlan(models.Model):
    """A committee's action plan for a strategy ("varje nämnd ska ta fram en handlingsplan")."""

    committee = models.ForeignKey(
        "schools.Committee", on_delete=models.PROTECT, related_name="action_plans", verbose_name=_("committee")
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
        ordering = ["committee__name", "-starts_in"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "strategy"], name="one_action_plan_per_committee_and_strategy"
            ),
            models.CheckConstraint(condition=Q(ends_in__gte=F("starts_in")), name="action_plan_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{_('Action plan')} {self.committee.name} {self.starts_in}–{self.ends_in}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    DONE = "done", _("Done")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


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

    history = HistoricalRecords(excluded_fields=["version"], m2m_fields=[goals])

    class Meta:
        ordering = ["starts_on", "title"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="action_ends_after_start"),
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
        ordering = ["-year", "kind"]
        verbose_name = _("report period")
        verbose_name_plural = _("report periods")
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="one_report_period_per_year_and_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    def is_past_deadline(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.deadline


class PeriodReport(models.Model):
    """A committee's report on its action plan for one period."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(ReportPeriod, on_delete=models.PROTECT, related_name="reports")
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
        ordering = ["-period__year", "-period__kind"]
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="one_report_per_plan_and_period")]

    def __str__(self) -> str:
        return f"{self.plan.committee.name}: {self.period}"

    def is_editable(self, today: datetime.date | None = None) -> bool:
        return self.reopened or not self.period.is_past_deadline(today)


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
        return f"{self.indicator.code}: {self.value}"


# --- Reminders ------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    ASSESSMENT_DUE = "assessment_due", _("Self-assessment due")
    ASSESSMENT_OVERDUE = "assessment_overdue", _("Self-assessment overdue")
    COMMITTEE_SUMMARY = "committee_summary", _("Summary for the committee")
    REPORT_DUE = "report_due", _("Period report due")
    MANUAL = "manual", _("Reminder sent by hand")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class ReminderQuerySet(models.QuerySet):
    def to_send(self, *, stale_before):
        """Pending, or claimed by a worker that died before finishing."""
        return self.filter(
            Q(status=ReminderStatus.PENDING) | Q(status=ReminderStatus.SENDING, claimed_at__lt=stale_before)
        )


class Reminder(models.Model):
    """One reminder to one recipient for one occasion: the outbox and the sent-log.

    The unique key (kind, occasion, recipient) makes planning the same day twice
    create nothing new; a worker claims a row with a conditional UPDATE before
    sending, so two workers never send the same row. The row, not the queue, is
    the truth: rows still pending are queued again until they are sent.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    occasion = models.CharField(_("occasion"), max_length=60)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    email = models.EmailField(_("email address"), blank=True)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders")
    period = models.ForeignKey(
        "followup.ReportPeriod", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    committee = models.ForeignKey(
        "schools.Committee", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return self.key
