"""What the dashboards show: the read side, from the pre-computed summaries only.

Each view of a dashboard is a `Table` (title, columns, rows of cells) that the
page, the CSV download, the Excel workbook and the PDF all render. The number
of queries is fixed per level: it does not grow with schools or years.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, F, JSONField, Q, Value, When
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan, ActionStatus
from dashboards.models import CycleSummary, Rollup, SchoolResult
from dashboards.summaries import NOT_APPLICABLE, Tally, indicator_targets, target_met
from followup.models import HANDED_IN_STATUSES, AssessmentStatus, Cycle
from schools.models import Committee, School, SchoolForm, SocioEconomicBand
from strategy.models import Direction, Goal, IndicatorUnit

PARTLY_MARGIN = 0.10  # within 10 % of the target is "partly met"


# --- Cells ----------------------------------------------------------------------


@dataclass
class Figure:
    """A mean or share, with the number of schools it rests on.

    `n` is None for a single school's own value, which is not an average."""

    value: float | None
    n: int | None = None
    decimals: int = 1
    suffix: str = ""

    @property
    def small(self) -> bool:
        return self.n is not None and 0 < self.n < settings.DASHBOARD_SMALL_GROUP

    @property
    def text(self) -> str:
        return self.formatted(formats.get_format("DECIMAL_SEPARATOR"))

    def formatted(self, decimal_separator: str) -> str:
        """The value as the language writes it ("2,5"); `decimal_separator` read once for a whole table."""
        if self.value is None:
            return "–"
        return f"{self.value:.{self.decimals}f}".replace(".", decimal_separator) + self.suffix

    def __str__(self) -> str:
        if self.small:
            return _("%(value)s (n = %(n)s)") % {"value": self.text, "n": self.n}
        return self.text

    @property
    def heat(self) -> int | None:
        """A colour class 1–5 for a maturity level, by the value rounded."""
        if self.value is None:
            return None
        return max(1, min(5, round(self.value)))


@dataclass
class Link:
    text: str
    url: str

    def __str__(self) -> str:
        return self.text


class Light:
    MET, PARTLY, NOT_MET = "met", "partly", "not_met"

    def __init__(self, state: str | None):
        self.state = state

    def __str__(self) -> str:
        labels = {self.MET: _("Met"), self.PARTLY: _("Partly met"), self.NOT_MET: _("Not met")}
        return labels.get(self.state, "–")


def light_for(value: float | None, target: float | None, direction: str) -> Light:
    """Met when the value reaches the target; partly when within 10 % of it."""
    if value is None or target is None:
        return Light(None)
    if target_met(value, target, direction):
        return Light(Light.MET)
    gap = (target - value) if direction != Direction.LOWER else (value - target)
    if target and gap <= abs(target) * PARTLY_MARGIN:
        return Light(Light.PARTLY)
    return Light(Light.NOT_MET)


# --- Tables and charts --------------------------------------------------------------


@dataclass
class Chart:
    """What to draw from a table: stacked bars of counts, or lines over years."""

    kind: str  # "stacked" | "lines"
    labels: list[str]  # one per bar or per x value
    series: list[tuple[str, list[float | None]]]  # name, one value per label
    description: str = ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    chart: Chart | None = None
    heat: bool = False  # Figure cells coloured by maturity level


@dataclass
class Dashboard:
    level: str  # "city" | "committee" | "school"
    cycle: Cycle
    committee: Committee | None
    school: School | None
    form: str
    refreshed_at: datetime.datetime | None
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


@dataclass
class Scope:
    """Which dashboard: a year, and the whole city, a committee or a school unit, perhaps one school form."""

    cycle: Cycle
    committee: Committee | None = None
    school: School | None = None
    form: str = ""
    years: tuple[int, ...] = ()  # every year followed up, newest first, for the year filter

    @property
    def level(self) -> str:
        return "school" if self.school else "committee" if self.committee else "city"

    @property
    def meta(self) -> dict:
        return _summary(self.cycle)[0]

    @property
    def refreshed_at(self) -> datetime.datetime | None:
        return _summary(self.cycle)[1]

    @property
    def form_label(self) -> str:
        return str(dict(SchoolForm.choices).get(self.form, ""))

    @property
    def small_group(self) -> int:
        return settings.DASHBOARD_SMALL_GROUP

    @property
    def query(self) -> str:
        """The query string that names this dashboard."""
        return dashboard_url(
            self.cycle.year,
            committee=self.committee.pk if self.committee and not self.school else None,
            school=self.school.pk if self.school else None,
            form=self.form,
        ).split("?", 1)[1]

    def cache_key(self) -> str:
        """Changes with every refresh of the summaries, the language and the small-group limit."""
        refreshed = self.refreshed_at.timestamp() if self.refreshed_at else "none"
        place = self.school.pk if self.school else self.committee.pk if self.committee else ""
        return (
            f"dashboard:v1:{self.cycle.pk}:{self.level}:{place}:{self.form}:{refreshed}:"
            f"{get_language()}:{self.small_group}"
        )

    def build(self) -> Dashboard:
        if self.school:
            return school_dashboard(self.cycle, self.school)
        if self.committee:
            return committee_dashboard(self.cycle, self.committee, form=self.form)
        return city_dashboard(self.cycle, form=self.form)


@functools.cache
def _dashboard_path() -> str:
    return reverse("dashboards:dashboard")


def dashboard_url(cycle_year: int, *, committee: int | None = None, school: int | None = None, form: str = "") -> str:
    """The dashboard's address; called for every row that links down, so the path is looked up once."""
    query = f"year={int(cycle_year)}"
    if committee:
        query += f"&committee={int(committee)}"
    if school:
        query += f"&school={int(school)}"
    if form:
        query += "&" + urlencode({"form": form})
    return f"{_dashboard_path()}?{query}"


# --- Building blocks ----------------------------------------------------------------


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
    table = Table(
        key="completeness",
        title=_("Completeness"),
        columns=[unit, _("School units")]
        + [str(s.label) for s in statuses]
        + [_("Handed in, share"), _("On time"), _("After the deadline"), _("Late, not handed in")],
        note=(_("The deadline was %(date)s.") if past else _("The deadline is %(date)s."))
        % {"date": formats.date_format(deadline, "j F Y") if deadline else "–"},
    )
    total = Tally()
    for label, tally in children:
        table.rows.append(_completeness_row(label, tally, statuses, past))
        total.schools += tally.schools
        for k, v in tally.statuses.items():
            total.statuses[k] += v
    if len(children) > 1:
        table.rows.append(_completeness_row(_("Total"), total, statuses, past))
    table.chart = Chart(
        kind="stacked",
        labels=[str(label) for label, _t in children],
        series=[(str(s.label), [t.statuses.get(s, 0) for _l, t in children]) for s in reversed(statuses)],
        description=_("Self-assessments by status per %(unit)s.") % {"unit": unit.lower()},
    )
    return table


def _completeness_row(label, tally: Tally, statuses, past: bool) -> list:
    handed_in = _handed_in(tally)
    return (
        [label, tally.schools]
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
        covered=Count("actions__goals", distinct=True),
        **{f"n_{s}": Count("actions", filter=Q(actions__status=s), distinct=True) for s in ACTION_STATUSES},
    )


def actions_table(children: list[tuple[object, int]], plans: dict[int, ActionPlan], *, goal_count: int) -> Table:
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
        if plan is None:
            table.rows.append([label, _("No action plan")] + [0] * len(ACTION_STATUSES) + [goal_count])
            continue
        table.rows.append(
            [label, plan.get_status_display()]
            + [getattr(plan, f"n_{s}") for s in ACTION_STATUSES]
            + [max(0, goal_count - plan.covered)]
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


# --- The three levels -------------------------------------------------------------------


def _summary(cycle: Cycle) -> tuple[dict, datetime.datetime | None]:
    """The cycle's summary row, read with the cycle when it was fetched with select_related("summary")."""
    relation = Cycle.summary.related
    summary = relation.get_cached_value(cycle) if relation.is_cached(cycle) else None
    if summary is None:  # not read with the cycle, or not there when it was
        summary = CycleSummary.objects.filter(cycle=cycle).first()
        relation.set_cached_value(cycle, summary)
    if summary is None:
        return {}, None
    return summary.meta, summary.refreshed_at


def _split(rollups, cycle: Cycle, committee_id: int | None, form: str):
    """Sort the rollup rows of one query into the groups a dashboard shows."""
    children: dict[int, Rollup] = {}
    own: Rollup | None = None
    city: Rollup | None = None
    bands: dict[int, Rollup] = {}
    forms: dict[str, Rollup] = {}
    trend: dict[int, Rollup] = {}
    for r in rollups:
        mine = r.committee_id == committee_id
        if r.cycle_id != cycle.pk:
            if mine and r.school_form == form and r.ses_band is None:
                trend[r.year] = r
            continue
        if r.ses_band is None and r.school_form == form:
            if mine:
                own = r
            if r.committee_id is None:
                city = r
            elif committee_id is None:
                children[r.committee_id] = r
        if mine and r.ses_band is not None and r.school_form == form:
            bands[r.ses_band] = r
        if mine and r.ses_band is None and r.school_form:
            forms[r.school_form] = r
    if own is not None:
        trend[cycle.year] = own
    return children, own, city, bands, forms, trend


def _rollups(cycle: Cycle, committee_id: int | None, form: str):
    mine = Q(committee_id=committee_id) if committee_id else Q(committee__isnull=True)
    this_year = Q(cycle=cycle) & (
        Q(school_form=form, ses_band__isnull=True)  # every committee and the city
        | (mine & Q(school_form=form))  # own, by band
        | (mine & Q(ses_band__isnull=True))  # own, by school form
    )
    if committee_id:
        this_year &= Q(committee_id=committee_id) | Q(committee__isnull=True)
    earlier = (
        Q(
            cycle__strategy_id=cycle.strategy_id,
            cycle__year__lt=cycle.year,
            school_form=form,
            ses_band__isnull=True,
        )
        & mine
    )
    # Indicator figures are read only for the rows the indicator table shows (own and the city's):
    # decoding them for every committee's row would cost more than the rest of the page.
    needed = Q(cycle=cycle, key__in=[Rollup.key_for(committee_id, form), Rollup.key_for(None, form)])
    rows = list(
        Rollup.objects.filter(this_year | earlier)
        .select_related("committee")
        .defer("indicators")
        .annotate(
            year=F("cycle__year"),
            indicator_figures=Case(When(needed, then=F("indicators")), default=Value(None), output_field=JSONField()),
        )
    )
    for row in rows:
        row.indicators = row.indicator_figures or {}
    return rows


def city_dashboard(cycle: Cycle, *, form: str = "") -> Dashboard:
    meta, refreshed_at = _summary(cycle)
    children, own, _city, bands, forms, trend = _split(_rollups(cycle, None, form), cycle, None, form)
    committees = sorted((r.committee for r in children.values()), key=lambda c: c.name)
    by_committee = [
        (Link(c.name, dashboard_url(cycle.year, committee=c.pk, form=form)), _tally(children[c.pk])) for c in committees
    ]
    total = _tally(own)
    plans = {p.committee_id: p for p in plans_for(cycle.strategy_id, None)}
    tables = [
        completeness_table(by_committee, unit=_("Committee"), meta=meta, today=timezone.localdate()),
        heat_table(by_committee, unit=_("Committee"), meta=meta),
        distribution_table(total, meta=meta),
        _forms_table(forms, meta),
        trend_table([(y, _tally(trend[y])) for y in sorted(trend)], meta=meta),
        indicators_table(
            [i for i in meta.get("indicators", []) if i["owner"] is None], [(_("City, mean"), total, False)]
        ),
        actions_table(
            [(Link(c.name, dashboard_url(cycle.year, committee=c.pk)), c.pk) for c in committees],
            plans,
            goal_count=_goal_count(meta),
        ),
        _equity_table(bands, meta),
    ]
    return Dashboard("city", cycle, None, None, form, refreshed_at, tables)


def _forms_table(forms: dict[str, Rollup], meta: dict) -> Table:
    order = list(dict(SchoolForm.choices))
    return groups_table(
        "forms",
        _("Maturity per school form"),
        _("School form"),
        [(_form_label(f), _tally(forms[f])) for f in sorted(forms, key=order.index)],
        meta=meta,
        note=_("A school unit with several school forms counts in each of them."),
    )


def _equity_table(bands: dict[int, Rollup], meta: dict) -> Table:
    return groups_table(
        "equity",
        _("Equity: maturity by socio-economic index band"),
        _("Socio-economic band"),
        [(_band_label(b), _tally(bands[b])) for b in sorted(bands, key=lambda b: (b == 0, b))],
        meta=meta,
        note=_(
            "The strategy aims to counter differences between cultures, gender and social background: "
            "compare the school units by the need of their pupils (band 1 lowest, 5 highest)."
        ),
    )


def committee_dashboard(cycle: Cycle, committee: Committee, *, form: str = "") -> Dashboard:
    meta, refreshed_at = _summary(cycle)
    targets = indicator_targets(meta)
    _children, own, city, bands, forms, trend = _split(_rollups(cycle, committee.pk, form), cycle, committee.pk, form)
    results = SchoolResult.objects.filter(cycle=cycle, committee=committee).select_related("school")
    if form:
        results = results.filter(forms__contains=f",{form},")
    schools = sorted(results, key=lambda r: r.school.name)
    by_school = [
        (Link(r.school.name, dashboard_url(cycle.year, school=r.school_id)), _school_tally(r, targets)) for r in schools
    ]
    total = _tally(own)
    plans = {p.committee_id: p for p in plans_for(cycle.strategy_id, [committee.pk])}
    indicators = [i for i in meta.get("indicators", []) if i["owner"] in (None, committee.pk)]
    tables = [
        completeness_table(by_school, unit=_("School unit"), meta=meta, today=timezone.localdate()),
        heat_table(by_school, unit=_("School unit"), meta=meta, single=True),
        distribution_table(total, meta=meta),
        _forms_table(forms, meta),
        trend_table([(y, _tally(trend[y])) for y in sorted(trend)], meta=meta),
        indicators_table(indicators, [(_("Committee, mean"), total, False), (_("City, mean"), _tally(city), False)]),
        actions_table([(committee.name, committee.pk)], plans, goal_count=_goal_count(meta)),
        uncovered_table(uncovered_goals(cycle.strategy_id, committee.pk)),
        _equity_table(bands, meta),
    ]
    return Dashboard("committee", cycle, committee, None, form, refreshed_at, tables)


def school_dashboard(cycle: Cycle, school: School) -> Dashboard:
    meta, refreshed_at = _summary(cycle)
    targets = indicator_targets(meta)
    results = {
        r.cycle.year: r
        for r in SchoolResult.objects.filter(
            school=school, cycle__strategy_id=cycle.strategy_id, cycle__year__lte=cycle.year
        ).select_related("cycle")
    }
    band = school.ses_band or 0
    comparison = {
        (r.committee_id, r.ses_band): r
        for r in Rollup.objects.filter(
            Q(committee_id=school.committee_id) | Q(committee__isnull=True),
            cycle=cycle,
            school_form="",
        ).filter(Q(ses_band__isnull=True) | Q(committee__isnull=True, ses_band=band))
    }
    own = _school_tally(results.get(cycle.year), targets)
    committee_tally = _tally(comparison.get((school.committee_id, None)))
    city_tally = _tally(comparison.get((None, None)))
    band_tally = _tally(comparison.get((None, band)))
    result = results.get(cycle.year)
    plans = {p.committee_id: p for p in plans_for(cycle.strategy_id, [school.committee_id])}
    indicators = [i for i in meta.get("indicators", []) if i["owner"] in (None, school.committee_id)]
    tables = [
        completeness_table([(school.name, own)], unit=_("School unit"), meta=meta, today=timezone.localdate()),
        _comparison_table(result, meta, committee_tally, city_tally, band_tally, band),
        trend_table([(y, _school_tally(results[y], targets)) for y in sorted(results)], meta=meta, single=True),
        indicators_table(
            indicators,
            [
                (_("The school unit"), own, True),
                (_("Committee, mean"), committee_tally, False),
                (_("City, mean"), city_tally, False),
            ],
        ),
        actions_table([(school.committee.name, school.committee_id)], plans, goal_count=_goal_count(meta)),
        uncovered_table(uncovered_goals(cycle.strategy_id, school.committee_id)),
    ]
    return Dashboard("school", cycle, school.committee, school, "", refreshed_at, tables)


def _comparison_table(result, meta, committee: Tally, city: Tally, band: Tally, band_number: int) -> Table:
    table = Table(
        key="maturity",
        title=_("Maturity per focus area, compared"),
        columns=[
            _("Focus area"),
            _("The school unit"),
            _("Committee, mean"),
            _("City, mean"),
            _("Same socio-economic band in the city (%(band)s), mean") % {"band": _band_label(band_number)},
        ],
        heat=True,
        note=_("The school's own level beside the means of the self-assessments handed in."),
    )
    levels = result.levels if result is not None and result.status in HANDED_IN_STATUSES else {}
    for number, title in meta.get("areas", []):
        own = levels.get(str(number))
        table.rows.append(
            [
                f"{number}. {title}",
                _("Does not apply") if own == NOT_APPLICABLE else Figure(own, None, 0),
                _mean(committee.areas.get(str(number))),
                _mean(city.areas.get(str(number))),
                _mean(band.areas.get(str(number))),
            ]
        )
    return table


def uncovered_goals(strategy_id: int, committee_id: int) -> list[Goal]:
    """The strategy's goals that no action of the committee's plan serves."""
    return list(
        Goal.objects.filter(focus_area__strategy_id=strategy_id)
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
