"""What the dashboards show: the read side, from the pre-computed summaries only.

Each view of a dashboard is a `Table` (title, columns, rows of cells) that the
page, the CSV download, the Excel workbook and the PDF all render. The number
of queries is fixed per level: it does not grow with schools or years.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, JSONField, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actionplans.models import PlanStatus
from dashboards.blocks import (
    _band_label,
    _form_label,
    _goal_count,
    _mean,
    _school_tally,
    _tally,
    actions_table,
    completeness_table,
    distribution_table,
    groups_table,
    headline_figures,
    heat_table,
    indicators_table,
    plans_for,
    school_headline_figures,
    trend_table,
    uncovered_goals,
    uncovered_table,
)
from dashboards.computed import dashboard_computed_table
from dashboards.models import CycleSummary, Rollup, SchoolResult
from dashboards.summaries import NOT_APPLICABLE, Tally, indicator_targets
from dashboards.tables import Dashboard, Figure, Link, Table, dashboard_url
from followup.models import HANDED_IN_STATUSES, Cycle
from schools.models import Committee, School, SchoolForm


@dataclass
class Scope:
    """Which dashboard: a year, and the whole city, a committee or a school unit, perhaps one school form."""

    cycle: Cycle
    committee: Committee | None = None
    school: School | None = None
    form: str = ""
    cycles: tuple[Cycle, ...] = ()  # every follow-up, newest first, for the filter

    @property
    def level(self) -> str:
        return "school" if self.school else "committee" if self.committee else "city"

    @property
    def meta(self) -> dict:
        return _summary(self.cycle)[0]

    @property
    def refreshed_at(self) -> datetime.datetime | None:
        """When the summaries were last brought up to date (without reading their description)."""
        summary = _summary_row(self.cycle)
        return summary.refreshed_at if summary else None

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
            self.cycle.pk,
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
            return school_dashboard(self.cycle, self.school, self.committee)
        if self.committee:
            return committee_dashboard(self.cycle, self.committee, form=self.form)
        return city_dashboard(self.cycle, form=self.form)


# --- The three levels -------------------------------------------------------------------


def _summary_row(cycle: Cycle) -> CycleSummary | None:
    """The cycle's summary row, read with the cycle when it was fetched with select_related("summary")."""
    relation = Cycle.summary.related
    summary = relation.get_cached_value(cycle) if relation.is_cached(cycle) else None
    if summary is None:  # not read with the cycle, or not there when it was
        summary = CycleSummary.objects.filter(cycle=cycle).first()
        relation.set_cached_value(cycle, summary)
    return summary


def _summary(cycle: Cycle) -> tuple[dict, datetime.datetime | None]:
    summary = _summary_row(cycle)
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


def _city_office_first(plans: dict, meta: dict) -> list[tuple[str, None]]:
    """The city office's row in the city's table of plans, when it has a plan or the strategy city goals."""
    if None in plans or meta.get("city_goal_count"):
        return [(str(_("The city office")), None)]
    return []


def city_dashboard(cycle: Cycle, *, form: str = "") -> Dashboard:
    meta, refreshed_at = _summary(cycle)
    children, own, _city, bands, forms, trend = _split(_rollups(cycle, None, form), cycle, None, form)
    committees = sorted((r.committee for r in children.values()), key=lambda c: c.name)
    by_committee = [
        (Link(c.name, dashboard_url(cycle.pk, committee=c.pk, form=form)), _tally(children[c.pk])) for c in committees
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
        *_present(dashboard_computed_table(cycle)),
        actions_table(
            _city_office_first(plans, meta)
            + [(Link(c.name, dashboard_url(cycle.pk, committee=c.pk)), c.pk) for c in committees],
            plans,
            goal_count=_goal_count(meta),
            city_goal_count=meta.get("city_goal_count", 0),
        ),
        _equity_table(bands, meta),
    ]
    headline = headline_figures(
        total,
        _tally(trend[cycle.year - 1]) if cycle.year - 1 in trend else None,
        [i for i in meta.get("indicators", []) if i["owner"] is None],
        year=cycle.year,
    )
    return Dashboard("city", cycle, None, None, form, refreshed_at, tables, headline)


def _present(table: Table | None) -> list[Table]:
    """A table that is there only when the strategy has something for it."""
    return [table] if table is not None else []


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
    # Every unit of the committee that year: the computed indicators count them all, the rest
    # of the dashboard those with the chosen school form.
    results = list(SchoolResult.objects.filter(cycle=cycle, committee=committee).select_related("school"))
    schools = sorted((r for r in results if not form or f",{form}," in r.forms), key=lambda r: r.school.name)
    by_school = [
        (Link(r.school.name, dashboard_url(cycle.pk, school=r.school_id)), _school_tally(r, targets)) for r in schools
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
        *_present(
            dashboard_computed_table(
                cycle,
                committee=committee,
                results=results,
                adopted={c for c, p in plans.items() if p.status == PlanStatus.ADOPTED},
            )
        ),
        actions_table([(committee.name, committee.pk)], plans, goal_count=_goal_count(meta)),
        uncovered_table(uncovered_goals(cycle.strategy_id, committee.pk)),
        _equity_table(bands, meta),
    ]
    headline = headline_figures(
        total, _tally(trend[cycle.year - 1]) if cycle.year - 1 in trend else None, indicators, year=cycle.year
    )
    return Dashboard("committee", cycle, committee, None, form, refreshed_at, tables, headline)


def school_dashboard(cycle: Cycle, school: School, committee: Committee | None = None) -> Dashboard:
    """A school compared with its committee of that follow-up (`committee`; its
    committee now if not given) and the city, and with schools of its band that year."""
    committee = committee or school.committee
    meta, refreshed_at = _summary(cycle)
    targets = indicator_targets(meta)
    results = {
        r.cycle.year: r
        for r in SchoolResult.objects.filter(
            school=school, cycle__strategy_id=cycle.strategy_id, cycle__year__lte=cycle.year
        ).select_related("cycle")
    }
    this_year = results.get(cycle.year)
    band = (this_year.ses_band if this_year else school.ses_band) or 0
    comparison = {
        (r.committee_id, r.ses_band): r
        for r in Rollup.objects.filter(
            Q(committee_id=committee.pk) | Q(committee__isnull=True),
            cycle=cycle,
            school_form="",
        ).filter(Q(ses_band__isnull=True) | Q(committee__isnull=True, ses_band=band))
    }
    own = _school_tally(results.get(cycle.year), targets)
    committee_tally = _tally(comparison.get((committee.pk, None)))
    city_tally = _tally(comparison.get((None, None)))
    band_tally = _tally(comparison.get((None, band)))
    result = results.get(cycle.year)
    plans = {p.committee_id: p for p in plans_for(cycle.strategy_id, [committee.pk])}
    indicators = [i for i in meta.get("indicators", []) if i["owner"] in (None, committee.pk)]
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
        actions_table([(committee.name, committee.pk)], plans, goal_count=_goal_count(meta)),
        uncovered_table(uncovered_goals(cycle.strategy_id, committee.pk)),
    ]
    last_year = results.get(cycle.year - 1)
    headline = school_headline_figures(
        own,
        _school_tally(last_year, targets) if last_year is not None else None,
        committee_tally,
        city_tally,
        indicators,
        year=cycle.year,
        status=result.status if result is not None else "",
        on_time=result.on_time if result is not None else None,
    )
    return Dashboard("school", cycle, committee, school, "", refreshed_at, tables, headline)


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
