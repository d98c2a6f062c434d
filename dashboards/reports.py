"""The executive board's yearly report.

The city office writes the report (`BoardReport`: texts, registry number,
status) and asks for its files; a worker builds them (`YearlyReport`, a job
claimed and swept through `core.jobs`) as a tagged PDF, an archival PDF/A, an
Excel workbook and a Word document. A final report is built from the figures
frozen when it was made final, so it can be built again identically."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import jobs, versioning
from core.pdf import PDF_ARCHIVAL, PDF_UA, PdfUnavailable, render_pdf
from core.site import site_url
from dashboards import report_files
from dashboards.models import BoardReport, BoardReportAnalysis, DocumentStatus, ReportStatus, YearlyReport
from dashboards.report_content import content_collect, content_for
from followup.models import Cycle
from outbox import services as outbox

logger = logging.getLogger(__name__)


class ReportError(Exception):
    """Why a report cannot be requested now; the message is for the user."""


def _claim_timeout() -> int:
    return settings.REPORT_CLAIM_TIMEOUT


REPORT_JOBS = jobs.JobKind(
    name="yearly-report",
    model=YearlyReport,
    task="dashboards.tasks.build_yearly_report",
    timeout=_claim_timeout,
    pending=ReportStatus.QUEUED,
    running=ReportStatus.RUNNING,
)


# --- The document the city office writes ------------------------------------------------


def document_for(*, cycle: Cycle) -> BoardReport:
    """The year's report, made as an empty draft the first time it is asked for."""
    document, _created = BoardReport.objects.get_or_create(cycle=cycle)
    return BoardReport.objects.select_related("cycle").prefetch_related("analyses").get(pk=document.pk)


DOCUMENT_FIELDS = ("registry_number", "author", "decision_date", "summary", "proposed_decision", "committees_account")


def document_snapshot(document: BoardReport) -> dict:
    """The report's facts and texts as its form edits them, each area's analysis
    as `area_<number>` (see `core.versioning`)."""
    snapshot = {name: getattr(document, name) for name in DOCUMENT_FIELDS}
    analyses = {a.area_number: a.text for a in document.analyses.all()} if document.pk else {}
    for area in document.cycle.areas.all():
        snapshot[f"area_{area.number}"] = analyses.get(area.number, "")
    return snapshot


def document_save(
    *, document: BoardReport, values: dict, version: int, user, base: dict | None = None, keep_mine: int | None = None
) -> versioning.Outcome:
    """Save the texts and facts with a version and history: saved, merged with
    another edit of other fields, or a conflict. A final or sent report is no
    longer changed (ReportError)."""

    def lock() -> BoardReport:
        row = BoardReport.objects.select_for_update().select_related("cycle").get(pk=document.pk)
        if row.is_frozen:
            raise ReportError(_("The report is final and can no longer be changed. Make it preliminary again first."))
        return row

    def write(row: BoardReport, changes: dict) -> None:
        for name, value in changes.items():
            if name in DOCUMENT_FIELDS:
                setattr(row, name, value)
        row.updated_at = timezone.now()
        row.save()
        existing = {a.area_number: a for a in row.analyses.all()}
        for name, text in changes.items():
            if not name.startswith("area_"):
                continue
            number = int(name.removeprefix("area_"))
            analysis = existing.get(number) or BoardReportAnalysis(report=row, area_number=number)
            analysis.text = text
            analysis._history_user = user
            analysis.save()

    return versioning.versioned_save(
        lock=lock,
        read=document_snapshot,
        write=write,
        values=values,
        base=base,
        version=version,
        user=user,
        keep_mine=keep_mine,
    )


# Which status may follow which: back from final only to preliminary; sent is the end.
TRANSITIONS = {
    DocumentStatus.DRAFT: {DocumentStatus.PRELIMINARY, DocumentStatus.FINAL},
    DocumentStatus.PRELIMINARY: {DocumentStatus.DRAFT, DocumentStatus.FINAL},
    DocumentStatus.FINAL: {DocumentStatus.PRELIMINARY, DocumentStatus.SENT},
    DocumentStatus.SENT: set(),
}


def document_set_status(*, document: BoardReport, status: str, user) -> BoardReport:
    """Move the report to `status`. Made final, its figures and texts are frozen
    in the snapshot; made preliminary again, the snapshot is dropped."""
    with transaction.atomic():
        row = BoardReport.objects.select_for_update().select_related("cycle").get(pk=document.pk)
        if status not in TRANSITIONS[row.status]:
            raise ReportError(
                _("A report that is %(now)s cannot be made %(then)s.")
                % {"now": row.get_status_display().lower(), "then": DocumentStatus(status).label.lower()}
            )
        if status == DocumentStatus.FINAL:
            needed = ("registry_number", "author")
            missing = [str(row._meta.get_field(f).verbose_name) for f in needed if not getattr(row, f)]
            if missing:
                message = _("Fill in before making the report final: %(fields)s.")
                raise ReportError(message % {"fields": ", ".join(missing)})
            if not row.cycle.is_locked():
                raise ReportError(
                    _(
                        "The follow-up is not locked until after %(date)s: schools may still change their answers. "
                        "The report can be made final when it is locked."
                    )
                    % {"date": row.cycle.locks_on.isoformat()}
                )
            row.status = DocumentStatus.FINAL
            row.finalised_at = timezone.now()
            with translation.override(settings.LANGUAGE_CODE):
                row.snapshot = content_collect(document=row, now=row.finalised_at)
        elif status == DocumentStatus.SENT:
            row.status, row.sent_at = DocumentStatus.SENT, timezone.now()
        else:
            row.status, row.snapshot, row.finalised_at = status, None, None
        row.version += 1
        row._history_user = user
        row.save()
    logger.info("yearly report status", extra={"report": row.pk, "status": status, "user": user.pk})
    return row


def report_request(*, cycle: Cycle, user) -> YearlyReport:
    """Ask for a report; a second request while one is being built returns that one.

    The report is a row first: if the broker is down, it waits as queued and
    the sweep queues it when the broker is back."""
    unfinished = YearlyReport.objects.filter(cycle=cycle, status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING))
    existing = unfinished.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = YearlyReport.objects.create(cycle=cycle, requested_by=user, step=_("Waiting for a worker"))
            REPORT_JOBS.publish_on_commit(report.pk)
    except IntegrityError:  # requested a moment ago (a double click)
        return unfinished.get()
    return report


def report_restart(*, report: YearlyReport, user) -> YearlyReport:
    """Start a failed or stuck report again. A failed one is asked for anew; a
    stuck one (its claim expired) is given back to the queue at once."""
    if report.status == ReportStatus.FAILED:
        return report_request(cycle=report.cycle, user=user)
    if not report.is_stuck:
        raise ReportError(_("The report is still being built; it can be started again only when it is stuck."))
    with transaction.atomic():
        YearlyReport.objects.filter(pk=report.pk, status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING)).update(
            status=ReportStatus.QUEUED, claim_token=None, claimed_at=None, step=_("Waiting for a worker"), progress=0
        )
        REPORT_JOBS.publish_on_commit(report.pk)
    logger.info("yearly report started again", extra={"report": report.pk, "user": user.pk})
    report.refresh_from_db()
    return report


def _progress(report_id: int, token, progress: int, step: str) -> None:
    REPORT_JOBS.holds(report_id, token).update(progress=progress, step=step)


def report_build(*, report_id: int, task_id: str | None = None) -> str:
    """Build the files. Safe to run twice: a report is built by the worker that
    holds its claim, and only that claim can finish it."""
    token = REPORT_JOBS.claim(report_id, task_id=task_id, progress=5, step=_("Reading the summaries"))
    if token is None:
        return "already taken"
    YearlyReport.objects.filter(pk=report_id, started_at__isnull=True).update(started_at=timezone.now())
    report = YearlyReport.objects.select_related("cycle__strategy", "requested_by").get(pk=report_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            document = document_for(cycle=report.cycle)
            content = content_for(document)
            _progress(report_id, token, 20, _("Writing the Excel workbook"))
            files = {"xlsx": build_workbook(content)}
            _progress(report_id, token, 35, _("Writing the Word document"))
            files["docx"] = build_docx(content)
            _progress(report_id, token, 50, _("Writing the PDF"))
            problem = ""
            try:
                files["pdf"] = build_pdf(content)
                _progress(report_id, token, 75, _("Writing the PDF/A for the registry"))
                files["archival_pdf"] = build_pdf(content, variant=PDF_ARCHIVAL)
            except PdfUnavailable as exc:
                problem = str(exc)
            _progress(report_id, token, 90, _("Saving the files"))
            stem = f"arsrapport-{report.cycle.year}-{report.pk}"
            suffixes = {"xlsx": ".xlsx", "docx": ".docx", "pdf": ".pdf", "archival_pdf": "-pdfa.pdf"}
            names = dict.fromkeys(suffixes, "")
            for field, data in files.items():
                file = getattr(report, field)
                names[field] = file.storage.save(
                    file.field.generate_filename(report, f"{stem}{suffixes[field]}"), ContentFile(data)
                )
            with transaction.atomic():
                finished = REPORT_JOBS.finish(
                    report_id,
                    token,
                    state=ReportStatus.DONE,
                    progress=100,
                    step=_("Ready"),
                    problem=problem,
                    finished_at=timezone.now(),
                    document_status=content["document"]["status"],
                    preliminary=report_files.is_preliminary(content),
                    **names,
                )
                if finished and report.requested_by_id:
                    _queue_ready_mail(report)
    except Exception as exc:
        logger.exception("yearly report failed", extra={"report": report_id})
        REPORT_JOBS.finish(
            report_id,
            token,
            state=ReportStatus.FAILED,
            finished_at=timezone.now(),
            problem=_("The report could not be built (%(error)s). Try again, or ask the administrator.")
            % {"error": exc.__class__.__name__},
        )
        return "failed"
    if not finished:  # our claim expired and another worker took the report over
        return "taken over"
    return "built"


def _queue_ready_mail(report: YearlyReport) -> None:
    """The requester's 'report ready' mail, in the outbox in the same transaction as the report's end."""
    outbox.mail_queue(
        mails=[
            outbox.Outgoing(
                key=f"report-ready:{report.pk}:{report.requested_by_id}",
                kind=READY_MAIL,
                recipient=report.requested_by,
                params={"report": report.pk},
            )
        ]
    )


READY_MAIL = "dashboards.report_ready"


def build_ready_mail(mail) -> outbox.Message:
    """Tell the requester the report is ready, with a link to its page."""
    report = YearlyReport.objects.select_related("cycle").filter(pk=mail.params.get("report")).first()
    if report is None:
        raise outbox.NothingToSend("Rapporten finns inte längre.")
    context = {
        "report": report,
        "city": settings.CITY_NAME,
        "link": site_url() + reverse("dashboards:report_detail", args=[report.pk]),
    }
    return outbox.Message(
        subject=render_to_string("dashboards/email/report_ready_subject.txt", context),
        text=render_to_string("dashboards/email/report_ready.txt", context),
    )


# --- Files ------------------------------------------------------------------------------


def build_workbook(content: dict) -> bytes:
    return report_files.build_workbook(content)


def build_docx(content: dict) -> bytes:
    return report_files.build_docx(content)


def build_pdf(content: dict, *, variant: str = PDF_UA) -> bytes:
    """The tagged PDF, or with `variant=PDF_ARCHIVAL` the PDF/A for the registry."""
    return render_pdf(report_files.pdf_html(content), base_url=str(settings.BASE_DIR), variant=variant)
