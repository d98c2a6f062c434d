"""Checks of the yearly report's files that read them as a reader's program
would: pdfplumber and pypdf for the PDF, openpyxl for the workbook,
python-docx for the Word document. Shared by the tests on a small city, the
demo city and a generated city of 300 schools."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import openpyxl
import pdfplumber
from PIL import Image
from pypdf import PdfReader

from dashboards.report_files import HEADER_ROW, sheet_name
from dashboards.tables import table_from_data

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results"
NUMBER_AS_TEXT = re.compile(r"^[-+]?\d[\d\s]*([.,]\d+)?\s*%?$|\(n = \d+\)")
TOC_LINE = re.compile(r"^(?P<title>.+?)\s*\.{4,}\s*(?P<page>\d+)$")


def words(text: str) -> str:
    """The text with its line breaks undone (also those after a hyphen, "it-\nutveckling")."""
    return " ".join(text.split()).replace("- ", "-")


# --- PDF ----------------------------------------------------------------------------------


def pdf_pages(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def known_headers(content: dict) -> set[tuple[str, ...]]:
    headers = {tuple(words(c) for c in data["columns"]) for data in content["tables"]}
    headers.add(("Siffra", "Värde"))  # beside each area's analysis
    headers.add(("Vad", "Källa"))  # sources
    return headers


def check_pdf_tables(data: bytes, content: dict) -> int:
    """Every table on every page starts with its header row (headers repeat on a
    new page) and no row is cut (a row carried over would start without its label).
    Returns the number of table pieces seen."""
    headers = known_headers(content)
    labels = {
        words(str(row[0]))
        for table in content["tables"]
        for row in table["rows"]
        if isinstance(row[0], str | int | float)
    }
    pieces = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for found in page.extract_tables():
                # A coloured figure's background splits its cell in two for pdfplumber: the
                # header is read from its filled cells, each row's label from its first.
                rows = [[words(c or "") for c in row] for row in found]
                if not any(c for row in rows for c in row):
                    continue  # a chart's bars, which pdfplumber also sees as boxes
                pieces += 1
                header = tuple(c for c in rows[0] if c)
                assert header in headers, f"page {number}: a table without its header row: {rows[0]}"
                for row in rows[1:]:
                    assert row[0], f"page {number}: a row without its label (cut across pages): {row}"
                    if header not in {("Siffra", "Värde"), ("Vad", "Källa")}:
                        assert row[0] in labels, f"page {number}: a row label not in the report: {row[0]!r}"
    return pieces


def check_table_of_contents(pages: list[str]) -> list[tuple[str, int]]:
    """Each entry of the contents names the page its heading is on."""
    entries = []
    for text in pages[:3]:
        for line in text.splitlines():
            match = TOC_LINE.match(line.strip())
            if match:
                entries.append((match["title"].strip(), int(match["page"])))
    assert entries, "no table of contents"
    for title, page in entries:
        assert 1 <= page <= len(pages), (title, page)
        assert words(title) in words(pages[page - 1]), f"{title!r} is not on page {page}"
    return entries


def check_tagged(data: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"]
    return reader


def check_archival(data: bytes) -> None:
    reader = check_tagged(data)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp
    assert 'pdfaid:conformance="A"' in xmp


# --- Workbook ---------------------------------------------------------------------------------


def check_workbook(data: bytes, content: dict) -> openpyxl.Workbook:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for table_data in content["tables"]:
        table = table_from_data(table_data)
        sheet = book[sheet_name(table.key)]
        header = HEADER_ROW + 1  # openpyxl counts from 1
        for row in sheet.iter_rows(min_row=header + 1):
            for cell in row[1:]:
                if cell.value is None:
                    continue
                if isinstance(cell.value, int | float):
                    assert cell.number_format != "General", f"{sheet.title}!{cell.coordinate} has no number format"
                else:
                    assert not NUMBER_AS_TEXT.search(str(cell.value)), (
                        f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    )
        check_print_setup(sheet, header)
        assert sheet.freeze_panes == f"B{header + 1}", sheet.title
        widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
        assert all(w and w >= 8 for w in widths), (sheet.title, widths)
        for cell in sheet[header]:  # a header wraps between words, never inside one
            longest = max((len(word) for word in str(cell.value or "").split()), default=0)
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= longest * 1.1 + 1, (sheet.title, cell.value, width)
    sources = book.worksheets[-1]
    assert "Metod" in [c.value for c in sources["A"]]
    return book


def check_print_setup(sheet, header: int) -> None:
    assert sheet.page_setup.orientation == "landscape", sheet.title
    assert sheet.page_setup.fitToWidth in (None, 1), sheet.title  # 1 is the file format's default
    assert sheet.page_setup.fitToHeight == 0, sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert sheet.print_title_rows == f"${header}:${header}", sheet.title


# --- Word -------------------------------------------------------------------------------------


def check_docx(data: bytes, content: dict) -> docx.document.Document:
    document = docx.Document(io.BytesIO(data))
    headings = {p.text: p.style.name for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))}
    assert headings.get("Sammanfattning") == "Heading 1"
    assert headings.get("Förslag till beslut") == "Heading 1"
    for area in content["areas"]:
        assert headings.get(f"{area['number']}. {area['title']}") == "Heading 2"
    for table in content["tables"]:
        assert headings.get(table["title"]) == "Heading 2"
    with_rows = [t for t in content["tables"] if t["rows"]]
    assert len(document.tables) == len(with_rows) + len(content["areas"]) + 1
    for table, data_table in zip(document.tables[len(content["areas"]) :], with_rows, strict=False):
        assert [c.text for c in table.rows[0].cells] == data_table["columns"]
        assert len(table.rows) == 1 + len(data_table["rows"])
        assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")  # repeated on every page
    return document


# --- Pictures for a look ------------------------------------------------------------------------


def render_png(data: bytes, name: str, suffix: str) -> Path:
    """The first page as PNG under test-results/ (kept by CI): the PDF with
    pdftoppm, the workbook and the Word document first turned into PDF by
    LibreOffice, as a city office opening them would see them. The picture must
    show something: a page with no ink means the file opens empty."""
    ARTEFACTS.mkdir(exist_ok=True)
    source = ARTEFACTS / f"{name}{suffix}"
    source.write_bytes(data)
    if suffix != ".pdf":
        office = shutil.which("soffice") or shutil.which("libreoffice")
        assert office, "LibreOffice (soffice) is needed to draw the workbook and the Word document; see README"
        with tempfile.TemporaryDirectory() as profile:  # its own profile: never a user's, one per process
            subprocess.run(
                [
                    office,
                    f"-env:UserInstallation={Path(profile).as_uri()}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(ARTEFACTS),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
        source = source.with_suffix(".pdf")
    png = ARTEFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source), str(png)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    picture = png.with_suffix(".png")
    with Image.open(picture) as image:
        grey = image.convert("L")
        inked = sum(grey.histogram()[:200])  # pixels clearly darker than the white page
        assert inked > 0.01 * grey.width * grey.height, f"{picture.name} is an empty page"
    return picture
