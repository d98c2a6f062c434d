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
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outbox.models import MailStatus
from schools.models import SchoolForm, SocioEconomicBand
from strategy.models import Direction, IndicatorUnit, OrganisationLevel


class CycleQuerySet(models.QuerySet):
    def open_on(self, day: datetime.date):
        return self.filter(opens_on__lte=day, locks_on__gte=day)


class Cycle(models.Model):
    """One follow-up of a strategy in a year, opened by the city office.

    A year may hold several: one per strategy, or one strategy's follow-up of
    some committees or school forms only (empty: all of them). A school is in
    at most one follow-up of a strategy per year (`followup.cycles.cycle_open`).
    """

    strategy = models.ForeignKey(
        "strategy.Strategy", on_delete=models.PROTECT, related_name="cycles", verbose_name=_("strategy")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    committees = models.ManyToManyField(
        "schools.Committee",
        blank=True,
        related_name="+",
        verbose_name=_("committees"),
        help_text=_("None chosen: every committee."),
    )
    school_forms = models.JSONField(
        _("school forms"), default=list, blank=True, help_text=_("None chosen: every school form.")
    )
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
    # The dates can be moved by the city office; each move is recorded.
    history = HistoricalRecords()

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("follow-up cycle")
        verbose_name_plural = _("follow-up cycles")
        constraints = [
            models.CheckConstraint(condition=Q(opens_on__lte=F("deadline")), name="cycle_opens_before_deadline"),
            models.CheckConstraint(condition=Q(deadline__lte=F("locks_on")), name="cycle_deadline_before_lock"),
        ]

    def __str__(self) -> str:
        scope = self.scope_display()
        return f"{_('Follow-up')} {self.year}" + (f" ({scope})" if scope else "")

    _committee_names: list[str] | None = None

    def scope_display(self) -> str:
        """The school forms and committees followed up, or "" for all of them."""
        labels = dict(SchoolForm.choices)
        parts = [", ".join(str(labels.get(f, f)) for f in self.school_forms)] if self.school_forms else []
        if self.pk and self._committee_names is None:
            # Read once per instance (a page names the follow-up several times).
            self._committee_names = [c.name for c in self.committees.all()]
        if self._committee_names:
            parts.append(", ".join(self._committee_names))
        return "; ".join(parts)

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

    @property
    def school_goals(self) -> list[dict]:
        """The goals the strategy sets for the school itself, which the principal's form shows apart."""
        return [goal for goal in self.goals if goal.get("level") == OrganisationLevel.SCHOOL]


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
        """The indicators a school reports: the city-wide ones and its committee's own
        (the same rule as `CycleIndicator.is_reported_by`)."""
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

    def is_reported_by(self, reporter) -> bool:
        """Whether `reporter` reports this indicator: city-wide ones and its committee's own.
        `reporter` is a self-assessment (the committee its school had in that
        follow-up) or a school (its committee now)."""
        return self.owner_id is None or self.owner_id == reporter.committee_id


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


EDITABLE_STATUSES = (AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)
HANDED_IN_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED)
# The version (core.versions) of the self-assessments as the lists count them: it changes with
# every `assessments_changed` (a new follow-up, a first answer, a submission, return or approval).
ASSESSMENTS = "assessments"


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
    # Where the school stood in this follow-up: recorded when the cycle opens,
    # following a change to the school while the cycle is open, never changed
    # after it is locked (followup.school_history). Dashboards, reports and
    # the committees' lists count the assessment by these, not by the school now.
    committee = models.ForeignKey(
        "schools.Committee", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("committee")
    )
    school_forms = models.JSONField(_("school forms"), default=list, blank=True)
    ses_band = models.PositiveSmallIntegerField(
        _("socio-economic index band"), choices=SocioEconomicBand.choices, null=True, blank=True
    )
    pupil_count = models.PositiveIntegerField(_("number of pupils"), null=True, blank=True)
    school_active = models.BooleanField(_("school unit active"), default=True)
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
            models.CheckConstraint(
                condition=Q(ses_band__isnull=True) | Q(ses_band__gte=1, ses_band__lte=5),
                name="assessment_ses_band_1_to_5",
            ),
        ]
        # Who has handed in: counted per cycle and status.
        indexes = [
            models.Index(fields=["cycle", "status"], name="assessment_cycle_status"),
            models.Index(fields=["cycle", "committee"], name="assessment_cycle_committee"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.cycle.year}"

    @property
    def is_pending(self) -> bool:
        """Not handed in: not started, draft or returned."""
        return self.status in EDITABLE_STATUSES

    def is_late(self, today: datetime.date | None = None) -> bool:
        """Not handed in, and the deadline has passed."""
        return self.is_pending and (today or timezone.localdate()) > self.cycle.deadline

    def deadline_countdown(self, today: datetime.date | None = None) -> str:
        """The days left to the deadline in words ("12 dagar kvar", "Sista dag idag",
        "Försenad 3 dagar"); empty once handed in."""
        if not self.is_pending:
            return ""
        days = (self.cycle.deadline - (today or timezone.localdate())).days
        if days > 0:
            return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
        if days == 0:
            return gettext("Last day today")
        return ngettext("Late by %(days)d day", "Late by %(days)d days", -days) % {"days": -days}

    def is_editable(self, today: datetime.date | None = None) -> bool:
        """Open for writing: the cycle has opened, not handed in, and not locked unless reopened."""
        if not self.is_pending or not self.cycle.has_opened(today):
            return False
        return self.reopened or not self.cycle.is_locked(today)

    def closed_message(self, today: datetime.date | None = None) -> str:
        """Why the assessment cannot be written now: before the follow-up opens,
        when it opens ("öppnar 1 oktober"); after, that it can no longer be changed."""
        if self.is_pending and not self.cycle.has_opened(today):
            return gettext("The self-assessment opens on %(date)s.") % {
                "date": date_format(self.cycle.opens_on, "j F Y")
            }
        return gettext("The self-assessment can no longer be changed.")

    def record_school(self, school) -> None:
        """Record where `school` stands now (committee, forms, bands, status); the caller saves."""
        self.committee_id = school.committee_id
        self.school_forms = sorted(school.forms)
        self.ses_band = school.ses_band
        self.pupil_count = school.pupil_count
        self.school_active = school.is_active

    def mark_draft(self, *, by) -> bool:
        """The first answer turns a not-started assessment into a draft; True if it did."""
        if self.status != AssessmentStatus.NOT_STARTED:
            return False
        self.status = AssessmentStatus.DRAFT
        self._history_user = by
        self.save(update_fields=["status"])
        return True


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


# --- Reminders ------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    ASSESSMENT_DUE = "assessment_due", _("Self-assessment due")
    ASSESSMENT_OVERDUE = "assessment_overdue", _("Self-assessment overdue")
    COMMITTEE_SUMMARY = "committee_summary", _("Summary for the committee")
    REPORT_DUE = "report_due", _("Period report due")
    MANUAL = "manual", _("Reminder sent by hand")


# A reminder's state is its mail's, in the outbox; one without a mail could not be
# written (no principal, say), and is shown as not sent with its problem.
ReminderStatus = MailStatus

# Reminders that tell a school's principal the self-assessment is waiting.
SCHOOL_REMINDER_KINDS = (ReminderKind.ASSESSMENT_DUE, ReminderKind.ASSESSMENT_OVERDUE, ReminderKind.MANUAL)


class ReminderQuerySet(models.QuerySet):
    def counting(self):
        """Reminders that went out or are on their way (not those that could not be sent)."""
        return self.filter(mail__isnull=False).exclude(mail__status=MailStatus.FAILED)


class Reminder(models.Model):
    """One reminder to one recipient for one occasion: what was reminded, of what, by whom.

    The unique key (kind, scope, occasion, recipient) makes planning the same
    day twice create nothing new. The mail itself is in the outbox (`mail`),
    which sends it exactly once; a reminder that could not be written as a mail
    (no principal) keeps the reason in `problem`.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    occasion = models.CharField(_("occasion"), max_length=60)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders")
    period = models.ForeignKey(
        "actionplans.ReportPeriod", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    committee = models.ForeignKey(
        "schools.Committee", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    mail = models.OneToOneField(
        "outbox.Mail", on_delete=models.SET_NULL, null=True, blank=True, related_name="reminder"
    )
    problem = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who sent it by hand; empty for the schedule's reminders.",
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["cycle", "school", "created_at"])]

    def __str__(self) -> str:
        return self.key

    @property
    def status(self) -> str:
        return self.mail.status if self.mail_id else MailStatus.FAILED

    def get_status_display(self) -> str:
        return MailStatus(self.status).label

    @property
    def reason(self) -> str:
        return self.mail.reason if self.mail_id else self.problem

    @property
    def email(self) -> str:
        return self.mail.email if self.mail_id else ""

    @property
    def sent_at(self):
        return self.mail.sent_at if self.mail_id else None
