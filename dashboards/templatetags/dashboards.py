"""Rendering a dashboard table's rows. Written as plain Python rather than a
template loop: a city's tables hold tens of thousands of cells."""

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dashboards.tables import Figure, Light, Link, Table, cell_from_data

register = template.Library()

LIGHT_MARKS = {
    Light.MET: ("✓", "light-met"),
    Light.PARTLY: ("◐", "light-partly"),
    Light.NOT_MET: ("✗", "light-not-met"),
}


def _cell(value, heat: bool, small_label: str, links: bool = True, separator: str = ",", shared_n: bool = False) -> str:
    """One cell's HTML: a figure (with its count when it rests on few schools, or a
    star when the table says the count once), a link, a light or text."""
    if value is None:
        return "–"
    if isinstance(value, Figure):
        text = escape(value.formatted(separator))
        if value.small and shared_n:
            text += '<span class="small-group">*</span>'
        elif value.small:
            text += f' <span class="small-group">({escape(small_label % {"n": value.n})})</span>'
        if heat and value.heat:
            return f'<span class="heat heat-{value.heat}">{text}</span>'
        return text
    if isinstance(value, Link):
        return f'<a href="{escape(value.url)}">{escape(value.text)}</a>' if links else escape(value.text)
    if isinstance(value, Light):
        if value.state is None:
            return "–"
        mark, css = LIGHT_MARKS[value.state]
        return f'<span class="badge {css}"><span aria-hidden="true">{mark}</span> {escape(str(value))}</span>'
    return escape(str(value))


def _is_number(value) -> bool:
    return isinstance(value, int | float | Figure)


@register.filter
def shared_small_n(table: Table) -> int | None:
    """The count every small-group figure of the table rests on, when it is the same
    for all of them: then the table says it once instead of in every cell."""
    counts = {value.n for row in table.rows for value in row if isinstance(value, Figure) and value.small}
    return counts.pop() if len(counts) == 1 else None


@register.simple_tag
def table_rows(table: Table, links: bool = True, shared_n: int | None = None) -> SafeString:
    """The table's body rows: the first cell is the row's header; `links` False for print;
    `shared_n` when the table notes the small groups' count once."""
    small_label = _("n = %(n)s")
    separator = formats.get_format("DECIMAL_SEPARATOR")
    rows = []
    once = bool(shared_n)
    for row in table.rows:
        cells = [f'<th scope="row">{_cell(row[0], False, small_label, links, separator)}</th>']
        cells.extend(
            f'<td class="text-end">{_cell(value, table.heat, small_label, separator=separator, shared_n=once)}</td>'
            if _is_number(value)
            else f"<td>{_cell(value, table.heat, small_label, separator=separator, shared_n=once)}</td>"
            for value in row[1:]
        )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


@register.filter
def css_string(value) -> str:
    """Text to stand inside a double-quoted CSS string (a page's margin box)."""
    text = str(value).replace("\\", "\\\\").replace('"', "\\22 ").replace("\n", " ")
    return mark_safe(text.replace("<", "\\3C ").replace(">", "\\3E "))  # noqa: S308 - escaped for CSS


@register.simple_tag
def area_figure_rows(rows: list) -> SafeString:
    """A focus area's figures (label, stored cell) as table rows, beside the analysis."""
    separator = formats.get_format("DECIMAL_SEPARATOR")
    small_label = _("n = %(n)s")
    html = []
    for label, value in rows:
        cell = cell_from_data(value)
        text = "–" if cell is None else _cell(cell, True, small_label, False, separator)
        html.append(f'<tr><th scope="row">{escape(str(label))}</th><td class="text-end">{text}</td></tr>')
    return mark_safe("".join(html))  # noqa: S308 - every value is escaped


@register.filter
def chart_rows(labels: list[str], series: list[tuple[str, list]]) -> list[tuple[str, str]]:
    """A chart as a simple list, for screens too narrow for the drawing: each bar
    or point with its series' values ("Nämnd A: Inlämnad 3, Utkast 1")."""
    rows = []
    for index, label in enumerate(labels):
        values = [
            f"{name} {floatformat(values[index], -1)}" for name, values in series if values[index] not in (None, 0)
        ]
        rows.append((label, ", ".join(values) or "–"))
    return rows
