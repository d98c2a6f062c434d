"""The executive board's yearly report as files: the PDF's HTML, the Excel
workbook and the Word document, each rendered from the report's content
(`report_content`) alone, with no clock or database read, so the same content
gives the same bytes."""

from __future__ import annotations

import datetime
import io
import zipfile

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheets
from dashboards import charts
from dashboards.charts import PALETTE
from dashboards.tables import Figure, Light, Table, cell_from_data, table_from_data

SHEET_NAMES = {
    "completeness": gettext_lazy("Completeness"),
    "maturity": gettext_lazy("Maturity"),
    "change": gettext_lazy("Change"),
    "weighted": gettext_lazy("Weighted by pupils"),
    "levels": gettext_lazy("Levels"),
    "forms": gettext_lazy("School forms"),
    "trend": gettext_lazy("Trend"),
    "indicators": gettext_lazy("Indicators"),
    "committee_indicators": gettext_lazy("Committee indicators"),
    "plans": gettext_lazy("Action plans"),
    "equity": gettext_lazy("Equity"),
}


def is_preliminary(content: dict) -> bool:
    """While the follow-up is not locked the figures may still change; the city office may also say so."""
    return not content["locked"] or content["document"]["status"] == "preliminary"


def stamp(content: dict) -> str:
    """The word printed on every page: preliminary (see above), or draft while
    the city office writes it; nothing on a final report."""
    if is_preliminary(content):
        return _("Preliminary")
    if content["document"]["status"] == "draft":
        return _("Draft")
    return ""


def generated_at(content: dict) -> datetime.datetime:
    return datetime.datetime.fromisoformat(content["generated_at"])


def sheet_name(key: str) -> str:
    return str(SHEET_NAMES.get(key, key))[:31]


# --- PDF ------------------------------------------------------------------------------------


def pdf_html(content: dict) -> str:
    tables = [table_from_data(t) for t in content["tables"]]
    sections = [(t, charts.svg(t.chart) if t.chart and t.rows else None) for t in tables]
    when = generated_at(content)
    return render_to_string(
        "dashboards/yearly_report_pdf.html",
        {
            "content": content,
            "document": content["document"],
            "sections": sections,
            "stamp": stamp(content),
            "created": when.strftime("%Y-%m-%dT%H:%M:%S") + "Z" if when.utcoffset() is None else when.isoformat(),
            "generated": when,
            "title": title_text(content),
            "facts": document_facts(content),
        },
    )


# --- Workbook ------------------------------------------------------------------------------

# The maturity colours of the page (static/css: .heat-1 … .heat-5), by level rounded.
HEAT_COLOURS = ["#F8D7DA", "#FDE2C4", "#FFF3CD", "#D1E7DD", "#A3CFBB"]
LIGHT_COLOURS = {Light.MET: "#D1E7DD", Light.PARTLY: "#FFF3CD", Light.NOT_MET: "#F8D7DA"}
HEADER_ROW = 3  # title, note, blank, then the header row


def _number_format(figure: Figure) -> str:
    if figure.suffix.strip().startswith("%"):
        return "0.0 %" if figure.decimals else "0 %"
    return "0." + "0" * figure.decimals if figure.decimals else "0"


def _figure_value(figure: Figure) -> float | None:
    if figure.value is None:
        return None
    if figure.suffix.strip().startswith("%"):
        return figure.value / 100
    return figure.value


def _columns(table: Table) -> list[tuple[int, str, bool]]:
    """The workbook's columns: each table column, and beside every column of
    means resting on a count, that count ("n") in a column of its own."""
    has_count = [False] * len(table.columns)
    for row in table.rows:
        for c, cell in enumerate(row):
            if isinstance(cell, Figure) and cell.n is not None:
                has_count[c] = True
    out = []
    for c, title in enumerate(table.columns):
        out.append((c, str(title), False))
        if has_count[c]:
            out.append((c, _("%(column)s, number of schools") % {"column": title}, True))
    return out


def build_workbook(content: dict) -> bytes:
    buffer = io.BytesIO()
    book = spreadsheets.workbook(buffer)
    year = content["year"]
    book.set_properties(
        {
            "title": _("Yearly report %(year)s") % {"year": year},
            "author": content["city"],
            "comments": content["document"]["registry_number"],
            "created": generated_at(content).replace(tzinfo=None),
        }
    )
    formats = _Formats(book)
    for data in content["tables"]:
        _table_sheet(book, formats, table_from_data(data), content)
    _quotes_sheet(book, formats, content)
    _sources_sheet(book, formats, content)
    book.close()
    return buffer.getvalue()


class _Formats:
    def __init__(self, book):
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.stamp = book.add_format({"bold": True, "font_color": "#9C0006"})
        self.head = book.add_format(
            {"bold": True, "bg_color": "#DDE7F0", "text_wrap": True, "valign": "top", "border": 1}
        )
        self.text = book.add_format({"valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.count = book.add_format({"num_format": "0", "valign": "top"})
        self._numbers: dict[str, object] = {}
        self.heat = [book.add_format({"bg_color": colour}) for colour in HEAT_COLOURS]
        self.lights = {state: book.add_format({"bg_color": colour}) for state, colour in LIGHT_COLOURS.items()}

    def number(self, num_format: str):
        if num_format not in self._numbers:
            self._numbers[num_format] = self.book.add_format({"num_format": num_format, "valign": "top"})
        return self._numbers[num_format]


def _table_sheet(book, formats: _Formats, table: Table, content: dict) -> None:
    sheet = book.add_worksheet(sheet_name(table.key))
    sheet.write_string(0, 0, table.title, formats.title)
    mark = stamp(content)
    if mark:
        sheet.write_string(0, 4, mark.upper(), formats.stamp)
    if table.note:
        sheet.write_string(1, 0, table.note)
    columns = _columns(table)
    for col, (_c, title, _is_count) in enumerate(columns):
        sheet.write_string(HEADER_ROW, col, title, formats.head)
    # Wide enough for half the title and for its longest word (bold), so a header
    # wraps between words, never inside one.
    widths = [
        min(max(len(title) // 2 + 2, round(max(map(len, title.split()), default=0) * 1.1) + 2, 10), 40)
        for _c, title, _n in columns
    ]
    light_columns = set()
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for col, (c, _title, is_count) in enumerate(columns):
            cell = row[c]
            if is_count:
                if isinstance(cell, Figure) and cell.n is not None:
                    sheet.write_number(r, col, cell.n, formats.count)
                continue
            if isinstance(cell, Figure):
                value = _figure_value(cell)
                if value is not None:
                    sheet.write_number(r, col, value, formats.number(_number_format(cell)))
                    widths[col] = max(widths[col], 8)
            elif isinstance(cell, Light):
                light_columns.add(col)
                if cell.state is not None:
                    sheet.write_string(r, col, str(cell), formats.text)
                    widths[col] = max(widths[col], len(str(cell)) + 2)
            elif isinstance(cell, bool) or cell is None:
                continue
            elif isinstance(cell, int | float):
                sheet.write_number(r, col, cell, formats.count)
            else:
                sheet.write_string(r, col, str(cell), formats.wrap if col == 0 else formats.text)
                widths[col] = max(widths[col], min(len(str(cell)) + 2, 60 if col == 0 else 40))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    # The header row high enough for its wrapped titles, so it never covers the first row.
    lines = max((len(t) // max(w - 2, 1) + 1 for (_c, t, _n), w in zip(columns, widths, strict=True)), default=1)
    sheet.set_row(HEADER_ROW, 15 * lines)
    last = HEADER_ROW + len(table.rows)
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    _conditional_colours(sheet, formats, table, columns, last, light_columns)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # as wide as one page, as long as it takes
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_header(f"&L{content['city']}&C{_('Yearly report %(year)s') % {'year': content['year']}}&R{mark}")
    sheet.set_footer("&R&P / &N")
    if table.chart is not None and table.rows:
        _excel_chart(book, sheet, table, columns, last)


def _conditional_colours(sheet, formats: _Formats, table: Table, columns, last: int, light_columns) -> None:
    """The page's colours: maturity levels in the heat colours, lights in theirs."""
    if not table.rows:
        return
    if table.heat:
        for col, (c, _t, is_count) in enumerate(columns):
            if is_count or not any(isinstance(row[c], Figure) for row in table.rows):
                continue
            for level, cell_format in enumerate(formats.heat, start=1):
                low, high = level - 0.5, level + 0.5
                sheet.conditional_format(
                    HEADER_ROW + 1,
                    col,
                    last,
                    col,
                    {
                        "type": "cell",
                        "criteria": "between",
                        "minimum": -100 if level == 1 else low,
                        "maximum": 100 if level == 5 else high - 0.000001,
                        "format": cell_format,
                    },
                )
    for col in light_columns:
        for state, cell_format in formats.lights.items():
            sheet.conditional_format(
                HEADER_ROW + 1,
                col,
                last,
                col,
                {"type": "cell", "criteria": "==", "value": f'"{Light(state)}"', "format": cell_format},
            )


def _excel_chart(book, sheet, table: Table, columns, last: int) -> None:
    """A native chart over the table's own cells, in the portal's colours, series in column order."""
    spec = table.chart
    name = sheet.get_name()
    first, rows = HEADER_ROW + 1, len(spec.labels)
    position = {(c, is_count): col for col, (c, _t, is_count) in enumerate(columns)}
    by_title = {str(t): c for c, t in enumerate(table.columns)}
    chart = book.add_chart({"type": "line"} if spec.kind == "lines" else {"type": "bar", "subtype": "stacked"})
    for index, (series_name, _values) in enumerate(spec.series):
        c = by_title.get(series_name)
        if c is None:
            continue
        col = position[(c, False)]
        colour = PALETTE[index % len(PALETTE)]
        series = {
            "name": [name, HEADER_ROW, col],
            "categories": [name, first, 0, first + rows - 1, 0],
            "values": [name, first, col, first + rows - 1, col],
        }
        if spec.kind == "lines":
            series["line"] = {"color": colour, "width": 2.25}
            series["marker"] = {"type": "circle", "fill": {"color": colour}, "border": {"color": colour}}
        else:
            series["fill"] = {"color": colour}
        chart.add_series(series)
    chart.set_title({"name": table.title})
    chart.set_legend({"position": "bottom"})
    if spec.kind != "lines":
        chart.set_y_axis({"reverse": True})  # the first row at the top, as in the table
    chart.set_size({"width": 820, "height": 320 + 22 * rows})
    sheet.insert_chart(last + 3, 0, chart)


def _quotes_sheet(book, formats: _Formats, content: dict) -> None:
    sheet = book.add_worksheet(str(_("Quotes"))[:31])
    sheet.write_string(0, 0, _("Quoted answers"), formats.title)
    header = [
        _("Committee"),
        _("School unit"),
        _("Focus area"),
        _("What has been done"),
        _("Strengths"),
        _("What to develop next"),
    ]
    for col, title in enumerate(header):
        sheet.write_string(HEADER_ROW, col, title, formats.head)
    for r, quote in enumerate(content["quotes"], start=HEADER_ROW + 1):
        for col, key in enumerate(("committee", "school", "area", "done", "strengths", "next_steps")):
            sheet.write_string(r, col, quote[key], formats.wrap)
    sheet.set_column(0, 2, 26)
    sheet.set_column(3, 5, 60)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)


def _sources_sheet(book, formats: _Formats, content: dict) -> None:
    sheet = book.add_worksheet(str(_("Sources and method"))[:31])
    sheet.write_string(0, 0, _("Sources and method"), formats.title)
    document = content["document"]
    rows = [
        [_("City"), content["city"]],
        [_("Strategy"), content["strategy"]],
        [_("Year"), str(content["year"])],
        [_("Registry number"), document["registry_number"] or "–"],
        [_("Author"), document["author"] or "–"],
        [_("Status"), document["status_label"]],
        [_("Figures taken"), generated_at(content).strftime("%Y-%m-%d %H:%M")],
        [_("Follow-up locked"), _("yes") if content["locked"] else _("no, the figures are preliminary")],
        *content["sources"],
    ]
    rows += [[_("Method") if i == 0 else "", text] for i, text in enumerate(content["method"])]
    sheet.write_string(HEADER_ROW, 0, _("What"), formats.head)
    sheet.write_string(HEADER_ROW, 1, _("Source or method"), formats.head)
    for r, (what, text) in enumerate(rows, start=HEADER_ROW + 1):
        sheet.write_string(r, 0, str(what), formats.text)
        sheet.write_string(r, 1, str(text), formats.wrap)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 100)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)


# --- Word -------------------------------------------------------------------------------------


def _cell_text(cell) -> str:
    return "–" if cell is None else str(cell)


def build_docx(content: dict) -> bytes:
    """The report as a Word document: real heading styles and tables, so the city
    office can paste it into its own template for the board's case papers."""
    from docx import Document

    document = Document()
    texts = content["document"]
    properties = document.core_properties
    properties.title = _("Yearly report %(year)s") % {"year": content["year"]}
    properties.author = content["city"]
    properties.last_modified_by = content["city"]
    properties.identifier = texts["registry_number"]
    properties.created = properties.modified = generated_at(content).replace(tzinfo=None)
    properties.revision = 1
    mark = stamp(content)
    if mark:
        document.sections[0].header.paragraphs[0].text = mark.upper()
    document.add_heading(title_text(content), level=0)
    for label, value in document_facts(content):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    for heading, text in (
        (_("Summary"), texts["summary"]),
        (_("Proposed decision"), texts["proposed_decision"]),
    ):
        document.add_heading(heading, level=1)
        _paragraphs(document, text)
    document.add_heading(_("Analysis per focus area"), level=1)
    for area in content["areas"]:
        document.add_heading(f"{area['number']}. {area['title']}", level=2)
        _paragraphs(document, area["analysis"])
        _word_table(document, [_("Figure"), _("Value")], [[label, value] for label, value in area["figures"]])
    document.add_heading(_("The committees' account"), level=1)
    _paragraphs(document, texts["committees_account"])
    document.add_heading(_("Figures"), level=1)
    for data in content["tables"]:
        table = table_from_data(data)
        document.add_heading(table.title, level=2)
        if table.note:
            document.add_paragraph(table.note)
        if table.rows:
            _word_table(document, table.columns, table.rows)
        else:
            document.add_paragraph(_("Nothing to show yet."))
    document.add_heading(_("Quoted answers"), level=1)
    for quote in content["quotes"]:
        document.add_heading(f"{quote['school']} ({quote['committee']}), {quote['area']}", level=3)
        for label, key in (
            (_("What has been done"), "done"),
            (_("Strengths"), "strengths"),
            (_("What to develop next"), "next_steps"),
        ):
            if quote[key]:
                document.add_paragraph(f"{label}: {quote[key]}", style="Quote")
    document.add_heading(_("Method and sources"), level=1)
    for text in content["method"]:
        document.add_paragraph(text)
    _word_table(document, [_("What"), _("Source")], content["sources"])
    buffer = io.BytesIO()
    document.save(buffer)
    return _without_clock(buffer.getvalue())


def _without_clock(data: bytes) -> bytes:
    """The archive again with every entry dated 1980-01-01, as XlsxWriter does:
    python-docx stamps each entry with the time of saving."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            stable = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stable.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(stable, source.read(entry.filename))
    return out.getvalue()


def _paragraphs(document, text: str) -> None:
    parts = [p.strip() for p in text.split("\n\n") if p.strip()]
    for part in parts or ["–"]:
        document.add_paragraph(part)


def _word_table(document, columns, rows) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    header = table.rows[0]
    # The header row repeats on every page, and no row breaks across pages.
    header_properties = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_properties.append(repeat)
    for cell, title in zip(header.cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(title)).bold = True
    for row in rows:
        cells = table.add_row()
        properties = cells._tr.get_or_add_trPr()
        keep = OxmlElement("w:cantSplit")
        keep.set(qn("w:val"), "true")
        properties.append(keep)
        for cell, value in zip(cells.cells, row, strict=True):
            cell.text = _cell_text(cell_from_data(value))


def title_text(content: dict) -> str:
    return _("Yearly report %(year)s: follow-up of the strategy for IT in preschool and school") % {
        "year": content["year"]
    }


def document_facts(content: dict) -> list[tuple[str, str]]:
    texts = content["document"]
    return [
        (_("City"), content["city"]),
        (_("Strategy"), content["strategy"]),
        (_("Registry number"), texts["registry_number"] or "–"),
        (_("Author"), texts["author"] or "–"),
        (_("Status"), texts["status_label"]),
        (_("Executive board's meeting"), texts["decision_date"] or "–"),
        (_("Figures taken"), generated_at(content).strftime("%Y-%m-%d %H:%M")),
    ]
