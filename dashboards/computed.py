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

from django.db.models import Count, Exists, F, FloatField, Func, OuterRef, Q, Subquery, Sum
from django.db.models.lookups import IsNull
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
class _Part:
    """One committee's school units in the follow-up, as the formulas count them."""

    committee_id: int
    units: int
    approved: int
    has_plan: bool
    # {cycle indicator id: (sum of the values, pupils, units)} of the handed-in units with a
    # pupil count that reported it.
    reported: dict[str, tuple[float, int, int]]


class _ReportedNumber(Func):
    """The number a school result holds for one of the follow-up's indicators, or NULL.

    The key is the indicator's id, digits that Django's own JSON lookups would read as a
    position in an array; here it is always a key."""

    output_field = FloatField()

    def __init__(self, key: str):
        self.key = key
        super().__init__(F("indicators"))

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(json_extract({sql}, %s) AS REAL)", (*params, f'$."{self.key}"')

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql} ->> %s) AS double precision)", (*params, self.key)


class Facts:
    """What the formulas read for one follow-up (or one committee's part of it), counted by
    the database in one query, one row per committee: each committee's school units that year
    (where they belonged then), how many are approved, whether the committee's action plan for
    the strategy is adopted, and the per-pupil sums of the counts the indicators divide."""

    def __init__(self, cycle: Cycle, indicators: list[Indicator], *, committee_id: int | None = None):
        self.cycle = cycle
        self.parts: list[_Part] = []
        if not indicators:
            return
        results = SchoolResult.objects.filter(cycle=cycle)
        if committee_id is not None:
            results = results.filter(committee_id=committee_id)
        adopted = ActionPlan.objects.filter(
            strategy_id=cycle.strategy_id, committee_id=OuterRef("committee_id"), status=PlanStatus.ADOPTED
        )
        keys = sorted({str(i.source_id) for i in indicators if i.formula == Formula.PER_PUPIL and i.source_id})
        counted = Q(status__in=HANDED_IN_STATUSES, school__pupil_count__isnull=False)
        sums = {}
        for n, key in enumerate(keys):
            value = _ReportedNumber(key)
            sums |= {
                f"sum_{n}": Sum(value, filter=counted),
                f"pupils_{n}": Sum("school__pupil_count", filter=counted & IsNull(value, False)),
                f"units_{n}": Count(value, filter=counted),
            }
        rows = (
            results.values("committee_id")
            .annotate(
                units=Count("pk"),
                approved=Count("pk", filter=Q(status=AssessmentStatus.APPROVED)),
                has_plan=Exists(adopted),
                **sums,
            )
            .order_by()
        )
        for row in rows:
            reported = {
                key: (row[f"sum_{n}"], row[f"pupils_{n}"], row[f"units_{n}"])
                for n, key in enumerate(keys)
                if row[f"units_{n}"]
            }
            self.parts.append(_Part(row["committee_id"], row["units"], row["approved"], row["has_plan"], reported))

    @classmethod
    def from_results(cls, cycle: Cycle, results: Iterable[SchoolResult], *, adopted: set[int]) -> Facts:
        """The facts from results already read with their schools (a committee's dashboard reads them
        anyway), and the committees whose plan is adopted: no query of its own."""
        facts = cls(cycle, [])
        parts: dict[int, _Part] = {}
        for r in results:
            part = parts.setdefault(r.committee_id, _Part(r.committee_id, 0, 0, r.committee_id in adopted, {}))
            part.units += 1
            part.approved += r.status == AssessmentStatus.APPROVED
            pupils = r.school.pupil_count
            if r.status not in HANDED_IN_STATUSES or pupils is None:
                continue
            for key, value in r.indicators.items():
                total, all_pupils, units = part.reported.get(key, (0.0, 0, 0))
                part.reported[key] = (total + value, all_pupils + pupils, units + 1)
        facts.parts = list(parts.values())
        return facts

    def of(self, committee_id: int | None) -> list[_Part]:
        """The committees of the follow-up, or one committee."""
        return [p for p in self.parts if committee_id is None or p.committee_id == committee_id]


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
    parts = facts.of(committee_id)
    formula = Formula(indicator.formula)
    if formula == Formula.PLANS_ADOPTED:
        value, how = _plans_adopted(parts)
    elif formula == Formula.ASSESSMENTS_APPROVED:
        value, how = _assessments_approved(parts)
    else:
        value, how = _per_pupil(parts, indicator)
    return ComputedValue(indicator, value, how, target)


def _count(value: int | float) -> str:
    """A count as a person reads it: "1 840", a whole number without decimals."""
    value = int(value) if float(value).is_integer() else round(value, 2)
    return number_format(value, force_grouping=True)


def _plans_adopted(parts: list[_Part]) -> tuple[float | None, str]:
    committees = [p for p in parts if p.units]
    if not committees:
        return None, _("No committee has school units in the follow-up.")
    with_plan = sum(1 for p in committees if p.has_plan)
    how = _("%(adopted)s of %(total)s committees have an adopted action plan") % {
        "adopted": _count(with_plan),
        "total": _count(len(committees)),
    }
    return 100 * with_plan / len(committees), how


def _assessments_approved(parts: list[_Part]) -> tuple[float | None, str]:
    units = sum(p.units for p in parts)
    if not units:
        return None, _("No school units in the follow-up.")
    approved = sum(p.approved for p in parts)
    how = _("%(approved)s of %(total)s school units' self-assessments are approved") % {
        "approved": _count(approved),
        "total": _count(units),
    }
    return 100 * approved / units, how


def _per_pupil(parts: list[_Part], indicator: Indicator) -> tuple[float | None, str]:
    source = indicator.source
    if indicator.source_id is None:
        return None, _("The follow-up does not ask for %(code)s.") % {"code": source}
    key, name = str(indicator.source_id), indicator.source_name
    # Only the units that reported the count, and whose pupils the portal knows, are counted on both sides.
    counted = [p.reported[key] for p in parts if key in p.reported]
    total = sum(value for value, _p, _n in counted)
    pupils = sum(p for _v, p, _n in counted)
    units = sum(n for _v, _p, n in counted)
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
        "units": _count(units),
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
    names = dict(Committee.objects.filter(pk__in={p.committee_id for p in facts.parts}).values_list("pk", "name"))
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
