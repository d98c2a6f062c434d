"""The building blocks each level's dashboard is made of, read from the
pre-computed summaries: headline figures, completeness, maturity heat maps,
distributions, groups, trends, indicators and the action plans' tables.
Their cells and kinds of table are in `dashboards.tables`."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan, ActionStatus
from dashboards.models import Rollup, SchoolResult
from dashboards.summaries import Tally
from dashboards.tables import (
    STATUS_COLOURS,
    Chart,
    Figure,
    Headline,
    Light,
    Table,
    light_for,
    maturity_colours,
)
from followup.models import HANDED_IN_STATUSES, AssessmentStatus
from schools.models import SchoolForm, SocioEconomicBand
from strategy.models import Direction, Goal, IndicatorUnit, OrganisationLevel


def _number(value: float, decimals: int = 0) -> str:
    return formats.number_format(round(value, decimals), decimals)


def headline_figures(total: Tally, previous: Tally | None, indicators: list[dict], *, year: int) -> list[Headline]:
    """Handed in, on time, mean maturity and its change from last year, indicators meeting their target."""
    handed_in = _handed_in(total)
    on_time = total.statuses.get("on_time", 0)
    return [
        Headline(
            _("Handed in"),
            f"{handed_in} / {total.schools}",
            _("%(share)s %% of the school units") % {"share": _number(100 * handed_in / total.schools)}
            if total.schools
            else _("No school units yet"),
        ),
        Headline(
            _("On time"),
            str(on_time),
            _("%(share)s %% of those handed in") % {"share": _number(100 * on_time / handed_in)}
            if handed_in
            else _("None handed in yet"),
        ),
        _maturity_headline(total, previous, year=year),
        _indicators_headline(total, indicators, _("by the mean of the school units' values")),
    ]


def school_headline_figures(
    own: Tally,
    previous: Tally | None,
    committee: Tally,
    city: Tally,
    indicators: list[dict],
    *,
    year: int,
    status: str,
    on_time: bool | None,
) -> list[Headline]:
    """A school unit's own: its status and whether it was on time, its mean maturity and the
    change from last year, the committee's and the city's means beside it, its indicators meeting
    their target."""
    committee_mean = _overall(committee, single=True).value
    city_mean = _overall(city, single=True).value
    return [
        Headline(
            _("Status"),
            str(AssessmentStatus(status or AssessmentStatus.NOT_STARTED).label),
            _("On time")
            if on_time is True
            else _("After the deadline")
            if on_time is False
            else _("Not handed in yet"),
        ),
        _maturity_headline(own, previous, year=year),
        Headline(
            _("Committee, mean"),
            _number(committee_mean, 1) if committee_mean is not None else "–",
            _("City, mean: %(mean)s") % {"mean": _number(city_mean, 1) if city_mean is not None else "–"},
        ),
        _indicators_headline(own, indicators, _("by the school unit's values")),
    ]


def _maturity_headline(total: Tally, previous: Tally | None, *, year: int) -> Headline:
    mean = _overall(total, single=True).value
    before = _overall(previous, single=True).value if previous is not None else None
    if mean is None:
        change = _("No levels given yet")
    elif before is None:
        change = _("No figures for %(year)s to compare with") % {"year": year - 1}
    else:
        difference = mean - before
        sign = "+" if difference > 0 else "−" if difference < 0 else "±"
        change = _("%(change)s since %(year)s") % {"change": sign + _number(abs(difference), 1), "year": year - 1}
    return Headline(_("Mean maturity level"), _number(mean, 1) if mean is not None else "–", change)


def _indicators_headline(total: Tally, indicators: list[dict], note: str) -> Headline:
    with_target = [i for i in indicators if i["target"] is not None]
    met = 0
    for indicator in with_target:
        entry = total.indicators.get(str(indicator["id"]))
        value = entry["sum"] / entry["n"] if entry and entry["n"] else None
        met += light_for(value, indicator["target"], indicator["direction"]).state == Light.MET
    return Headline(_("Indicators meeting the target"), f"{met} / {len(with_target)}", note)


def _mean(entry: dict | None, *, single: bool = False) -> Figure:
    if not entry or not entry["n"]:
        return Figure(None, None if single else 0)
    return Figure(entry["sum"] / entry["n"], None if single else entry["n"])


def _overall(tally: Tally, *, single: bool = False) -> Figure:
    n = sum(a["n"] for a in tally.areas.values())
    total = sum(a["sum"] for a in tally.areas.values())
    if not n:
        return Figure(None, None if single else 0)
    return Figure(total / n, None if single else _handed_in(tally))


def _handed_in(tally: Tally) -> int:
    return sum(tally.statuses.get(s, 0) for s in HANDED_IN_STATUSES)


def _pending(tally: Tally) -> int:
    return tally.schools - _handed_in(tally)


def _tally(rollup: Rollup | None) -> Tally:
    tally = Tally()
    if rollup is not None:
        tally.add(rollup)
    return tally


def _school_tally(result: SchoolResult | None, targets) -> Tally:
    tally = Tally()
    if result is not None:
        tally.add_school(result, targets)
    return tally


def completeness_table(children: list[tuple[object, Tally]], *, unit: str, meta: dict, today: datetime.date) -> Table:
    deadline = datetime.date.fromisoformat(meta["deadline"]) if meta.get("deadline") else None
    past = deadline is not None and today > deadline
    statuses = [
        AssessmentStatus.NOT_STARTED,
        AssessmentStatus.DRAFT,
        AssessmentStatus.RETURNED,
        AssessmentStatus.SUBMITTED,
        AssessmentStatus.APPROVED,
    ]
    # A column of school units only where a row stands for several (committees, not single schools).
    counted = any(tally.schools != 1 for _label, tally in children)
    table = Table(
        key="completeness",
        title=_("Completeness"),
        columns=[unit, *([_("School units")] if counted else [])]
        + [str(s.label) for s in statuses]
        + [_("Handed in, share"), _("On time"), _("After the deadline"), _("Late, not handed in")],
        note=(_("The deadline was %(date)s.") if past else _("The deadline is %(date)s."))
        % {"date": formats.date_format(deadline, "j F Y") if deadline else "–"},
    )
    total = Tally()
    for label, tally in children:
        table.rows.append(_completeness_row(label, tally, statuses, past, counted=counted))
        total.schools += tally.schools
        for k, v in tally.statuses.items():
            total.statuses[k] += v
    if len(children) > 1:
        table.rows.append(_completeness_row(_("Total"), total, statuses, past, counted=counted))
    table.chart = Chart(
        kind="stacked",
        labels=[str(label) for label, _t in children],
        # In the table's column order, so the legend reads as the columns do.
        series=[(str(s.label), [t.statuses.get(s, 0) for _l, t in children]) for s in statuses],
        description=_("Self-assessments by status per %(unit)s.") % {"unit": unit.lower()},
        palette=[STATUS_COLOURS.get(str(s), "#495057") for s in reversed(statuses)],
    )
    return table


def _completeness_row(label, tally: Tally, statuses, past: bool, *, counted: bool = True) -> list:
    handed_in = _handed_in(tally)
    return (
        [label, *([tally.schools] if counted else [])]
        + [tally.statuses.get(s, 0) for s in statuses]
        + [
            Figure(100 * handed_in / tally.schools if tally.schools else None, None, 0, " %"),
            tally.statuses.get("on_time", 0),
            tally.statuses.get("after_deadline", 0),
            _pending(tally) if past else 0,
        ]
    )


def heat_table(children: list[tuple[object, Tally]], *, unit: str, meta: dict, single: bool = False) -> Table:
    areas = meta.get("areas", [])
    table = Table(
        key="maturity",
        title=_("Maturity per %(unit)s and focus area") % {"unit": unit.lower()},
        columns=[unit] + [f"{number}. {title}" for number, title in areas] + [_("All areas")],
        heat=True,
        note=_("Mean maturity level of the self-assessments handed in; the colour follows the level."),
    )
    for label, tally in children:
        table.rows.append(
            [label]
            + [_mean(tally.areas.get(str(number)), single=single) for number, _t in areas]
            + [_overall(tally, single=single)]
        )
    return table


def distribution_table(tally: Tally, *, meta: dict) -> Table:
    levels = meta.get("levels", [])
    areas = meta.get("areas", [])
    table = Table(
        key="levels",
        title=_("Distribution of maturity levels per focus area"),
        columns=[_("Focus area")]
        + [f"{level}. {label}" for level, label in levels]
        + [_("Does not apply"), _("Schools"), _("Mean")],
        note=_("Number of school units at each level, of those that have handed in."),
    )
    for number, title in areas:
        entry = tally.areas.get(str(number), {"n": 0, "sum": 0, "na": 0, "levels": {}})
        table.rows.append(
            [f"{number}. {title}"]
            + [entry["levels"].get(str(level), 0) for level, _l in levels]
            + [entry["na"], entry["n"], _mean(entry)]
        )
    table.chart = Chart(
        kind="stacked",
        labels=[f"{number}. {title}" for number, title in areas],
        series=[
            (
                f"{level}. {label}",
                [tally.areas.get(str(n), {"levels": {}})["levels"].get(str(level), 0) for n, _t in areas],
            )
            for level, label in levels
        ],
        description=_("School units at each maturity level, per focus area."),
        palette=maturity_colours(len(levels)),
    )
    return table


def groups_table(key: str, title: str, unit: str, groups: list[tuple[str, Tally]], *, meta: dict, note: str) -> Table:
    areas = meta.get("areas", [])
    table = Table(
        key=key,
        title=title,
        columns=[unit, _("Handed in")] + [f"{number}. {t}" for number, t in areas] + [_("All areas")],
        heat=True,
        note=note,
    )
    for label, tally in groups:
        table.rows.append(
            [label, _handed_in(tally)]
            + [_mean(tally.areas.get(str(number))) for number, _t in areas]
            + [_overall(tally)]
        )
    return table


def trend_table(years: list[tuple[int, Tally]], *, meta: dict, single: bool = False) -> Table:
    areas = meta.get("areas", [])
    table = Table(
        key="trend",
        title=_("Trend per focus area"),
        columns=[_("Year")] + [f"{number}. {title}" for number, title in areas] + [_("All areas")],
        heat=True,
        note=_("Mean maturity level each year the strategy has been followed up."),
    )
    for year, tally in years:
        table.rows.append(
            [str(year)]
            + [_mean(tally.areas.get(str(number)), single=single) for number, _t in areas]
            + [_overall(tally, single=single)]
        )
    table.chart = Chart(
        kind="lines",
        labels=[str(year) for year, _t in years],
        series=[
            (f"{number}. {title}", [_mean(t.areas.get(str(number))).value for _y, t in years])
            for number, title in areas
        ],
        description=_("Mean maturity level per focus area over the years."),
    )
    return table


def _indicator_value(value: float | None, unit: str, n: int | None) -> Figure:
    if unit == IndicatorUnit.PERCENT:
        return Figure(value, n, 1, " %")
    if unit == IndicatorUnit.YES_NO and value is not None:
        return Figure(100 * value, n, 0, " % " + _("yes"))
    return Figure(value, n, 2 if unit == IndicatorUnit.RATIO else 1)


def indicators_table(indicators: list[dict], columns: list[tuple[str, Tally, bool]]) -> Table:
    """Indicators against targets; the light is for the first column's value."""
    table = Table(
        key="indicators",
        title=_("Indicators against targets"),
        columns=[_("Indicator"), _("Target")]
        + [name for name, _t, _s in columns]
        + [_("Schools meeting the target"), _("Result")],
        note=_("Met: the mean reaches the target. Partly met: within 10 percent of it. Not met: further from it."),
    )
    for indicator in indicators:
        key = str(indicator["id"])
        target = indicator["target"]
        cells = []
        first = None
        for _name, tally, single in columns:
            entry = tally.indicators.get(key)
            value = entry["sum"] / entry["n"] if entry and entry["n"] else None
            cells.append(_indicator_value(value, indicator["unit"], None if single else (entry or {}).get("n", 0)))
            if first is None:
                first = (value, entry)
        value, entry = first
        share = (
            Figure(100 * entry["met"] / entry["n"], entry["n"], 0, " %")
            if entry and entry["n"] and target is not None
            else Figure(None, None)
        )
        target_text = _indicator_value(target, indicator["unit"], None) if target is not None else "–"
        if target is not None and indicator["direction"] == Direction.LOWER:
            target_text = _("at most %(target)s") % {"target": target_text}
        table.rows.append(
            [
                f"{indicator['code']} {indicator['name']}",
                str(target_text),
                *cells,
                share,
                light_for(value, target, indicator["direction"]),
            ]
        )
    return table


ACTION_STATUSES = [
    ActionStatus.PLANNED,
    ActionStatus.ONGOING,
    ActionStatus.DONE,
    ActionStatus.POSTPONED,
    ActionStatus.CANCELLED,
]


def plans_for(strategy_id: int, committee_ids: list[int] | None):
    """Each plan of the strategy with its actions counted per status and the goals its actions cover."""
    plans = ActionPlan.objects.filter(strategy_id=strategy_id)
    if committee_ids is not None:
        plans = plans.filter(committee_id__in=committee_ids)
    return plans.annotate(
        # Only the goals a committee's plan is asked to cover (not the city's) ...
        covered=Count("actions__goals", filter=~Q(actions__goals__level=OrganisationLevel.CITY), distinct=True),
        # ... and the city's, which the city office's own plan covers.
        covered_city=Count("actions__goals", filter=Q(actions__goals__level=OrganisationLevel.CITY), distinct=True),
        **{f"n_{s}": Count("actions", filter=Q(actions__status=s), distinct=True) for s in ACTION_STATUSES},
    )


def actions_table(
    children: list[tuple[object, int | None]],
    plans: dict[int | None, ActionPlan],
    *,
    goal_count: int,
    city_goal_count: int = 0,
) -> Table:
    """Actions per status in each child's plan; the child None is the city
    office, whose plan is asked to cover the city-level goals."""
    table = Table(
        key="actions",
        title=_("Action plans: actions per status"),
        columns=[_("Committee"), _("Action plan")]
        + [str(s.label) for s in ACTION_STATUSES]
        + [_("Goals without an action")],
        note=_("The strategy has %(count)s goals.") % {"count": goal_count},
    )
    for label, committee_id in children:
        plan = plans.get(committee_id)
        goals = city_goal_count if committee_id is None else goal_count
        if plan is None:
            table.rows.append([label, _("No action plan")] + [0] * len(ACTION_STATUSES) + [goals])
            continue
        covered = plan.covered_city if committee_id is None else plan.covered
        table.rows.append(
            [label, plan.get_status_display()]
            + [getattr(plan, f"n_{s}") for s in ACTION_STATUSES]
            + [max(0, goals - covered)]
        )
    table.chart = Chart(
        kind="stacked",
        labels=[str(label) for label, _c in children],
        series=[
            (
                str(s.label),
                [getattr(plans[c], f"n_{s}") if c in plans else 0 for _l, c in children],
            )
            for s in ACTION_STATUSES
        ],
        description=_("Actions per status in each committee's action plan."),
    )
    return table


def _band_label(band: int) -> str:
    return str(dict(SocioEconomicBand.choices).get(band, _("Not known")))


def _form_label(form: str) -> str:
    return str(dict(SchoolForm.choices).get(form, form))


def _goal_count(meta: dict) -> int:
    return meta.get("goal_count", 0)


def uncovered_goals(strategy_id: int, committee_id: int) -> list[Goal]:
    """The strategy's goals the committee's plan is asked to cover that no action of it serves."""
    return list(
        Goal.objects.filter(focus_area__strategy_id=strategy_id)
        .for_committee_plans()
        .exclude(actions__plan__committee_id=committee_id)
        .select_related("focus_area")
        .order_by("focus_area__number", "position", "number")
    )


def uncovered_table(goals: list[Goal]) -> Table:
    table = Table(
        key="uncovered",
        title=_("Goals without an action in the action plan"),
        columns=[_("Goal"), _("Text")],
        note=_("Every goal of the strategy is served by at least one action.") if not goals else "",
    )
    table.rows = [[goal.number, goal.text] for goal in goals]
    return table
