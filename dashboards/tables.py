"""The dashboards' tables: cells with their figures, links and traffic lights,
and the tables, charts and dashboards made of them. The page, the CSV download,
the Excel workbook and the PDF all render these tables; the building blocks of
each level's dashboard, read from the pre-computed summaries, are in
`dashboards.blocks`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.paths import path_to
from dashboards.summaries import target_met
from followup.models import Cycle
from schools.models import Committee, School
from strategy.models import Direction

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
    palette: list[str] | None = None  # colours with a meaning, one per series; else the chart's own


# The design system's colours (static/scss/_tokens.scss): a status keeps its
# colour everywhere, and maturity levels run from light to dark in order.
STATUS_COLOURS = {
    "not_started": "#8a939c",
    "draft": "#6fa8dc",
    "submitted": "#0a58a8",
    "returned": "#c77700",
    "approved": "#146c43",
}
MATURITY_RAMP = ["#e3eef9", "#b3d1ee", "#6fa8dc", "#2f6fb3", "#0b3a6e"]


def maturity_colours(count: int) -> list[str]:
    """`count` steps of the maturity ramp, lightest first, spread over its whole length."""
    if count <= 1:
        return MATURITY_RAMP[-1:] * count
    return [MATURITY_RAMP[round(i * (len(MATURITY_RAMP) - 1) / (count - 1))] for i in range(count)]


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
class Headline:
    """One of the few figures a dashboard opens with."""

    label: str
    value: str
    note: str = ""


@dataclass
class Dashboard:
    level: str  # "city" | "committee" | "school"
    cycle: Cycle
    committee: Committee | None
    school: School | None
    form: str
    refreshed_at: datetime.datetime | None
    tables: list[Table]
    headline: list[Headline] = field(default_factory=list)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def dashboard_url(cycle_id: int, *, committee: int | None = None, school: int | None = None, form: str = "") -> str:
    """The dashboard's address for a follow-up (a year may hold several); called
    for every row that links down, so the path is looked up once."""
    query = f"cycle={int(cycle_id)}"
    if committee:
        query += f"&committee={int(committee)}"
    if school:
        query += f"&school={int(school)}"
    if form:
        query += "&" + urlencode({"form": form})
    return f"{path_to('dashboards:dashboard')}?{query}"


# --- Stored as data ---------------------------------------------------------------

# A yearly report keeps its tables as plain, JSON-able values
# (dashboards/report_content.py); these turn a table into that form and back.


def cell_to_data(cell):
    if isinstance(cell, Figure):
        return {"f": cell.value, "n": cell.n, "d": cell.decimals, "s": cell.suffix}
    if isinstance(cell, Light):
        return {"light": cell.state}
    if isinstance(cell, Link):
        return cell.text
    if cell is None or isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float):
        return cell
    return str(cell)


def cell_from_data(cell):
    if isinstance(cell, dict):
        if "light" in cell:
            return Light(cell["light"])
        return Figure(cell["f"], cell["n"], cell["d"], cell["s"])
    return cell


def table_to_data(table: Table) -> dict:
    chart = table.chart
    return {
        "key": table.key,
        "title": str(table.title),
        "columns": [str(c) for c in table.columns],
        "rows": [[cell_to_data(c) for c in row] for row in table.rows],
        "note": str(table.note),
        "heat": table.heat,
        "chart": None
        if chart is None
        else {
            "kind": chart.kind,
            "labels": [str(label) for label in chart.labels],
            "series": [[str(name), list(values)] for name, values in chart.series],
            "description": str(chart.description),
        },
    }


def table_from_data(data: dict) -> Table:
    chart = data["chart"]
    return Table(
        key=data["key"],
        title=data["title"],
        columns=list(data["columns"]),
        rows=[[cell_from_data(c) for c in row] for row in data["rows"]],
        note=data["note"],
        heat=data["heat"],
        chart=None
        if chart is None
        else Chart(
            kind=chart["kind"],
            labels=list(chart["labels"]),
            series=[(name, list(values)) for name, values in chart["series"]],
            description=chart["description"],
        ),
    )
