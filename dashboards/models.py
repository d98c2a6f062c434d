"""Pre-computed summaries the dashboards read, and the executive board's yearly reports.

Dashboards never aggregate the schools' answers in a request. A first answer,
a submission, return or approval marks the school in `SummaryBacklog` in the same
transaction; a worker then brings that school's `SchoolResult` and its
committee's and the city's `Rollup` rows up to date. Rollups add up: a
figure for several committees is the sum of their rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SummaryBacklog(models.Model):
    """A school whose summary is out of date. Written with the change that made it so.

    `token` is renewed on every new mark, so a refresh removes only the marks
    it has read, never one made while it ran.
    """

    cycle = models.ForeignKey("followup.Cycle", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(default=uuid.uuid4)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "school"], name="summary_backlog_once_per_school")]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.school_id}"


class CycleSummary(models.Model):
    """Per cycle: when its summaries were last brought up to date, and what the cycle asks
    (areas, levels, indicators with targets), so a dashboard reads it in one row."""

    cycle = models.OneToOneField("followup.Cycle", on_delete=models.CASCADE, related_name="summary")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    meta = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.refreshed_at}"


class SchoolResult(models.Model):
    """One school's self-assessment for one year, as the dashboards count it.

    Levels and indicator values count only when the assessment is handed in
    (submitted or approved).
    """

    cycle = models.ForeignKey("followup.Cycle", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey("schools.Committee", on_delete=models.CASCADE, related_name="+")
    ses_band = models.PositiveSmallIntegerField(null=True, blank=True)
    forms = models.CharField(max_length=300, blank=True, help_text="',grundskola,fritidshem,'")
    status = models.CharField(max_length=12)
    handed_in_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True)
    levels = models.JSONField(default=dict, help_text="{area number: level, or 0 for 'does not apply'}")
    indicators = models.JSONField(default=dict, help_text="{cycle indicator id: value}")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "school"], name="one_school_result_per_year")]
        indexes = [models.Index(fields=["cycle", "committee"])]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.school_id}: {self.status}"


class Rollup(models.Model):
    """Counts and sums for a group of schools in one cycle: one committee or the
    whole city (committee empty), all school forms or one, all bands or one.

    `key` names the group ("city|grundskola|*", "c12||3"), so each group has one row.
    """

    cycle = models.ForeignKey("followup.Cycle", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=60)
    committee = models.ForeignKey("schools.Committee", on_delete=models.CASCADE, null=True, related_name="+")
    school_form = models.CharField(max_length=30, blank=True)
    ses_band = models.PositiveSmallIntegerField(null=True, help_text="Empty: all bands; 0: band not known.")
    schools = models.PositiveIntegerField(default=0)
    statuses = models.JSONField(default=dict, help_text="{status: count, 'on_time': n, 'after_deadline': n}")
    areas = models.JSONField(default=dict, help_text="{area number: {'n', 'sum', 'na', 'levels': {level: n}}}")
    indicators = models.JSONField(default=dict, help_text="{cycle indicator id: {'n', 'sum', 'met'}}")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "key"], name="one_rollup_per_group")]
        indexes = [models.Index(fields=["cycle", "school_form", "ses_band"]), models.Index(fields=["key"])]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.key}"

    @staticmethod
    def key_for(committee_id: int | None, form: str = "", band: int | None = None) -> str:
        """The key of a group: a committee (None: the city), a school form ('': all), a band (None: all)."""
        return f"{'city' if committee_id is None else f'c{committee_id}'}|{form}|{'*' if band is None else band}"


class Highlight(models.Model):
    """A free-text answer chosen by the committee or the city office to be quoted
    in the executive board's yearly report."""

    answer = models.OneToOneField("followup.AreaAnswer", on_delete=models.CASCADE, related_name="highlight")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quote for the yearly report")
        verbose_name_plural = _("quotes for the yearly report")

    def __str__(self) -> str:
        return str(self.answer)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class YearlyReport(models.Model):
    """The executive board's yearly report for a cycle, built in the background."""

    cycle = models.ForeignKey(
        "followup.Cycle", on_delete=models.PROTECT, related_name="yearly_reports", verbose_name=_("follow-up")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The claim of the worker building it (core.jobs): taken again when older than REPORT_CLAIM_TIMEOUT.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_by_task = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    xlsx = models.FileField(_("Excel workbook"), upload_to="yearly-reports/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="yearly-reports/", blank=True)
    archival_pdf = models.FileField(_("PDF/A for the registry"), upload_to="yearly-reports/", blank=True)
    docx = models.FileField(_("Word document"), upload_to="yearly-reports/", blank=True)
    # What the files were built from: the document's status then, and whether it was preliminary.
    document_status = models.CharField(_("document status"), max_length=12, blank=True)
    preliminary = models.BooleanField(_("preliminary"), default=False)
    problem = models.TextField(_("problem"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="yearly_report_progress_at_most_100"),
            # One report at a time per year: a double click finds the one being built.
            models.UniqueConstraint(
                fields=["cycle"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_unfinished_yearly_report_per_cycle",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Yearly report')} {self.cycle.year}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def is_stuck(self) -> bool:
        """Waiting longer than a worker may take: its worker died or its message was lost.
        The sweep takes it again; the city office may also start it again at once."""
        if self.is_finished:
            return False
        since = self.claimed_at or self.requested_at
        return since is not None and (timezone.now() - since).total_seconds() > settings.REPORT_CLAIM_TIMEOUT


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PRELIMINARY = "preliminary", _("Preliminary")
    FINAL = "final", _("Final")
    SENT = "sent", _("Sent to the executive board")


class BoardReport(models.Model):
    """The executive board's yearly report as the city office writes it: one per
    year, with its texts, registry number and status.

    While it is a draft or preliminary, its figures are read from the summaries
    when it is built. When it is made final, the figures are frozen in
    `snapshot`, so the document the board received can be built again, byte for
    byte, whatever changes afterwards.
    """

    cycle = models.OneToOneField(
        "followup.Cycle", on_delete=models.PROTECT, related_name="board_report", verbose_name=_("follow-up")
    )
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    registry_number = models.CharField(_("registry number"), max_length=50, blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True, help_text=_("Name and title, as printed."))
    decision_date = models.DateField(_("executive board's meeting"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    committees_account = models.TextField(_("the committees' account"), blank=True)
    proposed_decision = models.TextField(_("proposed decision"), blank=True)
    snapshot = models.JSONField(_("figures as made final"), null=True, blank=True, editable=False)
    finalised_at = models.DateTimeField(_("made final"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent to the executive board"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["version", "snapshot", "updated_at"])

    class Meta:
        verbose_name = _("executive board's report")
        verbose_name_plural = _("executive board's reports")
        constraints = [
            # A final or sent report always has the figures it was made final with.
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "preliminary"]) | models.Q(snapshot__isnull=False),
                name="board_report_final_has_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Yearly report')} {self.cycle.year}"

    @property
    def is_frozen(self) -> bool:
        """Final or sent: the texts and figures no longer change."""
        return self.status in (DocumentStatus.FINAL, DocumentStatus.SENT)


class BoardReportAnalysis(models.Model):
    """The city office's analysis of one focus area, printed beside the area's figures."""

    report = models.ForeignKey(BoardReport, on_delete=models.CASCADE, related_name="analyses")
    area_number = models.PositiveSmallIntegerField(_("focus area"))
    text = models.TextField(_("analysis"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area_number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "area_number"], name="one_analysis_per_report_and_area")
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.area_number}"
