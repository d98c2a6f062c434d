"""The executive board's yearly report: the city's dashboard tables and charts,
each committee's action plan status and the quoted answers, as an Excel
workbook and a tagged PDF, built by a worker with its progress recorded."""

from __future__ import annotations

import datetime
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actionplans.models import ActionStatus, PeriodReport, TrafficLight
from core import jobs, spreadsheets
from core.pdf import PdfUnavailable, render_pdf
from dashboards import charts, figures, tables
from dashboards.models import Highlight, ReportStatus, YearlyReport
from followup.models import HANDED_IN_STATUSES, Cycle
from outbox import services as outbox

logger = logging.getLogger(__name__)

SHEET_NAMES = {
    "completeness": gettext_lazy("Completeness"),
    "maturity": gettext_lazy("Maturity"),
    "levels": gettext_lazy("Levels"),
    "forms": gettext_lazy("School forms"),
    "trend": gettext_lazy("Trend"),
    "indicators": gettext_lazy("Indicators"),
    "actions": gettext_lazy("Actions"),
    "equity": gettext_lazy("Equity"),
    "plans": gettext_lazy("Action plans"),
    "quotes": gettext_lazy("Quotes"),
}


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
            content = report_content(report.cycle)
            _progress(report_id, token, 25, _("Writing the Excel workbook"))
            workbook = build_workbook(content)
            _progress(report_id, token, 50, _("Writing the PDF"))
            problem = ""
            try:
                pdf = build_pdf(content)
            except PdfUnavailable as exc:
                pdf, problem = None, str(exc)
            _progress(report_id, token, 90, _("Saving the files"))
            stem = f"arsrapport-{report.cycle.year}-{report.pk}"
            xlsx_name = report.xlsx.storage.save(
                report.xlsx.field.generate_filename(report, f"{stem}.xlsx"), ContentFile(workbook)
            )
            pdf_name = ""
            if pdf is not None:
                pdf_name = report.pdf.storage.save(
                    report.pdf.field.generate_filename(report, f"{stem}.pdf"), ContentFile(pdf)
                )
            with transaction.atomic():
                finished = REPORT_JOBS.finish(
                    report_id,
                    token,
                    state=ReportStatus.DONE,
                    xlsx=xlsx_name,
                    pdf=pdf_name,
                    progress=100,
                    step=_("Ready"),
                    problem=problem,
                    finished_at=timezone.now(),
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
        "link": settings.SITE_URL + reverse("dashboards:report_detail", args=[report.pk]),
    }
    return outbox.Message(
        subject=render_to_string("dashboards/email/report_ready_subject.txt", context),
        text=render_to_string("dashboards/email/report_ready.txt", context),
    )


# --- Content ------------------------------------------------------------------------


@dataclass
class ReportContent:
    cycle: Cycle
    dashboard: tables.Dashboard
    plans: tables.Table
    quotes: list[Highlight]
    generated_at: datetime.datetime

    @property
    def tables(self) -> list[tables.Table]:
        return [*self.dashboard.tables, self.plans]


def report_content(cycle: Cycle) -> ReportContent:
    return ReportContent(
        cycle=cycle,
        dashboard=figures.city_dashboard(cycle),
        plans=plans_table(cycle),
        quotes=list(
            Highlight.objects.filter(
                answer__assessment__cycle=cycle,
                answer__assessment__status__in=HANDED_IN_STATUSES,
            )
            .select_related("answer__area", "answer__assessment__school__committee")
            .order_by(
                "answer__assessment__school__committee__name",
                "answer__area__number",
                "answer__assessment__school__name",
            )
        ),
        generated_at=timezone.now(),
    )


def plans_table(cycle: Cycle) -> tables.Table:
    """Each committee's action plan: decision, actions done of all, and the latest period report's lights."""
    table = tables.Table(
        key="plans",
        title=_("Each committee's action plan"),
        columns=[
            _("Committee"),
            _("Status"),
            _("Decided"),
            _("Actions"),
            _("Done"),
            _("Latest report"),
            str(TrafficLight.GREEN.label),
            str(TrafficLight.YELLOW.label),
            str(TrafficLight.RED.label),
        ],
        note=_("The traffic lights are from the committee's latest period report of the year."),
    )
    plans = tables.plans_for(cycle.strategy_id, None).select_related("committee").order_by("committee__name")
    latest = {
        r.plan_id: r
        for r in PeriodReport.objects.filter(plan__strategy_id=cycle.strategy_id, period__year=cycle.year)
        .select_related("period")
        .annotate(
            green=Count("action_reports", filter=Q(action_reports__light=TrafficLight.GREEN)),
            yellow=Count("action_reports", filter=Q(action_reports__light=TrafficLight.YELLOW)),
            red=Count("action_reports", filter=Q(action_reports__light=TrafficLight.RED)),
        )
        .order_by("plan_id", "period__deadline")
    }
    for plan in plans:
        report = latest.get(plan.pk)
        table.rows.append(
            [
                plan.committee.name,
                plan.get_status_display(),
                plan.decided_on.isoformat() if plan.decided_on else "–",
                sum(getattr(plan, f"n_{status}") for status in tables.ACTION_STATUSES),
                getattr(plan, f"n_{ActionStatus.DONE}"),
                str(report.period) if report else _("None yet"),
                report.green if report else 0,
                report.yellow if report else 0,
                report.red if report else 0,
            ]
        )
    return table


# --- Files ------------------------------------------------------------------------------


def _cell_value(cell):
    if isinstance(cell, tables.Figure):
        if cell.value is None:
            return None
        return str(cell) if cell.small else round(cell.value, cell.decimals)
    if isinstance(cell, int | float):
        return cell
    return str(cell)


def build_workbook(content: ReportContent) -> bytes:

    buffer = io.BytesIO()
    book = spreadsheets.workbook(buffer)
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDE7F0", "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    book.set_properties(
        {"title": str(_("Yearly report %(year)s") % {"year": content.cycle.year}), "author": settings.CITY_NAME}
    )

    for table in content.tables:
        sheet = book.add_worksheet(str(SHEET_NAMES.get(table.key, table.key))[:31])
        sheet.write(0, 0, table.title, title)
        if table.note:
            sheet.write(1, 0, table.note)
        sheet.write_row(3, 0, table.columns, head)
        for r, row in enumerate(table.rows, start=4):
            for c, cell in enumerate(row):
                sheet.write(r, c, _cell_value(cell))
        last = 3 + len(table.rows)
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, len(table.columns), 14)
        sheet.freeze_panes(4, 1)
        if table.heat and table.rows:
            sheet.conditional_format(
                4,
                1,
                last,
                len(table.columns) - 1,
                {"type": "3_color_scale", "min_color": "#F8D7DA", "mid_color": "#FFF3CD", "max_color": "#D1E7DD"},
            )
        if table.chart is not None and table.rows:
            _excel_chart(book, sheet, table, last)

    sheet = book.add_worksheet(str(SHEET_NAMES["quotes"]))
    sheet.write(0, 0, _("Quoted answers"), title)
    sheet.write_row(
        2,
        0,
        [
            _("Committee"),
            _("School unit"),
            _("Focus area"),
            _("What has been done"),
            _("Strengths"),
            _("What to develop next"),
        ],
        head,
    )
    for r, quote in enumerate(content.quotes, start=3):
        answer = quote.answer
        sheet.write_row(
            r,
            0,
            [
                answer.assessment.school.committee.name,
                answer.assessment.school.name,
                str(answer.area),
                answer.done,
                answer.strengths,
                answer.next_steps,
            ],
            wrap,
        )
    sheet.set_column(0, 2, 24)
    sheet.set_column(3, 5, 60)
    book.close()
    return buffer.getvalue()


def _excel_chart(book, sheet, table: tables.Table, last: int) -> None:
    """A native Excel chart over the table's own cells, in the table's first rows."""
    chart_spec = table.chart
    name = sheet.get_name()
    rows = len(chart_spec.labels)
    if chart_spec.kind == "lines":
        chart = book.add_chart({"type": "line"})
        # Years down the first column, one series per focus area column.
        for index, (series_name, _values) in enumerate(chart_spec.series, start=1):
            chart.add_series(
                {
                    "name": series_name,
                    "categories": [name, 4, 0, 3 + rows, 0],
                    "values": [name, 4, index, 3 + rows, index],
                    "marker": {"type": "circle"},
                }
            )
    else:
        chart = book.add_chart({"type": "bar", "subtype": "stacked"})
        columns = {col: i for i, col in enumerate(table.columns)}
        for series_name, _values in chart_spec.series:
            col = columns.get(series_name)
            if col is None:
                continue
            chart.add_series(
                {"name": series_name, "categories": [name, 4, 0, 3 + rows, 0], "values": [name, 4, col, 3 + rows, col]}
            )
    chart.set_title({"name": table.title})
    chart.set_size({"width": 720, "height": 320 + 12 * rows})
    sheet.insert_chart(last + 3, 0, chart)


def build_pdf(content: ReportContent) -> bytes:
    sections = [(table, charts.svg(table.chart) if table.chart and table.rows else None) for table in content.tables]
    html = render_to_string(
        "dashboards/yearly_report_pdf.html",
        {
            "content": content,
            "sections": sections,
            "CITY_NAME": settings.CITY_NAME,
            "small_group": settings.DASHBOARD_SMALL_GROUP,
        },
    )
    return render_pdf(html, base_url=str(settings.BASE_DIR))
