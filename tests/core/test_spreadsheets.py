"""Text users typed never becomes a live formula in a downloaded CSV file or
workbook (core/spreadsheets.py): the action plan's workbook, the yearly report's
workbook and the dashboards' CSV tables, read back as a spreadsheet program would."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from actionplans.models import Action, ActionPlan, ActionReport, IndicatorValue, PeriodReport, ReportPeriod
from core import spreadsheets
from dashboards import figures, reports, summaries
from dashboards.models import Highlight
from followup.models import AreaAnswer, AssessmentStatus, SelfAssessment
from strategy.models import Indicator
from tests.factories import SchoolFactory, followup_strategy, open_cycle

ROOT = Path(__file__).resolve().parents[2]
TODAY = timezone.localdate()
HYPERLINK = '=HYPERLINK("http://x","y")'
# A school name starting with each character a spreadsheet program reads as the start of a formula.
HOSTILE_NAMES = ["+Skolan Plus", "-Skolan Minus", "@Skolan Snabel", "\tSkolan Tab", "\rSkolan Retur"]


def cells(sheet) -> dict:
    """Every filled cell of a sheet: its value and openpyxl's type (s text, n number, f formula)."""
    return {
        (cell.row, cell.column): (cell.value, cell.data_type)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def typed(book) -> list[tuple]:
    """Every filled cell's value and type. XlsxWriter writes a carriage return as
    Excel's escape _x000D_, which Excel reads back as one and openpyxl leaves."""
    return [
        (value.replace("_x000D_", "\r") if isinstance(value, str) else value, kind)
        for sheet in book.worksheets
        for value, kind in cells(sheet).values()
    ]


# --- The writer itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        (HYPERLINK, "'" + HYPERLINK),
        ("Skola = bäst", "Skola = bäst"),
        ("'=1+1", "'=1+1"),
        ("", ""),
        ("-2,5", "-2,5"),
        ("+46 8 123 45", "+46 8 123 45"),
        ("-12 %", "-12 %"),
    ],
)
def test_text_starting_like_a_formula_gets_a_quote_and_plain_numbers_are_left(text, written):
    assert spreadsheets.safe_text(text) == written


def test_the_csv_writer_quotes_formula_like_text_and_writes_numbers_as_numbers():
    out = io.StringIO()
    spreadsheets.csv_write(out, [["Namn", "Antal", "Andel"], ["=1+1", 3, Decimal("-2.5")], ["@x", -4, None]])
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=";"))
    assert rows == [["Namn", "Antal", "Andel"], ["'=1+1", "3", "-2,5"], ["'@x", "-4", ""]]


def test_every_way_of_writing_text_into_a_workbook_is_neutralised_and_numbers_stay_numbers():
    buffer = io.BytesIO()
    book = spreadsheets.workbook(buffer)
    sheet = book.add_worksheet("Blad")
    sheet.write(0, 0, "=1+1")
    sheet.write_string(1, 0, "=2+2")
    sheet.write_row(2, 0, ["+A3", "http://x.example", 7, Decimal("-1.5"), -2.5])
    sheet.write_column(3, 0, ["@A1", "-8"])
    sheet.write("B4", "=4+4")
    book.close()
    found = cells(openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active)
    assert found == {
        (1, 1): ("'=1+1", "s"),
        (2, 1): ("'=2+2", "s"),
        (3, 1): ("'+A3", "s"),
        (3, 2): ("http://x.example", "s"),
        (3, 3): (7, "n"),
        (3, 4): (-1.5, "n"),
        (3, 5): (-2.5, "n"),
        (4, 1): ("'@A1", "s"),
        (5, 1): ("-8", "s"),
        (4, 2): ("'=4+4", "s"),
    }


def test_every_workbook_and_csv_file_the_portal_writes_goes_through_the_one_writer():
    """No module opens an XlsxWriter workbook or a csv writer of its own."""
    apps = [path for path in ROOT.iterdir() if (path / "__init__.py").exists() and path.name != "tests"]
    assert {"core", "dashboards", "followup"} <= {app.name for app in apps}
    offenders = [
        str(path.relative_to(ROOT))
        for app in apps
        for path in app.rglob("*.py")
        if path.name != "spreadsheets.py"
        and ("xlsxwriter.Workbook(" in (text := path.read_text(encoding="utf-8")) or "csv.writer(" in text)
    ]
    assert offenders == []


# --- The action plan's workbook ------------------------------------------------------------


def test_the_plan_workbook_holds_typed_formulas_as_text_and_values_as_numbers(client, org):
    strategy = followup_strategy(owner=org.committee_a)
    plan = ActionPlan.objects.create(committee=org.committee_a, strategy=strategy, starts_in=TODAY.year, ends_in=2030)
    action = Action.objects.create(
        plan=plan, title="=1+1", responsible="@Rektor", starts_on=TODAY, ends_on=TODAY, success_criteria="-1+2"
    )
    period = ReportPeriod.objects.create(year=TODAY.year, kind="t1", deadline=TODAY + datetime.timedelta(days=10))
    report = PeriodReport.objects.create(plan=plan, period=period)
    ActionReport.objects.create(report=report, action=action, status="ongoing", comment=HYPERLINK)
    indicator = Indicator.objects.get(goal__focus_area__strategy=strategy, code="1.2.9")
    IndicatorValue.objects.create(report=report, indicator=indicator, value=Decimal("-5.5"))

    client.force_login(org.editor_a)
    response = client.get(reverse("actionplans:plan_export_xlsx", args=[plan.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))

    assert all(kind != "f" for _value, kind in typed(book))
    plan_sheet, _gaps, report_sheet = book.worksheets
    row = [plan_sheet.cell(2, col) for col in range(1, 8)]
    assert (row[0].value, row[0].data_type) == ("'=1+1", "s")
    assert (row[2].value, row[2].data_type) == ("'@Rektor", "s")
    assert (row[6].value, row[6].data_type) == ("'-1+2", "s")
    assert row[3].is_date
    report_cells = cells(report_sheet)
    assert report_cells[(3, 1)] == ("'=1+1", "s")
    assert report_cells[(3, 4)] == ("'" + HYPERLINK, "s")
    value_row = next(r for (r, c), (v, _k) in report_cells.items() if c == 1 and str(v).startswith("1.2.9"))
    assert report_cells[(value_row, 2)] == (-5.5, "n")


# --- The yearly report's workbook ----------------------------------------------------------


def test_the_yearly_workbook_holds_quoted_formulas_and_school_names_as_text(org):
    org.committee_b.name = "=Nämnd B"
    org.committee_b.save()
    hostile = [
        SchoolFactory(committee=org.committee_b, name=name, unit_code=f"4444444{i}")
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    strategy = followup_strategy(owner=org.committee_a)
    cycle = open_cycle(strategy)
    for i, school in enumerate([org.school_a, *hostile]):
        assessment = SelfAssessment.objects.get(cycle=cycle, school=school)
        for area in cycle.areas.all():
            AreaAnswer.objects.create(
                assessment=assessment, area=area, level=2 + i % 2, done=HYPERLINK, strengths="+gott"
            )
        SelfAssessment.objects.filter(pk=assessment.pk).update(
            status=AssessmentStatus.SUBMITTED, submitted_at=timezone.now()
        )
        Highlight.objects.create(answer=assessment.area_answers.get(area__number=1))
    summaries.rebuild(cycle)

    content = reports.content_for(reports.document_for(cycle=cycle))
    book = openpyxl.load_workbook(io.BytesIO(reports.build_workbook(content)))

    kinds = typed(book)
    assert all(kind != "f" for _value, kind in kinds)
    texts = {value for value, kind in kinds if kind == "s"}
    assert "'" + HYPERLINK in texts
    assert "'+gott" in texts
    assert "'=Nämnd B" in texts
    for name in HOSTILE_NAMES:
        assert "'" + name in texts, name
        assert name not in texts
    # Counts and means are numbers a spreadsheet can sum.
    completeness = book.worksheets[0]
    row = next(r for r in completeness.iter_rows(min_row=5) if r[0].value == "'=Nämnd B")
    assert (row[1].value, row[1].data_type) == (6, "n")  # Skola B and the five
    assert any(kind == "n" and isinstance(value, float) for value, kind in kinds)


# --- The dashboards' CSV tables ------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_the_dashboard_csv_holds_school_names_like_formulas_as_text_and_counts_as_numbers(client, org):
    hostile = [
        SchoolFactory(committee=org.committee_b, name=name, unit_code=f"5555555{i}")
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    strategy = followup_strategy(owner=org.committee_a)
    cycle = open_cycle(strategy)
    for school in hostile:
        assessment = SelfAssessment.objects.get(cycle=cycle, school=school)
        for area in cycle.areas.all():
            AreaAnswer.objects.create(assessment=assessment, area=area, level=2)
        SelfAssessment.objects.filter(pk=assessment.pk).update(
            status=AssessmentStatus.SUBMITTED, submitted_at=timezone.now()
        )
    summaries.rebuild(cycle)

    client.force_login(org.editor_b)
    url = figures.dashboard_url(cycle.pk, committee=org.committee_b.pk)
    for key in ("completeness", "maturity"):
        csv_url = reverse("dashboards:dashboard_csv", args=[key]) + "?" + url.split("?", 1)[1]
        rows = read_csv(client.get(csv_url))
        labels = [row[0] for row in rows[1:]]
        for name in HOSTILE_NAMES:
            assert "'" + name in labels, (key, name)
            assert name not in labels
    completeness = {row[0]: row for row in read_csv(client.get(csv_url.replace("maturity", "completeness")))[1:]}
    # One row per school unit (no column of units): not started, draft, returned, submitted.
    assert completeness["'+Skolan Plus"][1:5] == ["0", "0", "0", "1"]
