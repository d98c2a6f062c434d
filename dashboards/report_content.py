"""What the executive board's yearly report says: its figures and texts as one
plain, JSON-able dictionary.

A draft or preliminary report reads its figures from the summaries when it is
built. When the city office makes the report final, the dictionary is stored
on the report (`BoardReport.snapshot`) and every later build renders that
stored dictionary, so the workbook, the PDFs and the Word document the board
received can be built again identically, whatever changes in the data.

Cells are stored as plain values: a number, a text, None, or a dictionary for
a figure (`{"f": value, "n": schools, "d": decimals, "s": suffix}`) or a
traffic light (`{"light": "met"}`). `table_from_data` (in `dashboards.tables`)
turns a stored table back into a `tables.Table` so every renderer reads one
kind of table. The tables the report computes itself (weighted means,
indicators, plans) are in `report_tables`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import figures
from dashboards.computed import report_computed_table
from dashboards.models import BoardReport, Highlight
from dashboards.report_tables import (
    Weighted,
    add_last_year,
    change_table,
    committee_indicators_table,
    plans_table,
    school_indicators_table,
    weighted_means,
)
from dashboards.tables import table_to_data
from followup.models import HANDED_IN_STATUSES, Cycle

CONTENT_VERSION = 1

# The dashboard's tables the report keeps, in the order it prints them. The
# dashboard's own action table (today's status) is replaced by the report's,
# which shows the status at the end of the report's year.
DASHBOARD_TABLES = ("completeness", "maturity", "levels", "forms", "trend", "equity")


# --- The content ------------------------------------------------------------------------


def content_collect(*, document: BoardReport, now: datetime.datetime | None = None) -> dict:
    """The report's figures and texts as they are now (for a draft, or to freeze as final)."""
    cycle = Cycle.objects.select_related("strategy", "summary").get(pk=document.cycle_id)
    now = now or timezone.now()
    board = figures.city_dashboard(cycle)
    kept = {t.key: t for t in board.tables}
    meta = figures._summary(cycle)[0]
    areas = meta.get("areas", [])
    weighted = weighted_means(cycle, areas)
    add_last_year(cycle, weighted)
    change = change_table(cycle, areas)
    indicator_tables = [school_indicators_table(cycle, meta), committee_indicators_table(cycle)]
    computed = report_computed_table(cycle)
    if computed.rows:
        indicator_tables.append(computed)
    table_list = [
        kept["completeness"],
        kept["maturity"],
        change,
        weighted.table,
        kept["levels"],
        kept["forms"],
        kept["trend"],
        *indicator_tables,
        plans_table(cycle, now=now),
        kept["equity"],
    ]
    return {
        "version": CONTENT_VERSION,
        "year": cycle.year,
        "city": settings.CITY_NAME,
        "strategy": cycle.strategy.title,
        "generated_at": now.isoformat(),
        "locked": cycle.is_locked(timezone.localdate(now)),
        "small_group": settings.DASHBOARD_SMALL_GROUP,
        "document": document_texts(document),
        "areas": [
            {
                "number": number,
                "title": title,
                "analysis": document_analysis(document, number),
                "figures": weighted.area_rows.get(number, []),
            }
            for number, title in areas
        ],
        "tables": [table_to_data(t) for t in table_list],
        "quotes": quotes(cycle),
        "method": method_text(weighted),
        "sources": sources_text(cycle, meta),
    }


def document_texts(document: BoardReport) -> dict:
    return {
        "status": document.status,
        "status_label": str(document.get_status_display()),
        "registry_number": document.registry_number,
        "author": document.author,
        "decision_date": document.decision_date.isoformat() if document.decision_date else "",
        "summary": document.summary,
        "committees_account": document.committees_account,
        "proposed_decision": document.proposed_decision,
    }


def document_analysis(document: BoardReport, number: int) -> str:
    return next((a.text for a in document.analyses.all() if a.area_number == number), "")


def content_for(document: BoardReport) -> dict:
    """What to build: the frozen snapshot of a final report, or the figures as they are now."""
    if document.is_frozen and document.snapshot is not None:
        return document.snapshot
    return content_collect(document=document)


# --- Quotes, method and sources -----------------------------------------------------------------


def quotes(cycle: Cycle) -> list[dict]:
    chosen = (
        Highlight.objects.filter(answer__assessment__cycle=cycle, answer__assessment__status__in=HANDED_IN_STATUSES)
        .select_related("answer__area", "answer__assessment__committee", "answer__assessment__school")
        .order_by(
            "answer__assessment__committee__name",
            "answer__area__number",
            "answer__assessment__school__name",
        )
    )
    return [
        {
            "committee": h.answer.assessment.committee.name,
            "school": h.answer.assessment.school.name,
            "area": str(h.answer.area),
            "done": h.answer.done,
            "strengths": h.answer.strengths,
            "next_steps": h.answer.next_steps,
        }
        for h in chosen
    ]


def method_text(weighted: Weighted) -> list[str]:
    return [
        _(
            "Maturity levels are the levels the school units gave themselves in the self-assessments "
            "handed in (submitted or approved); an area that does not apply to a unit is not counted."
        ),
        _(
            "A mean per school counts every unit once. A mean weighted by pupils counts each unit by its "
            "number of pupils as registered in the portal; %(counted)s of %(schools)s units that handed in "
            "have a pupil count, and the others are left out of the weighted means only."
        )
        % {"counted": weighted.counted, "schools": weighted.schools},
        _(
            "A figure resting on fewer than %(n)s school units is shown with its count (n), as a small "
            "group's mean says little and may point out a single unit."
        )
        % {"n": settings.DASHBOARD_SMALL_GROUP},
        _(
            "An indicator's result is met when the mean reaches its target, partly met within 10 percent "
            "of it, otherwise not met. Committees' own indicators are counted over their own schools."
        ),
        _(
            "Indicators the portal computes are not typed by anyone: the share of the committees with an "
            "adopted action plan for the strategy, the share of the school units whose self-assessment the "
            "committee has approved, and a count the schools report divided by the pupils of the units that "
            "reported it. Each value is shown with how it was computed."
        ),
        _(
            "The action plans' status is the status each action had at the end of the year (or when the "
            "report was built, during the year), read from the plans' recorded history."
        ),
    ]


def sources_text(cycle: Cycle, meta: dict) -> list[list[str]]:
    return [
        [_("Self-assessments"), _("The school units' yearly self-assessments %(year)s.") % {"year": cycle.year}],
        [_("Deadline"), meta.get("deadline", "")],
        [_("Action plans"), _("The committees' action plans and period reports, with their history.")],
        [_("Pupils"), _("The number of pupils registered for each school unit.")],
        [_("Strategy"), cycle.strategy.title],
    ]
