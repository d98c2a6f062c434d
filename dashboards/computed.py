"""Indicators the portal computes from what it holds (`Reporter.PORTAL`), so no
one types them: the share of the follow-up's committees with an adopted action
plan, the share of its school units whose self-assessment is approved, and a
count the schools report per pupil of the units that reported it.

Each value comes with how it was computed ("7 av 9 nämnder har en antagen
handlingsplan"). The facts are read from the follow-up's summaries (the
committee a school belonged to that year, the assessments' status, the values
handed in), the committees' action plans and the schools' stored pupil counts:
a fixed number of queries, whatever the size of the city.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan, PlanStatus
from dashboards import tables
from dashboards.blocks import _indicator_value
from dashboards.models import SchoolResult
from dashboards.tables import Light, Table
from followup.models import HANDED_IN_STATUSES, AssessmentStatus, Cycle, CycleIndicator
from schools.models import Committee
from strategy.models import Direction, Formula, Indicator, Target


@dataclass
class ComputedValue:
    """One computed indicator's value for the city or a committee, and how it was computed."""

    indicator: Indicator
    value: float | None
    how: str
    target: float | None

    @property
    def light(self) -> Light:
        return tables.light_for(self.value, self.target, self.indicator.direction)


@dataclass
class _Result:
    school_id: int
    committee_id: int
    status: str
    indicators: dict
    pupils: int | None
    has_plan: bool


class Facts:
    """What the formulas read for one follow-up (or one committee's part of it), in one query:
    each school unit's result that year with its committee then, its pupil count and whether
    that committee's action plan for the strategy is adopted."""

    def __init__(self, cycle: Cycle, indicators: list[Indicator], *, committee_id: int | None = None):
        self.cycle = cycle
        self.results: list[_Result] = []
        if not indicators:
            return
        results = SchoolResult.objects.filter(cycle=cycle)
        if committee_id is not None:
            results = results.filter(committee_id=committee_id)
        adopted = ActionPlan.objects.filter(
            strategy_id=cycle.strategy_id, committee_id=OuterRef("committee_id"), status=PlanStatus.ADOPTED
        )
        self.results = [
            _Result(*row)
            for row in results.annotate(has_plan=Exists(adopted)).values_list(
                "school_id", "committee_id", "status", "indicators", "school__pupil_count", "has_plan"
            )
        ]

    @classmethod
    def from_results(cls, cycle: Cycle, results: Iterable[SchoolResult], *, adopted: set[int]) -> Facts:
        """The facts from results already read with their schools (a committee's dashboard reads them
        anyway), and the committees whose plan is adopted: no query of its own."""
        facts = cls(cycle, [])
        facts.results = [
            _Result(
                r.school_id, r.committee_id, r.status, r.indicators, r.school.pupil_count, r.committee_id in adopted
            )
            for r in results
        ]
        return facts

    def of(self, committee_id: int | None) -> list[_Result]:
        """The school units of the follow-up, or of one committee (where they belonged that year)."""
        return [r for r in self.results if committee_id is None or r.committee_id == committee_id]


def computed_indicators(cycle: Cycle, *, committee: Committee | None = None) -> list[Indicator]:
    """The follow-up's strategy's computed indicators: the city-wide ones, and the committee's own for a committee;
    each with its target for the year (`year_target`) and, for a value per pupil, the follow-up's question
    for its source (`source_id`, `source_name`), read in the same query."""
    indicators = Indicator.objects.computed().filter(goal__focus_area__strategy_id=cycle.strategy_id)
    indicators = indicators.for_committee(committee) if committee else indicators.city_wide()
    asked = CycleIndicator.objects.filter(cycle=cycle, owner__isnull=True, code=OuterRef("source"))
    return list(
        indicators.annotate(
            year_target=Subquery(Target.objects.filter(indicator=OuterRef("pk"), year=cycle.year).values("value")),
            source_id=Subquery(asked.values("pk")[:1]),
            source_name=Subquery(asked.values("name")[:1]),
        )
    )


def indicator_compute(*, indicator: Indicator, facts: Facts, committee_id: int | None = None) -> ComputedValue:
    """The indicator's value for the follow-up, or for one committee's part of it; no value when there is
    nothing to count (no committees, no school units, no pupils), never a division by zero."""
    target = float(indicator.year_target) if indicator.year_target is not None else None
    results = facts.of(committee_id)
    formula = Formula(indicator.formula)
    if formula == Formula.PLANS_ADOPTED:
        value, how = _plans_adopted(results)
    elif formula == Formula.ASSESSMENTS_APPROVED:
        value, how = _assessments_approved(results)
    else:
        value, how = _per_pupil(results, indicator)
    return ComputedValue(indicator, value, how, target)


def _count(value: int | float) -> str:
    """A count as a person reads it: "1 840", a whole number without decimals."""
    value = int(value) if float(value).is_integer() else round(value, 2)
    return number_format(value, force_grouping=True)


def _plans_adopted(results: list[_Result]) -> tuple[float | None, str]:
    committees = {r.committee_id for r in results}
    if not committees:
        return None, _("No committee has school units in the follow-up.")
    with_plan = len({r.committee_id for r in results if r.has_plan})
    how = _("%(adopted)s of %(total)s committees have an adopted action plan") % {
        "adopted": _count(with_plan),
        "total": _count(len(committees)),
    }
    return 100 * with_plan / len(committees), how


def _assessments_approved(results: list[_Result]) -> tuple[float | None, str]:
    if not results:
        return None, _("No school units in the follow-up.")
    approved = sum(1 for r in results if r.status == AssessmentStatus.APPROVED)
    how = _("%(approved)s of %(total)s school units' self-assessments are approved") % {
        "approved": _count(approved),
        "total": _count(len(results)),
    }
    return 100 * approved / len(results), how


def _per_pupil(results: list[_Result], indicator: Indicator) -> tuple[float | None, str]:
    source = indicator.source
    if indicator.source_id is None:
        return None, _("The follow-up does not ask for %(code)s.") % {"code": source}
    key, name = str(indicator.source_id), indicator.source_name
    # Only the units that reported the count, and whose pupils the portal knows, are counted on both sides.
    counted = [
        (r.indicators[key], r.pupils)
        for r in results
        if r.status in HANDED_IN_STATUSES and key in r.indicators and r.pupils is not None
    ]
    total = sum(value for value, _p in counted)
    pupils = sum(p for _v, p in counted)
    if not pupils:
        return None, _("No school unit with a pupil count has reported %(code)s %(name)s.") % {
            "code": source,
            "name": name,
        }
    how = _("%(total)s (%(code)s %(name)s) ÷ %(pupils)s pupils, in %(units)s school units") % {
        "total": _count(total),
        "code": source,
        "name": name,
        "pupils": _count(pupils),
        "units": _count(len(counted)),
    }
    return total / pupils, how


def _target_text(value: ComputedValue) -> str:
    if value.target is None:
        return "–"
    text = str(_indicator_value(value.target, value.indicator.unit, None))
    if value.indicator.direction == Direction.LOWER:
        text = _("at most %(target)s") % {"target": text}
    return text


def computed_table(values: Iterable[ComputedValue]) -> Table:
    """The computed indicators against their targets, each with how it was computed."""
    table = Table(
        key="computed_indicators",
        title=_("Indicators computed by the portal, against targets"),
        columns=[_("Indicator"), _("Target"), _("Value"), _("How it is computed"), _("Result")],
        note=_(
            "Computed from what the portal holds, so no one types them: the committees' action plans, "
            "the review of the self-assessments and the school units' pupil counts."
        ),
    )
    for value in values:
        table.rows.append(
            [
                f"{value.indicator.code} {value.indicator.name}",
                _target_text(value),
                _indicator_value(value.value, value.indicator.unit, None),
                value.how,
                value.light,
            ]
        )
    return table


def dashboard_computed_table(
    cycle: Cycle,
    *,
    committee: Committee | None = None,
    results: list[SchoolResult] | None = None,
    adopted: set[int] | None = None,
) -> Table | None:
    """The dashboard's table of computed indicators for the city or one committee; None when there are none.

    A committee's dashboard passes the committee's `results` (with their schools) and the committees
    with an adopted plan, which it has read already."""
    indicators = computed_indicators(cycle, committee=committee)
    if not indicators:
        return None
    committee_id = committee.pk if committee else None
    if results is not None:
        facts = Facts.from_results(cycle, results, adopted=adopted or set())
    else:
        facts = Facts(cycle, indicators, committee_id=committee_id)
    return computed_table(indicator_compute(indicator=i, facts=facts, committee_id=committee_id) for i in indicators)


def report_computed_table(cycle: Cycle) -> Table:
    """The yearly report's computed indicators: the city's value and each committee's, with how each was computed."""
    table = Table(
        key="computed_indicators",
        title=_("Indicators computed by the portal, against targets"),
        columns=[
            _("Indicator"),
            _("Committee"),
            _("Better when"),
            _("Target"),
            _("Value"),
            _("How it is computed"),
            _("Result"),
        ],
        note=_(
            "Computed from what the portal holds: the share of the committees with an adopted action plan, "
            "the share of the school units whose self-assessment is approved, and a count the schools report "
            "per pupil of the units that reported it (pupils as registered in the portal)."
        ),
    )
    indicators = computed_indicators(cycle)
    facts = Facts(cycle, indicators)
    names = dict(Committee.objects.filter(pk__in={r.committee_id for r in facts.results}).values_list("pk", "name"))
    for indicator in indicators:
        places: list[tuple[str, int | None]] = [(_("The city"), None)]
        places += sorted(((name, pk) for pk, name in names.items()), key=lambda p: p[0])
        for label, committee_id in places:
            value = indicator_compute(indicator=indicator, facts=facts, committee_id=committee_id)
            table.rows.append(
                [
                    str(indicator),
                    label,
                    _("lower") if indicator.direction == Direction.LOWER else _("higher"),
                    _indicator_value(value.target, indicator.unit, None) if value.target is not None else None,
                    _indicator_value(value.value, indicator.unit, None),
                    value.how,
                    value.light,
                ]
            )
    return table
