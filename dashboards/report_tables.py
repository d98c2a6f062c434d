"""The tables the executive board's yearly report computes itself, beyond the
dashboard's: means weighted by pupils and the change since last year, the
indicators' results (the schools' and the committees' own) and the action plans'
status at the end of the year. `report_content` collects them into the report."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplans.models import Action, ActionPlan, IndicatorValue, PeriodReport, TrafficLight
from dashboards import tables
from dashboards.blocks import ACTION_STATUSES
from dashboards.models import Rollup, SchoolResult
from dashboards.summaries import NOT_APPLICABLE, target_met
from dashboards.tables import Figure, Light, Table, cell_to_data
from followup.models import HANDED_IN_STATUSES, Cycle, SelfAssessment
from schools.models import Committee
from strategy.models import Direction, Goal, Indicator, IndicatorUnit, Reporter

# --- Means weighted by pupils ---------------------------------------------------------------


class Weighted:
    def __init__(self, table: Table, area_rows: dict, schools: int, counted: int):
        self.table = table
        self.area_rows = area_rows
        self.schools = schools
        self.counted = counted


def weighted_means(cycle: Cycle, areas: list) -> Weighted:
    """Each area's mean level counted per school and weighted by the school's pupils.

    The mean per school says how far the units have come; the mean weighted by
    pupils says how far the school of an average pupil has come. Schools without
    a pupil count are left out of the weighted mean only, and the table says how many."""
    pupils = _recorded_pupils(cycle)
    results = SchoolResult.objects.filter(cycle=cycle, status__in=HANDED_IN_STATUSES).values_list("school_id", "levels")
    sums: dict[int, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # n, sum, weight, weighted sum, without
    handed_in = 0
    counted = 0
    for school_id, levels in results:
        handed_in += 1
        weight = pupils.get(school_id)
        if weight:
            counted += 1
        for number, _title in areas:
            level = levels.get(str(number))
            if level is None or level == NOT_APPLICABLE:
                continue
            entry = sums[number]
            entry[0] += 1
            entry[1] += level
            if weight:
                entry[2] += weight
                entry[3] += weight * level
            else:
                entry[4] += 1
    table = Table(
        key="weighted",
        title=_("Maturity per focus area: per school and weighted by pupils"),
        columns=[
            _("Focus area"),
            _("Mean per school"),
            _("Schools"),
            _("Mean weighted by pupils"),
            _("Pupils"),
            _("Schools without a pupil count"),
        ],
        heat=True,
        note=_(
            "The mean per school counts every school unit once. The mean weighted by pupils counts each "
            "unit by its number of pupils: it tells how far the school of an average pupil has come."
        ),
    )
    area_rows = {}
    for number, title in areas:
        n, total, weight, weighted_total, without = sums.get(number, [0, 0, 0, 0, 0])
        mean = Figure(total / n if n else None, n)
        weighted = Figure(weighted_total / weight if weight else None, None)
        table.rows.append([f"{number}. {title}", mean, n, weighted, int(weight), without])
        area_rows[number] = [
            [_("Mean per school"), cell_to_data(mean)],
            [_("Mean weighted by pupils"), cell_to_data(weighted)],
            [_("Schools that answered"), n],
        ]
    return Weighted(table, area_rows, handed_in, counted)


def add_last_year(cycle: Cycle, weighted: Weighted) -> None:
    """Beside each area's means: the city's mean per school last year, and the change since."""
    earlier = Cycle.objects.filter(strategy_id=cycle.strategy_id, year__lt=cycle.year).order_by("-year").first()
    if earlier is None:
        return
    city = Rollup.objects.filter(cycle=earlier, key=Rollup.key_for(None)).first()
    for number, rows in weighted.area_rows.items():
        entry = (city.areas if city else {}).get(str(number))
        before = entry["sum"] / entry["n"] if entry and entry["n"] else None
        now = rows[0][1]["f"]
        rows.append([_("Mean per school %(year)s") % {"year": earlier.year}, cell_to_data(Figure(before, None))])
        change = Figure(now - before, None) if now is not None and before is not None else None
        rows.append([_("Change since %(year)s") % {"year": earlier.year}, cell_to_data(change)])


def _recorded_pupils(cycle: Cycle) -> dict[int, int | None]:
    """Each school's number of pupils as recorded for the follow-up (what it had that year)."""
    return dict(SelfAssessment.objects.filter(cycle=cycle).values_list("school_id", "pupil_count"))


def change_table(cycle: Cycle, areas: list) -> Table:
    """Each committee's mean level per area this year and its change since last year."""
    earlier = Cycle.objects.filter(strategy_id=cycle.strategy_id, year__lt=cycle.year).order_by("-year").first()
    cycles = [cycle] + ([earlier] if earlier else [])
    rollups = {
        (r.cycle_id, r.committee_id): r
        for r in Rollup.objects.filter(cycle__in=cycles, school_form="", ses_band__isnull=True).select_related(
            "committee"
        )
    }
    committees = sorted(
        {r.committee for (c, _k), r in rollups.items() if c == cycle.pk and r.committee is not None},
        key=lambda c: c.name,
    )
    since = _("Change since %(year)s") % {"year": earlier.year if earlier else "–"}
    table = Table(
        key="change",
        title=_("Maturity per committee and focus area, with the change since last year"),
        columns=[_("Committee")] + [column for number, title in areas for column in (f"{number}. {title}", since)],
        heat=False,
        note=(
            _("Mean level this year, and the change from %(year)s in levels (positive: higher).")
            % {"year": earlier.year}
            if earlier
            else _("There is no earlier follow-up of the strategy to compare with.")
        ),
    )

    def mean(rollup, number):
        entry = (rollup.areas if rollup else {}).get(str(number))
        return entry["sum"] / entry["n"] if entry and entry["n"] else None

    for committee in committees:
        row = [committee.name]
        this = rollups.get((cycle.pk, committee.pk))
        before = rollups.get((earlier.pk, committee.pk)) if earlier else None
        for number, _title in areas:
            now_value, then_value = mean(this, number), mean(before, number)
            entry = (this.areas if this else {}).get(str(number)) or {}
            row.append(Figure(now_value, entry.get("n", 0)))
            both = now_value is not None and then_value is not None
            row.append(Figure(now_value - then_value, None, 1, "") if both else None)
        table.rows.append(row)
    return table


# --- Indicators -----------------------------------------------------------------------------


def _value_figure(value: float | None, unit: str, n: int | None) -> Figure:
    if unit == IndicatorUnit.YES_NO and value is not None:
        return Figure(100 * value, n, 0, " %")
    if unit in (IndicatorUnit.PERCENT, IndicatorUnit.YES_NO):
        return Figure(value, n, 1, " %")
    return Figure(value, n, 2 if unit == IndicatorUnit.RATIO else 1)


def school_indicators_table(cycle: Cycle, meta: dict) -> Table:
    """The school-reported indicators: city mean per school and weighted by pupils, against the target."""
    table = Table(
        key="indicators",
        title=_("Indicators reported by the schools, against targets"),
        columns=[
            _("Indicator"),
            _("Owner"),
            _("Better when"),
            _("Target"),
            _("Mean per school"),
            _("Schools"),
            _("Mean weighted by pupils"),
            _("Schools meeting the target"),
            _("Result"),
        ],
        note=_(
            "Met: the mean per school reaches the target. Partly met: within 10 percent of it. "
            "A committee's own indicator is counted over that committee's schools."
        ),
    )
    pupils = _recorded_pupils(cycle)
    committees = dict(Committee.objects.values_list("pk", "name"))
    values: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for school_id, found in SchoolResult.objects.filter(cycle=cycle, status__in=HANDED_IN_STATUSES).values_list(
        "school_id", "indicators"
    ):
        for key, value in found.items():
            values[key].append((school_id, value))
    for indicator in meta.get("indicators", []):
        found = values.get(str(indicator["id"]), [])
        target = indicator["target"]
        n = len(found)
        mean = sum(v for _s, v in found) / n if n else None
        weights = [(pupils.get(s) or 0, v) for s, v in found if pupils.get(s)]
        weight = sum(w for w, _v in weights)
        weighted = sum(w * v for w, v in weights) / weight if weight else None
        met = sum(1 for _s, v in found if target is not None and target_met(v, target, indicator["direction"]))
        table.rows.append(
            [
                f"{indicator['code']} {indicator['name']}",
                committees.get(indicator["owner"], _("The city")),
                _("lower") if indicator["direction"] == Direction.LOWER else _("higher"),
                _value_figure(target, indicator["unit"], None) if target is not None else None,
                _value_figure(mean, indicator["unit"], n),
                n,
                _value_figure(weighted, indicator["unit"], None),
                Figure(100 * met / n, None, 0, " %") if n and target is not None else None,
                tables.light_for(mean, target, indicator["direction"]),
            ]
        )
    return table


def committee_indicators_table(cycle: Cycle) -> Table:
    """The indicators the committees report in their period reports: the latest value of the year."""
    table = Table(
        key="committee_indicators",
        title=_("Indicators reported by the committees, against targets"),
        columns=[
            _("Indicator"),
            _("Committee"),
            _("Better when"),
            _("Target"),
            _("Value"),
            _("Reported in"),
            _("Result"),
        ],
        note=_("The value from the committee's latest period report of the year."),
    )
    indicators = (
        Indicator.objects.filter(goal__focus_area__strategy_id=cycle.strategy_id, reported_by=Reporter.COMMITTEE)
        .select_related("owner")
        .prefetch_related("targets")
    )
    latest: dict[tuple[int, int], IndicatorValue] = {}
    for value in (
        IndicatorValue.objects.filter(
            report__plan__strategy_id=cycle.strategy_id, report__period__year=cycle.year, value__isnull=False
        )
        .select_related("report__period", "report__plan__committee")
        .order_by("report__period__deadline", "pk")
    ):
        latest[(value.indicator_id, value.report.plan.committee_id)] = value
    for indicator in indicators:
        target = indicator.target_for(cycle.year)
        target = float(target) if target is not None else None
        rows = sorted((v for (i, _c), v in latest.items() if i == indicator.pk), key=lambda v: v.report.plan.owner_name)
        if not rows:
            table.rows.append(
                [
                    str(indicator),
                    indicator.owner.name if indicator.owner else _("No committee has reported it"),
                    _("lower") if indicator.direction == Direction.LOWER else _("higher"),
                    _value_figure(target, indicator.unit, None) if target is not None else None,
                    None,
                    "–",
                    Light(None),
                ]
            )
        for value in rows:
            number = float(value.value)
            table.rows.append(
                [
                    str(indicator),
                    value.report.plan.owner_name,
                    _("lower") if indicator.direction == Direction.LOWER else _("higher"),
                    _value_figure(target, indicator.unit, None) if target is not None else None,
                    _value_figure(number, indicator.unit, None),
                    str(value.report.period),
                    tables.light_for(number, target, indicator.direction),
                ]
            )
    return table


# --- Action plans -----------------------------------------------------------------------------


def plans_table(cycle: Cycle, *, now: datetime.datetime) -> Table:
    """Every committee with its action plan as it stood at the end of the report's
    year: the actions per status then, and the lights of the year's latest period report."""
    end_of_year = timezone.make_aware(datetime.datetime(cycle.year, 12, 31, 23, 59, 59))
    as_of = min(now, end_of_year)
    table = Table(
        key="plans",
        title=_("Each committee's action plan at the end of %(year)s") % {"year": cycle.year},
        columns=[_("Committee"), _("Action plan"), _("Decided")]
        + [str(s.label) for s in ACTION_STATUSES]
        + [
            _("Latest report"),
            str(TrafficLight.GREEN.label),
            str(TrafficLight.YELLOW.label),
            str(TrafficLight.RED.label),
        ],
        note=_(
            "The actions' status as recorded on %(date)s; the traffic lights are from the committee's "
            "latest period report of the year. Every committee is listed."
        )
        % {"date": timezone.localdate(as_of).isoformat()},
    )
    plans = {p.committee_id: p for p in ActionPlan.objects.filter(strategy_id=cycle.strategy_id)}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for record in Action.history.as_of(as_of).filter(plan_id__in=[p.pk for p in plans.values()]):
        counts[record.plan_id][record.status] += 1
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
    owners = [(committee.pk, committee.name) for committee in Committee.objects.order_by("name")]
    city_goals = Goal.objects.filter(focus_area__strategy_id=cycle.strategy_id).for_city_plan()
    if None in plans or city_goals.exists():  # the city office's own plan for the city's goals, first
        owners.insert(0, (None, str(_("The city office"))))
    for owner, name in owners:
        plan = plans.get(owner)
        if plan is None:
            table.rows.append(
                [name, _("no action plan"), "–"] + [None] * len(ACTION_STATUSES) + ["–", None, None, None]
            )
            continue
        report = latest.get(plan.pk)
        table.rows.append(
            [name, str(plan.get_status_display()), plan.decided_on.isoformat() if plan.decided_on else "–"]
            + [counts[plan.pk].get(s, 0) for s in ACTION_STATUSES]
            + [
                str(report.period) if report else _("None yet"),
                report.green if report else 0,
                report.yellow if report else 0,
                report.red if report else 0,
            ]
        )
    return table
