"""The one way the portal writes CSV files and Excel workbooks.

Text that users typed (an action's title, a report's comment, a quoted answer,
a school's name) must never become a live formula when the file is opened in a
spreadsheet program. The OWASP rule for CSV injection is applied to every text
cell: one starting with = + - @ a tab or a carriage return gets a leading `'`,
which spreadsheet programs read as "this is text". Numbers stay numbers. A text
that is a plain number ("-2,5", "+46") cannot call anything and is left as it is.

Workbooks are also opened with XlsxWriter's guessing turned off (a text
starting with = is not made a formula, nor one looking like a URL a link).
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.utils import formats
from xlsxwriter.worksheet import Worksheet, convert_cell_args

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9\s.,]*\s?%?")


def safe_text(text: str) -> str:
    """Text as it may stand in a cell: prefixed with ' when a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


# --- CSV ------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if _is_number(value):
        return formats.number_format(value)  # "2,5", as Swedish Excel reads a number
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_text(str(value))


def csv_write(stream: IO[str], rows: Iterable[Iterable[Any]], *, delimiter: str = ";") -> None:
    """Write rows of cells as CSV; every text cell neutralised, numbers as numbers."""
    writer = csv.writer(stream, delimiter=delimiter)
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows)


# --- Workbooks ------------------------------------------------------------------


def _write_text(sheet: Worksheet, row: int, col: int, text: str, *args):
    return sheet.write_string(row, col, text, *args)


class SafeWorksheet(Worksheet):
    """A worksheet whose every text cell is neutralised, however it is written
    (write, write_row, write_column or write_string)."""

    def __init__(self):
        super().__init__()
        self.add_write_handler(str, _write_text)

    @convert_cell_args
    def write_string(self, row, col, string, cell_format=None):
        return super().write_string(row, col, safe_text(str(string)), cell_format)


class SafeWorkbook(xlsxwriter.Workbook):
    worksheet_class = SafeWorksheet


def workbook(output: IO[bytes]) -> xlsxwriter.Workbook:
    """An in-memory workbook writing to `output`: text is never a formula or a link, numbers are numbers."""
    return SafeWorkbook(
        output,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
