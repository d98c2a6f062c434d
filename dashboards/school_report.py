"""A school's own report: its levels per area beside its committee's and the
city's means for the year, read from the summaries, and its own trend."""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.models import Rollup
from followup.models import HANDED_IN_STATUSES, AreaAnswer, SelfAssessment
from followup.services import cycle_structure


@dataclass
class AreaRow:
    number: int
    title: str
    school: int | None
    not_applicable: bool
    committee: float | None
    committee_count: int
    city: float | None
    city_count: int


def school_report(assessment: SelfAssessment) -> dict:
    """The school's levels per area beside its committee's and the city's
    averages for the year (handed-in assessments only), and its own trend."""
    cycle = assessment.cycle
    answers = {a.area_id: a for a in assessment.area_answers.all()}
    # The committee's and the city's means come from the dashboards' summaries.
    committee_id = assessment.committee_id
    groups = {
        r.committee_id: r.areas
        for r in Rollup.objects.filter(cycle=cycle, key__in=[Rollup.key_for(None), Rollup.key_for(committee_id)])
    }

    def mean(group: int | None, number: int) -> tuple[float | None, int]:
        entry = groups.get(group, {}).get(str(number))
        return (entry["sum"] / entry["n"], entry["n"]) if entry and entry["n"] else (None, 0)

    rows = []
    for area in cycle_structure(cycle).areas:
        answer = answers.get(area.pk)
        committee_mean, committee_count = mean(committee_id, area.number)
        city_mean, city_count = mean(None, area.number)
        rows.append(
            AreaRow(
                number=area.number,
                title=area.title,
                school=answer.level if answer and not answer.not_applicable else None,
                not_applicable=bool(answer and answer.not_applicable),
                committee=committee_mean,
                committee_count=committee_count,
                city=city_mean,
                city_count=city_count,
            )
        )
    trend_answers = (
        AreaAnswer.objects.filter(
            assessment__school_id=assessment.school_id,
            assessment__cycle__year__lte=cycle.year,
            assessment__cycle__strategy_id=cycle.strategy_id,
            assessment__status__in=HANDED_IN_STATUSES,
        )
        .exclude(assessment=assessment)
        .values_list("assessment__cycle__year", "area__number", "level", "not_applicable")
    )
    years = sorted({y for y, *_ in trend_answers} | {cycle.year})
    trend = {row.number: dict.fromkeys(years) for row in rows}
    for year, number, level, not_applicable in trend_answers:
        if number in trend and not not_applicable:
            trend[number][year] = level
    for row in rows:
        trend[row.number][cycle.year] = row.school
    return {
        "rows": rows,
        "years": years,
        "trend": [(row, [trend[row.number][y] for y in years]) for row in rows],
        "levels": cycle_structure(cycle).levels,
    }
