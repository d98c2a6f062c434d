"""Reading an organisation file: a CSV or Excel file as rows of text under
its header, refused before it is parsed when it is larger, longer or wider than
the limits in settings (`ORGANISATION_IMPORT_*`); and the template to fill in.
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from schools.vocabulary import REGISTER_FIELDS, SCHOOL_COLUMNS


class ImportFileError(Exception):
    """The file as a whole cannot be read."""


# --- Limits -----------------------------------------------------------------


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def refuse_too_large(size: int) -> None:
    limit = settings.ORGANISATION_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is larger than %(limit)s. Split it into smaller files.") % {"limit": filesizeformat(limit)}
        )


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows below the header. Split it into smaller files.")
        % {"limit": _number(settings.ORGANISATION_IMPORT_MAX_ROWS)}
    )


def _too_long_value(line: int) -> ImportFileError:
    return ImportFileError(
        _("Line %(line)s has a value longer than %(limit)s characters.")
        % {"line": line, "limit": _number(settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS)}
    )


# --- Reading the file -------------------------------------------------------


def read_rows(*, filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or Excel file as (line number, {column: text})."""
    refuse_too_large(len(content))
    if filename.lower().endswith(".xlsx"):
        table = _read_xlsx(content)
    elif filename.lower().endswith((".csv", ".txt")):
        table = _read_csv(content)
    else:
        raise ImportFileError(
            _("The file must be a CSV file (.csv), an Excel workbook (.xlsx) or the register's documents (.json).")
        )
    table = [(n, cells) for n, cells in table if any(c.strip() for c in cells)]
    if not table:
        raise ImportFileError(_("The file is empty."))
    (_line, header), *body = table
    if not body:
        raise ImportFileError(_("The file has no rows below the header."))
    columns = [h.strip() for h in header]
    return [
        (n, {columns[i]: (cells[i] if i < len(cells) else "").strip() for i in range(len(columns))})
        for n, cells in body
    ]


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    if b"\0" in content:
        raise ImportFileError(_("The file is not a text file. Save it as CSV or as an Excel workbook (.xlsx)."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The file's characters cannot be read. Save it as CSV in UTF-8."))
    # The separator is whichever of Excel's usual ones the header line uses most;
    # quoting follows Excel's rules ("" inside a quoted field).
    header = text.split("\n", 1)[0]
    dialect = type("Dialect", (csv.excel,), {"delimiter": max(";,\t", key=header.count)})
    reader = csv.reader(io.StringIO(text), dialect)
    max_rows, max_chars = settings.ORGANISATION_IMPORT_MAX_ROWS, settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS
    rows = []
    try:
        for row in reader:
            if any(len(value) > max_chars for value in row):
                raise _too_long_value(reader.line_num)
            if any(value.strip() for value in row):
                rows.append((reader.line_num, row))
                if len(rows) > max_rows + 1:
                    raise _too_many_rows()
    except csv.Error as exc:
        # The csv module's own limit on a field (131,072 characters) is far above ours.
        if "field limit" in str(exc):
            raise _too_long_value(reader.line_num) from exc
        raise ImportFileError(_("Line %(line)s of the CSV file cannot be read.") % {"line": reader.line_num}) from exc
    return rows


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    # A workbook is a zip archive: what it unpacks to is read from the archive's
    # directory before anything is unpacked (Python's zipfile never inflates a
    # member beyond its declared size).
    try:
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ImportFileError(_("The Excel file cannot be read.")) from exc
    if unpacked > settings.ORGANISATION_IMPORT_MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The Excel file unpacks to more than %(limit)s. Save only the organisation's sheet, or save it as CSV.")
            % {"limit": filesizeformat(settings.ORGANISATION_IMPORT_MAX_XLSX_UNPACKED_BYTES)}
        )
    try:
        # Read-only: the cells are read row by row below, not loaded here.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ImportFileError(_("The Excel file cannot be read.")) from exc
    try:
        return _read_sheet(workbook.worksheets[0])
    finally:
        workbook.close()


def _read_sheet(sheet) -> list[tuple[int, list[str]]]:
    max_rows, max_columns = settings.ORGANISATION_IMPORT_MAX_ROWS, settings.ORGANISATION_IMPORT_MAX_COLUMNS
    max_chars = settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS
    # The sheet's declared size, before a cell is read (openpyxl would pad the
    # rows up to it).
    if (sheet.max_row or 0) > max_rows + 1:
        raise _too_many_rows()
    if (sheet.max_column or 0) > max_columns:
        raise ImportFileError(_("The first sheet has more than %(limit)s columns.") % {"limit": _number(max_columns)})
    rows = []
    for number, row in enumerate(sheet.iter_rows(max_col=max_columns, values_only=True), start=1):
        if number > max_rows + 1:  # a sheet without a declared size
            raise _too_many_rows()
        cells = ["" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v) for v in row]
        if any(len(cell) > max_chars for cell in cells):
            raise _too_long_value(number)
        rows.append((number, cells))
    return rows


# --- The template -------------------------------------------------------------


def organisation_template_rows() -> list[list[str]]:
    """A school file to fill in: the columns the import reads and two example
    rows (a committee's code or name, school forms by the Education Act's names)."""
    return [
        [column.title for column in SCHOOL_COLUMNS if column.field not in ("committee_code", *REGISTER_FIELDS)],
        ["01234567", "Exempelskolan", "Förskoleklass, Grundskola, Fritidshem", "UTB", "350", "3", "Aktiv"],
        ["01234568", "Exempelförskolan", "Förskola", "UTB", "60", "", "Aktiv"],
    ]
