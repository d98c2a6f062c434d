"""Upload limits of the organisation import: each refused with one Swedish
message before any heavy work (counted: the file not read, the rows not
checked, the workbook not unpacked, no cell read), never a 500."""

import io
import re
import zipfile
from collections import Counter

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from accounts.models import Role
from schools import org_files, services
from schools.models import OrganisationUpload
from tests.factories import CommitteeFactory, member
from tests.schools.test_import import SCHOOL_HEADER, csv_bytes, database_state, school_row, xlsx_bytes

IMPORT = reverse("schools:organisation_import")


@pytest.fixture
def admin_client(client, db):
    CommitteeFactory(code="UTB", name="Utbildningsnämnden")
    client.force_login(member(Role.CITY_ADMIN, email="admin@example.se"))
    return client


@pytest.fixture
def work(monkeypatch) -> Counter:
    """What the import did: files read, rows checked, workbooks unpacked, rows of cells read."""
    done = Counter()

    def counted(name, function):
        def run(*args, **kwargs):
            done[name] += 1
            return function(*args, **kwargs)

        return run

    monkeypatch.setattr(services, "read_rows", counted("read", services.read_rows))
    monkeypatch.setattr(services, "plan_rows", counted("checked", services.plan_rows))
    monkeypatch.setattr(openpyxl, "load_workbook", counted("unpacked", openpyxl.load_workbook))
    cells_by_row = ReadOnlyWorksheet._cells_by_row

    def rows_of_cells(sheet, *args, **kwargs):
        for row in cells_by_row(sheet, *args, **kwargs):
            done["rows of cells"] += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", rows_of_cells)
    return done


def upload(client, filename: str, content: bytes):
    """Post a file; the answer, after checking that nothing was written."""
    before = database_state()
    response = client.post(IMPORT, {"file": SimpleUploadedFile(filename, content)})
    assert database_state() == before
    assert OrganisationUpload.objects.count() == 0
    return response


def refused_with(response) -> str:
    assert response.status_code == 200
    error = response.context["file_error"]
    assert error, "the file was not refused"
    assert response.context["plan"] is None
    return error


def with_sheet_rewritten(content: bytes, rewrite) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                with target.open(item.filename, "w", force_zip64=True) as member_file:
                    rewrite(data, member_file)
            else:
                target.writestr(item, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A valid-looking workbook of a few hundred kilobytes whose sheet unpacks
    to 300 MB (whitespace between the XML elements, as any XML reader accepts)."""
    workbook = xlsx_bytes([SCHOOL_HEADER, school_row("10000001")])

    def pad(data: bytes, member_file) -> None:
        head, tail = data.split(b"<sheetData>", 1)
        member_file.write(head + b"<sheetData>")
        chunk = b" " * (1 << 20)
        for _ in range(300):
            member_file.write(chunk)
        member_file.write(tail)

    return with_sheet_rewritten(workbook, pad)


def test_a_file_larger_than_5_mb_is_refused_before_it_is_read(admin_client, work):
    content = csv_bytes([SCHOOL_HEADER]) + b"10000001;Norrskolan;Grundskola;UTB\r\n" * 850_000  # 30 MB

    response = upload(admin_client, "stor.csv", content)

    assert refused_with(response) == "Filen är större än 5,0\xa0MB. Dela upp den i mindre filer."
    assert work == Counter()


def test_a_file_with_more_than_50_000_rows_is_refused_before_it_is_checked(admin_client, work):
    rows = [SCHOOL_HEADER] + [school_row(str(10_000_000 + i), "S", committee="X") for i in range(50_001)]
    content = csv_bytes(rows)
    assert len(content) < 5 * 1024 * 1024

    response = upload(admin_client, "manga.csv", content)

    assert refused_with(response) == (
        "Filen har fler än 50\xa0000 rader under rubrikraden. Dela upp den i mindre filer."
    )
    assert (work["read"], work["checked"]) == (1, 0)


def test_50_000_rows_are_not_too_many(db):
    rows = [SCHOOL_HEADER] + [school_row(str(10_000_000 + i), "S") for i in range(50_000)]
    assert len(org_files.read_rows(filename="skolor.csv", content=csv_bytes(rows))) == 50_000


@pytest.mark.parametrize("length", [1_001, 200_000])
def test_a_csv_value_longer_than_1000_characters_is_refused_naming_its_line(admin_client, work, length):
    content = csv_bytes([SCHOOL_HEADER, school_row("10000001"), school_row("10000002", name="x" * length)])

    response = upload(admin_client, "lang.csv", content)

    assert refused_with(response) == "Rad 3 har ett värde som är längre än 1\xa0000 tecken."
    assert (work["read"], work["checked"]) == (1, 0)


def test_a_value_of_1000_characters_is_read(db):
    content = csv_bytes([SCHOOL_HEADER, school_row("10000001", name="x" * 1_000)])
    assert org_files.read_rows(filename="skolor.csv", content=content)[0][1]["Skolenhetsnamn"] == "x" * 1_000


def test_a_zip_bomb_workbook_is_refused_from_its_directory_without_unpacking(admin_client, work, zip_bomb):
    assert len(zip_bomb) < 1024 * 1024

    response = upload(admin_client, "bomb.xlsx", zip_bomb)

    assert refused_with(response) == (
        "Excelfilen packas upp till mer än 50,0\xa0MB. Spara bara bladet med organisationen, eller spara den som CSV."
    )
    assert (work["read"], work["unpacked"], work["rows of cells"]) == (1, 0, 0)


# openpyxl writes the tag with or without a space before "/>" (with lxml installed, without).
DIMENSION = re.compile(rb'<dimension ref="[A-Z0-9:]+"\s*/>')


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        ("A1:XFD1048576", "Filen har fler än 50\xa0000 rader under rubrikraden. Dela upp den i mindre filer."),
        ("A1:G50002", "Filen har fler än 50\xa0000 rader under rubrikraden. Dela upp den i mindre filer."),
        ("A1:AY2", "Det första bladet har fler än 50 kolumner."),
    ],
)
def test_a_sheet_declared_larger_than_the_limits_is_refused_before_its_cells_are_read(
    admin_client, work, dimension, message
):
    workbook = xlsx_bytes([SCHOOL_HEADER, school_row("10000001")])

    def declare(data: bytes, member_file) -> None:
        written, found = DIMENSION.subn(f'<dimension ref="{dimension}" />'.encode(), data)
        assert found == 1
        member_file.write(written)

    response = upload(admin_client, "stort.xlsx", with_sheet_rewritten(workbook, declare))

    assert refused_with(response) == message
    assert (work["unpacked"], work["rows of cells"]) == (1, 0)


def test_a_sheet_without_a_declared_size_is_refused_as_soon_as_it_has_too_many_rows(admin_client, work, settings):
    settings.ORGANISATION_IMPORT_MAX_ROWS = 3
    workbook = xlsx_bytes([SCHOOL_HEADER] + [school_row(str(10_000_000 + i)) for i in range(4)])

    def undeclare(data: bytes, member_file) -> None:
        assert b'ref="A1:G5"' in data
        written, found = DIMENSION.subn(b"", data)
        assert found == 1
        member_file.write(written)

    response = upload(admin_client, "odeklarerat.xlsx", with_sheet_rewritten(workbook, undeclare))

    assert refused_with(response) == "Filen har fler än 3 rader under rubrikraden. Dela upp den i mindre filer."
    assert work["rows of cells"] == 1 + 3 + 1  # the header, the 3 allowed, the one too many


def test_a_workbook_value_longer_than_the_limit_is_refused_naming_its_row(admin_client):
    workbook = xlsx_bytes([SCHOOL_HEADER, school_row("10000001", name="x" * 1_001)])

    response = upload(admin_client, "lang.xlsx", workbook)

    assert refused_with(response) == "Rad 2 har ett värde som är längre än 1\xa0000 tecken."


def test_the_limits_are_settings(admin_client, settings):
    settings.ORGANISATION_IMPORT_MAX_BYTES = 100
    settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS = 10

    response = upload(admin_client, "stor.csv", b"x" * 101)
    assert refused_with(response) == "Filen är större än 100\xa0byte. Dela upp den i mindre filer."

    content = csv_bytes([["Nämndkod", "Nämnd"], ["UTB", "Utbildningsnämnden"]])
    response = upload(admin_client, "namn.csv", content)
    assert refused_with(response) == "Rad 2 har ett värde som är längre än 10 tecken."


def test_the_command_refuses_a_file_larger_than_the_limit(db, tmp_path):
    path = tmp_path / "stor.csv"
    path.write_bytes(b"x" * (5 * 1024 * 1024 + 1))

    with pytest.raises(CommandError, match="5,0"):
        call_command("import_organisation", str(path))
