"""An action plan and its latest period report as an Excel workbook."""

import datetime
import io

from django.utils.translation import gettext as _

from actionplans.models import ActionPlan, PeriodReport
from actionplans.services import plan_overview, plan_uncovered_goals
from core import spreadsheets
from strategy.models import IndicatorUnit


def plan_workbook(plan: ActionPlan, report: PeriodReport | None = None) -> bytes:
    """The plan and (if given) its report as an Excel workbook."""
    buffer = io.BytesIO()
    book = spreadsheets.workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#DDE7F0", "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    date = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})

    sheet = book.add_worksheet(_("Action plan")[:31])
    headers = [_("Action"), _("Goals"), _("Responsible"), _("Start"), _("End"), _("Status"), _("Success criteria")]
    sheet.write_row(0, 0, headers, bold)
    actions = list(plan.actions.prefetch_related("goals"))
    for row, action in enumerate(actions, start=1):
        sheet.write(row, 0, action.title, wrap)
        sheet.write(row, 1, ", ".join(g.number for g in action.goals.all()), wrap)
        sheet.write(row, 2, action.responsible, wrap)
        sheet.write_datetime(row, 3, datetime.datetime.combine(action.starts_on, datetime.time()), date)
        sheet.write_datetime(row, 4, datetime.datetime.combine(action.ends_on, datetime.time()), date)
        sheet.write(row, 5, action.get_status_display(), wrap)
        sheet.write(row, 6, action.success_criteria, wrap)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 5, 14)
    sheet.set_column(6, 6, 50)
    sheet.freeze_panes(1, 0)

    gaps = book.add_worksheet(_("Goals without action")[:31])
    gaps.write_row(0, 0, [_("Goal"), _("Text")], bold)
    for row, goal in enumerate(plan_uncovered_goals(plan, plan_overview(plan)), start=1):
        gaps.write(row, 0, goal.number)
        gaps.write(row, 1, goal.text, wrap)
    gaps.set_column(1, 1, 80)

    if report is not None:
        sheet = book.add_worksheet(_("Report")[:31])
        sheet.write(0, 0, str(report.period), bold)
        sheet.write_row(1, 0, [_("Action"), _("Status"), _("Traffic light"), _("Progress")], bold)
        for row, entry in enumerate(report.action_reports.select_related("action"), start=2):
            sheet.write_row(
                row, 0, [entry.action.title, entry.get_status_display(), entry.get_light_display(), entry.comment], wrap
            )
        start = row + 2 if report.action_reports.exists() else 3
        sheet.write_row(start, 0, [_("Indicator"), _("Value"), _("Target")], bold)
        values = report.indicator_values.select_related("indicator").prefetch_related("indicator__targets")
        for offset, value in enumerate(values, start=1):
            target = value.indicator.target_for(report.period.year)
            unit = IndicatorUnit(value.indicator.unit)
            yes_no = unit == IndicatorUnit.YES_NO
            shown = [value.value_display, unit.display_value(target)] if yes_no else [value.value, target]
            sheet.write_row(start + offset, 0, [str(value.indicator), *shown])
        sheet.set_column(0, 0, 40)
        sheet.set_column(3, 3, 60)
    book.close()
    return buffer.getvalue()
