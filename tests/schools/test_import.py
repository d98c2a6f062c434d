"""The organisation import: committees and school units from a CSV or Excel file.

Messages are translated and the translation may change, so error assertions
check the line number and a stable part of the message (the offending value, a
column name, a line reference), never a whole sentence.
"""

import codecs
import csv
import datetime
import io
import json
import re
import zipfile
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from schools import org_checks, services
from schools.models import Committee, School, SchoolForm, SchoolFormOffering
from schools.org_files import ImportFileError
from tests.factories import CommitteeFactory, SchoolFactory

COMMITTEE_HEADER = ["Nämndkod", "Nämnd"]
SCHOOL_HEADER = [
    "Skolenhetskod",
    "Skolenhetsnamn",
    "Skolformer",
    "Nämnd",
    "Antal elever",
    "Socioekonomiskt index",
    "Status",
]
REQUIRED_SCHOOL_HEADER = SCHOOL_HEADER[:4]


# --- Builders ---------------------------------------------------------------


def school_row(
    unit_code="10000001",
    name="Norrskolan",
    forms="Grundskola",
    committee="UTB",
    pupils="",
    band="",
    status="",
):
    return [unit_code, name, forms, committee, pupils, band, status]


def csv_bytes(rows, *, delimiter=";", encoding="utf-8", bom=False) -> bytes:
    """A CSV file as Excel writes it: CRLF line ends, quotes only where needed."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return codecs.BOM_UTF8 + data if bom else data


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_cell_values_rewritten(content: bytes, replacements: dict[str, str]) -> bytes:
    """The workbook with some stored numbers spelt differently, e.g. 10000002 as
    1.0000002E7, as other programs than Excel may write them (openpyxl always
    writes an integral float as an integer)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for old, new in replacements.items():
                    assert data.count(f"<v>{old}</v>".encode()) == 1
                    data = data.replace(f"<v>{old}</v>".encode(), f"<v>{new}</v>".encode())
            target.writestr(item, data)
    return out.getvalue()


def plan_for(rows, *, filename="organisation.csv", **csv_options):
    return services.organisation_import_plan(filename=filename, content=csv_bytes(rows, **csv_options))


def import_rows(rows, **csv_options):
    """Check and apply a file that must be valid; the plan apply returned."""
    plan = plan_for(rows, **csv_options)
    assert plan.errors == []
    applied = services.organisation_import_apply(raw_rows=plan.raw_rows)
    assert applied.errors == []
    return applied


def errors_by_line(plan) -> dict[int, list[str]]:
    lines: dict[int, list[str]] = {}
    for error in plan.errors:
        lines.setdefault(error.line, []).append(error.message)
    return lines


def changes_by_key(plan) -> dict[str, org_checks.RowChange]:
    return {change.key: change for change in plan.changes}


def table_counts() -> dict[str, int]:
    return {
        "committees": Committee.objects.count(),
        "schools": School.objects.count(),
        "form offerings": SchoolFormOffering.objects.count(),
    }


def database_state() -> dict[str, list]:
    """Every row of the organisation, to show that nothing at all was written."""
    return {
        "committees": list(Committee.objects.order_by("pk").values_list()),
        "schools": list(School.objects.order_by("pk").values_list()),
        "form offerings": list(SchoolFormOffering.objects.order_by("pk").values_list()),
    }


def school(unit_code) -> School:
    return School.objects.select_related("committee").get(unit_code=unit_code)


def forms_of(unit_code) -> set[str]:
    return set(school(unit_code).forms)


@contextmanager
def no_writes():
    """Fails if any INSERT, UPDATE or DELETE reaches the database inside the block."""
    with CaptureQueriesContext(connection) as queries:
        yield
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


@pytest.fixture
def committees(db):
    return SimpleNamespace(
        utb=CommitteeFactory(code="UTB", name="Utbildningsnämnden"),
        norr=CommitteeFactory(code="SDN-NORR", name="Norra stadsdelsnämnden"),
    )


# --- Committees ---------------------------------------------------------------


def test_a_committee_file_creates_the_committees(db):
    plan = import_rows([COMMITTEE_HEADER, ["UTB", "Utbildningsnämnden"], ["SDN-SODER", "Södra stadsdelsnämnden"]])

    assert plan.kind == "committees"
    assert plan.counts == {"create": 2, "update": 0, "unchanged": 0}
    assert set(Committee.objects.values_list("code", "name")) == {
        ("UTB", "Utbildningsnämnden"),
        ("SDN-SODER", "Södra stadsdelsnämnden"),
    }


def test_a_changed_committee_name_updates_the_committee_with_the_same_code(committees):
    plan = import_rows([COMMITTEE_HEADER, ["UTB", "Nämnden för utbildning"], ["SDN-NORR", "Norra stadsdelsnämnden"]])

    change = changes_by_key(plan)["UTB"]
    assert change.action == "update"
    assert any("Utbildningsnämnden" in c and "Nämnden för utbildning" in c for c in change.changes)
    assert changes_by_key(plan)["SDN-NORR"].action == "unchanged"
    committees.utb.refresh_from_db()
    assert committees.utb.name == "Nämnden för utbildning"
    assert Committee.objects.count() == 2


def test_importing_the_same_committee_file_again_reports_every_row_unchanged(db):
    rows = [COMMITTEE_HEADER, ["UTB", "Utbildningsnämnden"], ["SDN-NORR", "Norra stadsdelsnämnden"]]
    import_rows(rows)
    before = database_state()

    plan = import_rows(rows)

    assert plan.counts == {"create": 0, "update": 0, "unchanged": 2}
    assert database_state() == before


def test_importing_the_same_committee_file_again_writes_nothing(db):
    rows = [COMMITTEE_HEADER, ["UTB", "Utbildningsnämnden"], ["SDN-NORR", "Norra stadsdelsnämnden"]]
    import_rows(rows)
    plan = plan_for(rows)

    with no_writes():
        services.organisation_import_apply(raw_rows=plan.raw_rows)


@pytest.mark.parametrize("row", [["", "Kulturnämnden"], ["KULT", ""]], ids=["no code", "no name"])
def test_a_committee_row_without_a_code_or_a_name_is_reported_with_its_line_number(committees, row):
    before = database_state()
    plan = plan_for([COMMITTEE_HEADER, ["MILJO", "Miljönämnden"], row, ["FRITID", "Fritidsnämnden"]])

    errors = errors_by_line(plan)
    assert list(errors) == [3]
    assert len(errors[3]) == 1
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


def test_a_committee_file_with_a_duplicate_code_or_a_name_taken_by_another_committee_writes_nothing(committees):
    before = database_state()
    plan = plan_for(
        [
            COMMITTEE_HEADER,
            ["KULT", "Kulturnämnden"],
            ["KULT", "Fritidsnämnden"],
            ["SDN-VAST", "Norra stadsdelsnämnden"],
            ["MILJO", "Miljönämnden"],
        ]
    )

    errors = errors_by_line(plan)
    assert set(errors) == {3, 4}
    assert re.search(r"\b2\b", errors[3][0])
    assert "SDN-NORR" in errors[4][0]
    assert services.organisation_import_apply(raw_rows=plan.raw_rows).errors == plan.errors
    assert database_state() == before


# --- Schools ------------------------------------------------------------------


def test_a_school_file_creates_schools_with_their_forms(committees):
    plan = import_rows(
        [
            SCHOOL_HEADER,
            school_row("10000001", "Norrskolan", "Förskoleklass, Grundskola, Fritidshem", "SDN-NORR", "412", "2"),
            school_row("10000015", "Stadsgymnasiet", "Gymnasieskola", "UTB", "1150", "3", "aktiv"),
            school_row("10000018", "Vuxenutbildningen Centrum", "Komvux,Anpassad komvux", "UTB"),
        ]
    )

    assert plan.kind == "schools"
    assert plan.counts == {"create": 3, "update": 0, "unchanged": 0}
    norr = school("10000001")
    assert (norr.name, norr.committee, norr.pupil_count, norr.ses_band) == (
        "Norrskolan",
        committees.norr,
        412,
        2,
    )
    assert norr.is_active
    assert norr.closed_on is None
    assert forms_of("10000001") == {SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY, SchoolForm.LEISURE_CENTRE}
    assert forms_of("10000015") == {SchoolForm.UPPER_SECONDARY}
    assert forms_of("10000018") == {SchoolForm.ADULT_EDUCATION, SchoolForm.ADAPTED_ADULT_EDUCATION}
    adult = school("10000018")
    assert (adult.pupil_count, adult.ses_band) == (None, None)
    assert table_counts() == {"committees": 2, "schools": 3, "form offerings": 6}


def test_a_school_is_matched_to_its_committee_by_code_or_by_name_in_any_case(committees):
    import_rows(
        [
            SCHOOL_HEADER,
            school_row("10000001", committee="SDN-NORR"),
            school_row("10000002", committee="Norra stadsdelsnämnden"),
            school_row("10000003", committee="sdn-norr"),
            school_row("10000004", committee="UTBILDNINGSNÄMNDEN"),
        ]
    )

    assert school("10000001").committee == committees.norr
    assert school("10000002").committee == committees.norr
    assert school("10000003").committee == committees.norr
    assert school("10000004").committee == committees.utb


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Förskola", SchoolForm.PRESCHOOL),
        ("Förskoleklass", SchoolForm.PRESCHOOL_CLASS),
        ("Fritidshem", SchoolForm.LEISURE_CENTRE),
        ("Grundskola", SchoolForm.COMPULSORY),
        ("Anpassad grundskola", SchoolForm.ADAPTED_COMPULSORY),
        ("Grundsärskola", SchoolForm.ADAPTED_COMPULSORY),
        ("Obligatorisk särskola", SchoolForm.ADAPTED_COMPULSORY),
        ("Gymnasieskola", SchoolForm.UPPER_SECONDARY),
        ("Anpassad gymnasieskola", SchoolForm.ADAPTED_UPPER_SECONDARY),
        ("Gymnasiesärskola", SchoolForm.ADAPTED_UPPER_SECONDARY),
        ("Komvux", SchoolForm.ADULT_EDUCATION),
        ("Vuxenutbildning", SchoolForm.ADULT_EDUCATION),
        ("Anpassad komvux", SchoolForm.ADAPTED_ADULT_EDUCATION),
        ("Särvux", SchoolForm.ADAPTED_ADULT_EDUCATION),
        ("GRUNDSÄRSKOLA", SchoolForm.ADAPTED_COMPULSORY),
        ("anpassad_grundskola", SchoolForm.ADAPTED_COMPULSORY),
    ],
)
def test_current_and_old_swedish_names_of_school_forms_are_accepted(committees, text, form):
    import_rows([SCHOOL_HEADER, school_row("10000001", forms=text)])

    assert forms_of("10000001") == {form}


def test_a_school_file_may_leave_out_the_optional_columns(committees):
    import_rows([REQUIRED_SCHOOL_HEADER, ["10000001", "Norrskolan", "Grundskola", "SDN-NORR"]])

    norr = school("10000001")
    assert (norr.pupil_count, norr.ses_band, norr.is_active) == (None, None, True)


# --- Errors: the whole file is checked first, and a bad file writes nothing ----


def test_a_file_with_one_bad_row_writes_nothing(committees):
    SchoolFactory(unit_code="10000002", name="Gamla namnet", committee=committees.utb)
    before_counts = table_counts()
    before = database_state()
    rows = [
        SCHOOL_HEADER,
        school_row("10000001", "Norrskolan", "Grundskola, Fritidshem", "SDN-NORR", "412", "2"),
        school_row("10000002", "Nya namnet", "Förskola", "SDN-NORR", "88", "1"),
        school_row("10000003", "Hagaskolan", "Grundskola", "Okänd nämnd"),
        school_row("10000004", "Ängsskolan", "Grundskola", "UTB"),
    ]

    plan = plan_for(rows)
    applied = services.organisation_import_apply(raw_rows=plan.raw_rows)

    assert list(errors_by_line(plan)) == [4]
    assert "Okänd nämnd" in errors_by_line(plan)[4][0]
    assert not applied.is_valid
    assert table_counts() == before_counts
    assert database_state() == before
    assert school("10000002").name == "Gamla namnet"


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("committee", "Okänd nämnd", "Okänd nämnd"),
        ("unit_code", "12345", "12345"),
        ("unit_code", "123456789", "123456789"),
        ("unit_code", "1234567X", "1234567X"),
        ("forms", "Lekskola", "Lekskola"),
        ("forms", "Grundskola, Lekskola", "Lekskola"),
        ("pupils", "många", "många"),
        ("pupils", "-5", "-5"),
        ("pupils", "12.5", "12.5"),
        ("band", "0", "'0'"),
        ("band", "6", "'6'"),
        ("band", "hög", "hög"),
        ("status", "flyttad", "flyttad"),
    ],
)
def test_a_bad_value_is_reported_with_its_line_number_and_the_value(committees, field, value, shown):
    before = database_state()
    plan = plan_for(
        [
            SCHOOL_HEADER,
            school_row("10000001"),
            school_row(**{"unit_code": "10000002", "name": "Felskolan", field: value}),
            school_row("10000003", name="Sydskolan"),
        ]
    )

    errors = errors_by_line(plan)
    assert list(errors) == [3]
    assert len(errors[3]) == 1
    assert shown in errors[3][0]
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


@pytest.mark.parametrize("field", ["unit_code", "name", "forms", "committee"])
def test_a_row_missing_a_required_value_is_reported_with_its_line_number(committees, field):
    before = database_state()
    plan = plan_for([SCHOOL_HEADER, school_row("10000001"), school_row(**{"unit_code": "10000002", field: ""})])

    errors = errors_by_line(plan)
    assert list(errors) == [3]
    assert len(errors[3]) == 1
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


def test_a_duplicate_unit_code_is_reported_on_the_second_occurrence_naming_the_first_line(committees):
    before = database_state()
    plan = plan_for(
        [
            SCHOOL_HEADER,
            school_row("10000001", "Norrskolan"),
            school_row("10000004", "Lärkskolan"),
            school_row("10000005", "Tallbacken"),
            school_row("10000004", "Lärkskolan igen"),
        ]
    )

    errors = errors_by_line(plan)
    assert list(errors) == [5]
    assert "10000004" in errors[5][0]
    assert re.search(r"\b3\b", errors[5][0])
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


def test_a_duplicate_of_a_row_that_is_itself_bad_still_names_the_first_line(committees):
    plan = plan_for(
        [
            SCHOOL_HEADER,
            school_row("10000004", committee="Okänd nämnd"),
            school_row("10000004"),
        ]
    )

    errors = errors_by_line(plan)
    assert list(errors) == [2, 3]
    assert "Okänd nämnd" in errors[2][0]
    assert "10000004" in errors[3][0]
    assert re.search(r"\b2\b", errors[3][0])


def test_every_bad_row_is_reported_not_only_the_first(committees):
    before = database_state()
    plan = plan_for(
        [
            SCHOOL_HEADER,
            school_row("1234", "Kortkod"),
            school_row("10000002", "Bra skola"),
            school_row("10000003", "Okänd form", forms="Lekskola"),
            school_row("10000004", "Många fel", committee="Ingen sådan", pupils="x", band="9", status="borta"),
        ]
    )

    errors = errors_by_line(plan)
    assert list(errors) == [2, 4, 5]
    assert "1234" in errors[2][0]
    assert "Lekskola" in errors[4][0]
    assert len(errors[5]) == 4
    messages = " ".join(errors[5])
    for value in ("Ingen sådan", "'x'", "'9'", "borta"):
        assert value in messages
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


@pytest.mark.parametrize("missing", ["Skolenhetsnamn", "Skolformer", "Nämnd"])
def test_a_school_file_without_a_required_column_is_rejected_on_line_1(committees, missing):
    before = database_state()
    header = [c for c in SCHOOL_HEADER if c != missing]
    row = [v for c, v in zip(SCHOOL_HEADER, school_row(), strict=True) if c != missing]

    plan = plan_for([header, row])

    errors = errors_by_line(plan)
    assert list(errors) == [1]
    assert missing in errors[1][0]
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


@pytest.mark.parametrize(
    "header",
    [["Kod", "Namn"], ["Id", "Titel"], ["Nummer", "Benämning", "Typ", "Ort"]],
    ids=["code and name", "id and title", "four unknown"],
)
def test_a_file_with_unknown_columns_is_rejected_on_line_1(committees, header):
    before = database_state()
    plan = plan_for([header, ["10000001", "Norrskolan", "Grundskola", "UTB"][: len(header)]])

    errors = errors_by_line(plan)
    assert plan.kind == "unknown"
    assert list(errors) == [1]
    assert "Skolenhetskod" in errors[1][0]
    assert "Nämndkod" in errors[1][0]
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("organisation.csv", b""),
        ("organisation.csv", b"\r\n\r\n"),
        ("organisation.csv", b";;\r\n ; \r\n"),
        ("organisation.xlsx", xlsx_bytes([])),
    ],
    ids=["no bytes", "blank lines", "empty cells", "empty workbook"],
)
def test_an_empty_file_is_a_file_error(db, filename, content):
    with pytest.raises(ImportFileError):
        services.organisation_import_plan(filename=filename, content=content)


@pytest.mark.parametrize("header", [COMMITTEE_HEADER, SCHOOL_HEADER])
def test_a_file_with_only_the_header_is_a_file_error_that_says_it_has_no_rows(committees, header):
    before = database_state()
    with pytest.raises(ImportFileError) as refused:
        plan_for([header])
    assert str(refused.value) == "Filen har inga rader under rubrikraden."
    assert database_state() == before


@pytest.mark.parametrize("filename", ["organisation.xls", "organisation.pdf", "organisation.docx", "organisation"])
def test_a_file_that_is_neither_csv_nor_xlsx_is_a_file_error(db, filename):
    with pytest.raises(ImportFileError):
        services.organisation_import_plan(filename=filename, content=csv_bytes([COMMITTEE_HEADER, ["A", "B"]]))


def test_a_file_named_xlsx_that_is_not_a_workbook_is_a_file_error(db):
    with pytest.raises(ImportFileError):
        services.organisation_import_plan(
            filename="organisation.xlsx", content=csv_bytes([COMMITTEE_HEADER, ["A", "B"]])
        )


def test_a_workbook_saved_with_a_csv_name_is_a_file_error_not_a_crash(db):
    with pytest.raises(ImportFileError):
        services.organisation_import_plan(
            filename="organisation.csv", content=xlsx_bytes([COMMITTEE_HEADER, ["UTB", "Utbildningsnämnden"]])
        )


@pytest.mark.parametrize("field", ["pupils", "band"])
def test_a_superscript_digit_in_a_number_column_is_reported_not_a_crash(committees, field):
    plan = plan_for([SCHOOL_HEADER, school_row(**{"unit_code": "10000001", field: "²"})])

    assert list(errors_by_line(plan)) == [2]
    assert "²" in errors_by_line(plan)[2][0]


# --- Applying a valid file ------------------------------------------------------


def test_a_valid_file_is_written_by_apply_from_the_checked_rows(committees):
    plan = plan_for([SCHOOL_HEADER, school_row("10000001", "Norrskolan", "Grundskola", "UTB", "300", "2")])
    assert plan.is_valid
    assert plan.counts == {"create": 1, "update": 0, "unchanged": 0}
    assert not School.objects.exists()

    applied = services.organisation_import_apply(raw_rows=plan.raw_rows)

    assert applied.is_valid
    assert applied.counts == {"create": 1, "update": 0, "unchanged": 0}
    norr = school("10000001")
    assert (norr.name, norr.committee, norr.pupil_count, norr.ses_band) == ("Norrskolan", committees.utb, 300, 2)
    assert forms_of("10000001") == {SchoolForm.COMPULSORY}


def test_apply_accepts_rows_that_were_stored_as_json(committees):
    plan = plan_for([SCHOOL_HEADER, school_row("10000001"), school_row("10000002", name="Sydskolan")])

    applied = services.organisation_import_apply(raw_rows=json.loads(json.dumps(plan.raw_rows)))

    assert applied.is_valid
    assert set(School.objects.values_list("unit_code", flat=True)) == {"10000001", "10000002"}


def test_apply_checks_the_rows_again_and_writes_nothing_if_they_became_invalid(committees):
    plan = plan_for([SCHOOL_HEADER, school_row("10000001", committee="UTB"), school_row("10000002", committee="KULT")])
    assert list(errors_by_line(plan)) == [3]
    CommitteeFactory(code="KULT", name="Kulturnämnden")
    plan = plan_for([SCHOOL_HEADER, school_row("10000001", committee="UTB"), school_row("10000002", committee="KULT")])
    assert plan.is_valid
    Committee.objects.filter(code="KULT").update(code="KULTUR")
    before = database_state()

    applied = services.organisation_import_apply(raw_rows=plan.raw_rows)

    assert list(errors_by_line(applied)) == [3]
    assert "KULT" in errors_by_line(applied)[3][0]
    assert database_state() == before


def test_apply_writes_the_whole_file_in_one_transaction(committees, monkeypatch):
    SchoolFactory(unit_code="10000001", name="Gamla namnet", committee=committees.utb)
    before = database_state()
    plan = plan_for(
        [
            SCHOOL_HEADER,
            school_row("10000001", "Nya namnet", "Förskola"),
            school_row("10000002", "Sydskolan"),
            school_row("10000003", "Västskolan"),
        ]
    )
    real_school_update = services.school_update
    calls = []

    def failing_school_update(**kwargs):
        calls.append(kwargs["school"].unit_code)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real_school_update(**kwargs)

    monkeypatch.setattr(services, "school_update", failing_school_update)

    with pytest.raises(RuntimeError, match="went away"):
        services.organisation_import_apply(raw_rows=plan.raw_rows)

    assert calls == ["10000001", "10000002", "10000003"]
    assert database_state() == before


def test_importing_the_same_school_file_again_reports_every_row_unchanged_and_writes_nothing(committees):
    rows = [
        SCHOOL_HEADER,
        school_row("10000001", "Norrskolan", "Förskoleklass, Grundskola, Fritidshem", "SDN-NORR", "412", "2"),
        school_row("10000005", "Tallbacken", "Grundsärskola", "Norra stadsdelsnämnden", "38", "3"),
        school_row("10000020", "Gamla Kyrkskolan", "Grundskola", "SDN-NORR", "", "", "nedlagd"),
    ]
    import_rows(rows)
    before = database_state()

    plan = plan_for(rows)
    with no_writes():
        applied = services.organisation_import_apply(raw_rows=plan.raw_rows)

    assert plan.counts == {"create": 0, "update": 0, "unchanged": 3}
    assert applied.counts == {"create": 0, "update": 0, "unchanged": 3}
    assert all(change.changes == [] for change in applied.changes)
    assert database_state() == before


def test_a_changed_file_updates_schools_by_unit_code_and_reports_the_changes(committees):
    SchoolFactory(
        unit_code="10000001",
        name="Norrskolan",
        committee=committees.utb,
        pupil_count=300,
        ses_band=2,
        forms=[SchoolForm.COMPULSORY, SchoolForm.LEISURE_CENTRE],
    )
    SchoolFactory(unit_code="10000002", name="Sydskolan", committee=committees.utb, pupil_count=100, ses_band=1)
    pks = dict(School.objects.values_list("unit_code", "pk"))

    plan = import_rows(
        [
            SCHOOL_HEADER,
            school_row("10000001", "Norrskolan F–9", "Förskoleklass, Grundskola", "SDN-NORR", "320", "4"),
            school_row("10000002", "Sydskolan", "Grundskola", "UTB", "100", "1"),
        ]
    )

    changes = changes_by_key(plan)
    assert plan.counts == {"create": 0, "update": 1, "unchanged": 1}
    assert changes["10000001"].action == "update"
    assert changes["10000002"].action == "unchanged"
    described = changes["10000001"].changes
    assert len(described) == 5
    assert any("Norrskolan" in c and "Norrskolan F–9" in c for c in described)
    assert any("Utbildningsnämnden" in c and "Norra stadsdelsnämnden" in c for c in described)
    assert any("300" in c and "320" in c for c in described)
    assert any(re.search(r"\b2\b.*\b4\b", c) for c in described)
    norr = school("10000001")
    assert norr.pk == pks["10000001"]
    assert (norr.name, norr.committee, norr.pupil_count, norr.ses_band) == (
        "Norrskolan F–9",
        committees.norr,
        320,
        4,
    )
    assert forms_of("10000001") == {SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY}
    assert School.objects.count() == 2


def test_clearing_the_pupil_count_and_band_in_the_file_clears_them_on_the_school(committees):
    SchoolFactory(unit_code="10000001", committee=committees.utb, pupil_count=300, ses_band=2)

    plan = import_rows([SCHOOL_HEADER, school_row("10000001", committee="UTB", pupils="", band="")])

    assert changes_by_key(plan)["10000001"].action == "update"
    norr = school("10000001")
    assert (norr.pupil_count, norr.ses_band) == (None, None)


def test_status_nedlagd_closes_a_school_today_and_a_later_aktiv_reopens_it(committees):
    SchoolFactory(unit_code="10000001", name="Norrskolan", committee=committees.utb)
    rows = [SCHOOL_HEADER, school_row("10000001", "Norrskolan", committee="UTB", status="nedlagd")]

    closing = import_rows(rows)

    assert changes_by_key(closing)["10000001"].action == "update"
    assert len(changes_by_key(closing)["10000001"].changes) == 1
    closed = school("10000001")
    assert closed.is_active is False
    assert closed.closed_on == timezone.localdate()

    reopening = import_rows([SCHOOL_HEADER, school_row("10000001", "Norrskolan", committee="UTB", status="aktiv")])

    assert changes_by_key(reopening)["10000001"].action == "update"
    reopened = school("10000001")
    assert reopened.is_active is True
    assert reopened.closed_on is None


def test_the_status_is_read_in_any_case(committees):
    import_rows([SCHOOL_HEADER, school_row("10000001", status="Nedlagd"), school_row("10000002", status="AKTIV")])

    assert school("10000001").is_active is False
    assert school("10000002").is_active is True


def test_a_school_already_closed_keeps_its_closing_date(committees):
    closed_on = datetime.date(2025, 6, 30)
    SchoolFactory(
        unit_code="10000020", name="Gamla Kyrkskolan", committee=committees.utb, is_active=False, closed_on=closed_on
    )

    plan = import_rows([SCHOOL_HEADER, school_row("10000020", "Gamla Kyrkskolan", status="nedlagd")])

    assert changes_by_key(plan)["10000020"].action == "unchanged"
    assert school("10000020").closed_on == closed_on


def test_a_new_school_with_status_nedlagd_is_created_closed_today(committees):
    import_rows([SCHOOL_HEADER, school_row("10000020", "Gamla Kyrkskolan", status="nedlagd")])

    created = school("10000020")
    assert created.is_active is False
    assert created.closed_on == timezone.localdate()


# --- Reading CSV and Excel files --------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"delimiter": ";"},
        {"delimiter": ","},
        {"delimiter": ";", "bom": True},
        {"delimiter": ",", "bom": True},
        {"delimiter": ";", "encoding": "cp1252"},
        {"delimiter": ",", "encoding": "cp1252"},
        {"delimiter": "\t"},
    ],
    ids=["semicolons", "commas", "semicolons utf-8 bom", "commas utf-8 bom", "cp1252", "cp1252 commas", "tabs"],
)
def test_csv_files_are_read_whatever_the_separator_and_encoding(db, options):
    import_rows(
        [COMMITTEE_HEADER, ["SDN-SODER", "Södra stadsdelsnämnden"], ["SDN-VAST", "Västra stadsdelsnämnden"]],
        **options,
    )
    plan = import_rows(
        [
            SCHOOL_HEADER,
            school_row("10000006", "Solrosens förskola", "Förskola", "Södra stadsdelsnämnden", "72", "5"),
            school_row("10000013", "Ängsskolan", "Grundskola, Grundsärskola", "SDN-VAST", "450", "2", "Aktiv"),
        ],
        **options,
    )

    assert plan.counts == {"create": 2, "update": 0, "unchanged": 0}
    assert set(Committee.objects.values_list("name", flat=True)) == {
        "Södra stadsdelsnämnden",
        "Västra stadsdelsnämnden",
    }
    angs = school("10000013")
    assert (angs.name, angs.committee.code, angs.pupil_count, angs.ses_band) == ("Ängsskolan", "SDN-VAST", 450, 2)
    assert forms_of("10000013") == {SchoolForm.COMPULSORY, SchoolForm.ADAPTED_COMPULSORY}
    assert school("10000006").name == "Solrosens förskola"


def test_blank_lines_in_a_csv_file_do_not_shift_the_line_numbers(committees):
    content = csv_bytes(
        [SCHOOL_HEADER, school_row("10000001"), [], school_row("10000003", committee="Okänd nämnd"), []]
    )
    assert content.count(b"\r\n\r\n") == 2

    plan = services.organisation_import_plan(filename="organisation.csv", content=content)

    assert list(errors_by_line(plan)) == [4]
    assert "Okänd nämnd" in errors_by_line(plan)[4][0]


@pytest.mark.parametrize("delimiter", [";", ","])
def test_a_name_with_quotes_is_read_as_excel_wrote_it(committees, delimiter):
    content = csv_bytes([SCHOOL_HEADER, school_row("10000001", 'Skolan "Solrosen"')], delimiter=delimiter)
    assert b'"Skolan ""Solrosen"""' in content

    plan = services.organisation_import_plan(filename="organisation.csv", content=content)

    assert plan.raw_rows[0][1]["Skolenhetsnamn"] == 'Skolan "Solrosen"'


def test_an_excel_workbook_is_read_and_numeric_unit_codes_become_text(committees):
    content = xlsx_bytes(
        [
            SCHOOL_HEADER,
            [10000001, "Norrskolan", "Förskoleklass, Grundskola", "SDN-NORR", 412, 2, None],
            [10000002.0, "Sydskolan", "Grundsärskola", "Utbildningsnämnden", 38.0, 3.0, "aktiv"],
            ["10000003", "Ängsskolan", "Grundskola", "UTB", None, None, "nedlagd"],
        ]
    )

    plan = services.organisation_import_plan(filename="Organisation.XLSX", content=content)
    assert plan.errors == []
    assert [row["Skolenhetskod"] for _line, row in plan.raw_rows] == ["10000001", "10000002", "10000003"]
    services.organisation_import_apply(raw_rows=plan.raw_rows)

    norr = school("10000001")
    assert (norr.committee, norr.pupil_count, norr.ses_band) == (committees.norr, 412, 2)
    assert forms_of("10000001") == {SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY}
    syd = school("10000002")
    assert (syd.committee, syd.pupil_count, syd.ses_band) == (committees.utb, 38, 3)
    assert forms_of("10000002") == {SchoolForm.ADAPTED_COMPULSORY}
    assert school("10000003").is_active is False


def test_unit_codes_and_numbers_stored_as_floating_point_numbers_read_as_whole_numbers(committees):
    content = xlsx_bytes([SCHOOL_HEADER, [10000002, "Sydskolan", "Grundskola", "UTB", 38, 3]])
    content = with_cell_values_rewritten(content, {"10000002": "1.0000002E7", "38": "38.0", "3": "3.0"})

    plan = services.organisation_import_plan(filename="organisation.xlsx", content=content)

    assert plan.errors == []
    row = plan.raw_rows[0][1]
    assert (row["Skolenhetskod"], row["Antal elever"], row["Socioekonomiskt index"]) == ("10000002", "38", "3")
    services.organisation_import_apply(raw_rows=plan.raw_rows)
    syd = school("10000002")
    assert (syd.pupil_count, syd.ses_band) == (38, 3)


def test_a_committee_workbook_is_read(db):
    content = xlsx_bytes([COMMITTEE_HEADER, ["UTB", "Utbildningsnämnden"], [42, "Nämnd 42"]])

    plan = services.organisation_import_plan(filename="nämnder.xlsx", content=content)
    services.organisation_import_apply(raw_rows=plan.raw_rows)

    assert set(Committee.objects.values_list("code", "name")) == {("UTB", "Utbildningsnämnden"), ("42", "Nämnd 42")}


def test_a_bad_row_in_a_workbook_is_reported_with_its_excel_row_number(committees):
    before = database_state()
    content = xlsx_bytes(
        [
            SCHOOL_HEADER,
            [10000001, "Norrskolan", "Grundskola", "UTB"],
            [None],
            [1234567, "Kortkod", "Grundskola", "UTB"],
        ]
    )

    plan = services.organisation_import_plan(filename="organisation.xlsx", content=content)

    assert list(errors_by_line(plan)) == [4]
    assert "1234567" in errors_by_line(plan)[4][0]
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


# --- The management command -------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_organisation", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file(committees, tmp_path):
    path = tmp_path / "skolenheter.csv"
    path.write_bytes(
        csv_bytes(
            [
                SCHOOL_HEADER,
                school_row("10000001", "Norrskolan", "Grundskola, Fritidshem", "SDN-NORR", "412", "2"),
                school_row("10000002", "Sydskolan", "Förskola", "UTB"),
            ]
        )
    )

    out, err = run_command(str(path))

    assert err == ""
    assert "10000001" in out
    assert "10000002" in out
    assert "2 create" in out
    assert set(School.objects.values_list("unit_code", flat=True)) == {"10000001", "10000002"}
    assert forms_of("10000001") == {SchoolForm.COMPULSORY, SchoolForm.LEISURE_CENTRE}


def test_the_command_run_twice_reports_everything_unchanged_the_second_time(committees, tmp_path):
    path = tmp_path / "skolenheter.xlsx"
    path.write_bytes(xlsx_bytes([SCHOOL_HEADER, [10000001, "Norrskolan", "Grundskola", "UTB", 300, 2, "aktiv"]]))
    run_command(str(path))
    before = database_state()

    with no_writes():
        out, _err = run_command(str(path))

    assert "10000001" not in out
    assert "1 unchanged" in out
    assert database_state() == before


def test_the_command_with_dry_run_prints_what_would_change_and_writes_nothing(committees, tmp_path):
    SchoolFactory(unit_code="10000001", name="Norrskolan", committee=committees.utb, pupil_count=300)
    before = database_state()
    path = tmp_path / "skolenheter.csv"
    path.write_bytes(
        csv_bytes(
            [
                SCHOOL_HEADER,
                school_row("10000001", "Norrskolan", "Grundskola", "UTB", "320"),
                school_row("10000002", "Sydskolan", "Förskola", "UTB"),
            ]
        )
    )

    with no_writes():
        out, err = run_command(str(path), "--dry-run")

    assert err == ""
    lines = out.splitlines()
    update = next(line for line in lines if "10000001" in line)
    assert update.startswith("update")
    assert "300" in update
    assert "320" in update
    create = next(line for line in lines if "10000002" in line)
    assert create.startswith("create")
    assert "Sydskolan" in create
    assert "1 create" in out
    assert "1 update" in out
    assert database_state() == before


def test_the_command_rejects_a_bad_file_with_line_numbered_errors_on_stderr_and_writes_nothing(committees, tmp_path):
    before = database_state()
    path = tmp_path / "skolenheter.csv"
    path.write_bytes(
        csv_bytes(
            [
                SCHOOL_HEADER,
                school_row("10000001", "Norrskolan"),
                school_row("12345", "Kortkod"),
                school_row("10000003", "Hagaskolan", committee="Okänd nämnd"),
            ]
        )
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"\b2\b"):
        call_command("import_organisation", str(path), stdout=io.StringIO(), stderr=err)

    error_lines = err.getvalue().splitlines()
    assert len(error_lines) == 2
    assert error_lines[0].startswith(f"{path}:3: ")
    assert "12345" in error_lines[0]
    assert error_lines[1].startswith(f"{path}:4: ")
    assert "Okänd nämnd" in error_lines[1]
    assert database_state() == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("skolenheter.pdf", b"%PDF-1.4"),
        ("skolenheter.csv", b""),
        ("skolenheter.xlsx", b"not a workbook"),
    ],
    ids=["wrong type", "empty", "not a workbook"],
)
def test_the_command_rejects_an_unreadable_file_and_writes_nothing(committees, tmp_path, name, content):
    before = database_state()
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError, match=re.escape(str(path))):
        run_command(str(path))

    assert database_state() == before


def test_the_command_rejects_a_file_that_does_not_exist(db, tmp_path):
    with pytest.raises(CommandError, match=r"saknas\.csv"):
        run_command(str(tmp_path / "saknas.csv"))
