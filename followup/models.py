"""The yearly follow-up: cycles, what each cycle asks, and the schools' self-assessments.

What a cycle asks (areas, goals, indicators, maturity levels) is copied from
the strategy when the cycle opens, so later edits to the strategy never change
a year already under way or answered.
"""

import datetime

from django.conf import settings
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


class SelfAssessmentQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(cycle__year=year)

    def pending(self):
        """Not yet handed in: not started, draft or returned."""
        return self.filter(status__in=EDITABLE_STATUSES)

    def handed_in(self):
        return self.filter(status__in=(AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED))


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

    def is_editable(self, today: datetime.date | None = None) -> bool:
        """Open for writing: not handed in, and the cycle not locked unless reopened."""
        if self.status not in EDITABLE_STATUSES:
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
