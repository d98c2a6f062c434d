"""The import of Skolverket's school-unit register: the documents of its open
API v2 saved as a .json file go through the same checks, preview and
confirmation as a CSV file, within the same limits."""

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from schools import services
from schools.models import OrganisationUpload, School, SchoolForm
from schools.org_files import ImportFileError
from tests.factories import CommitteeFactory, SchoolFactory, member
from tests.schools.test_import import database_state

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "skolverket_register"
IMPORT = reverse("schools:organisation_import")
CONFIRM = reverse("schools:organisation_import_confirm")


def document(code: str) -> dict:
    return json.loads((FIXTURES / "school-units" / f"{code}.json").read_text(encoding="utf-8"))


def city_file() -> bytes:
    return (FIXTURES / "demostad-units.json").read_bytes()


def as_file(documents) -> bytes:
    return json.dumps(documents, ensure_ascii=False).encode()


def plan_of(content: bytes, committee=None):
    return services.organisation_import_plan(
        filename="skolenheter.json", content=content, new_school_committee=committee
    )


def messages(plan) -> str:
    return " ".join(f"{e.line}: {e.message}" for e in plan.errors)


@pytest.fixture
def utb(db):
    return CommitteeFactory(code="UTB", name="Utbildningsnämnden")


@pytest.fixture
def admin_client(client, utb):
    client.force_login(member(Role.CITY_ADMIN, email="admin@example.se"))
    return client


# --- Reading the register's documents ------------------------------------------------


def test_the_registers_documents_create_the_units_with_their_forms_and_register_fields(utb):
    plan = plan_of(city_file(), committee=utb)
    assert plan.errors == []
    assert plan.counts == {"create": 4, "update": 0, "unchanged": 0}

    services.organisation_import_apply(raw_rows=plan.raw_rows, from_register=True, new_school_committee=utb)

    ekbacken = School.objects.get(unit_code="91000001")
    assert (ekbacken.name, ekbacken.committee, ekbacken.is_active) == ("Ekbackens skola", utb, True)
    assert set(ekbacken.forms) == {SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY, SchoolForm.LEISURE_CENTRE}
    assert (ekbacken.organisation_number, ekbacken.municipality_code, ekbacken.principal_email) == (
        "2120009999",
        "1480",
        "rektor.ekbacken@demostad.se",
    )
    assert set(School.objects.get(unit_code="91000002").forms) == {
        SchoolForm.UPPER_SECONDARY,
        SchoolForm.ADAPTED_UPPER_SECONDARY,
    }
    # Komvux with a part given as adapted education is both forms.
    assert set(School.objects.get(unit_code="91000003").forms) == {
        SchoolForm.ADULT_EDUCATION,
        SchoolForm.ADAPTED_ADULT_EDUCATION,
    }
    closed = School.objects.get(unit_code="91000004")
    assert not closed.is_active
    assert closed.closed_on is not None


def test_a_unit_the_portal_has_keeps_its_committee_and_the_register_updates_the_rest(utb):
    norr = CommitteeFactory(code="SDN-NORR", name="Norra stadsdelsnämnden")
    SchoolFactory(unit_code="91000001", name="Ekbacken", committee=norr, pupil_count=321)

    plan = plan_of(as_file([document("91000001")]))
    assert plan.errors == []
    [change] = plan.changes
    assert change.action == "update"
    assert any("Ekbacken → Ekbackens skola" in c for c in change.changes)
    services.organisation_import_apply(raw_rows=plan.raw_rows, from_register=True)

    school = School.objects.get(unit_code="91000001")
    assert (school.name, school.committee, school.pupil_count) == ("Ekbackens skola", norr, 321)
    assert school.principal_email == "rektor.ekbacken@demostad.se"


def test_the_same_register_file_imported_again_changes_nothing(utb):
    first = plan_of(city_file(), committee=utb)
    services.organisation_import_apply(raw_rows=first.raw_rows, from_register=True, new_school_committee=utb)
    before = database_state()

    again = plan_of(city_file(), committee=utb)

    assert again.counts == {"create": 0, "update": 0, "unchanged": 4}
    services.organisation_import_apply(raw_rows=again.raw_rows, from_register=True, new_school_committee=utb)
    assert database_state() == before


def test_a_new_unit_without_a_committee_for_new_units_is_an_error_that_says_so(utb):
    plan = plan_of(as_file([document("91000001")]))

    assert "91000001" in messages(plan)
    assert "välj nämnd för nya skolenheter" in messages(plan).lower()


def test_units_that_are_not_the_citys_are_refused_each_with_its_reason(utb):
    plan = plan_of(as_file([document("91000001"), document("91000005"), document("91000006")]), committee=utb)

    errors = {e.line: e.message for e in plan.errors}
    assert list(errors) == [2, 3]
    assert "KUNSKAPSPORTEN AB" in errors[2]
    assert "ENSKILD" in errors[2]
    assert "planerad" in errors[3]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["data"]["attributes"].update(schoolTypes="GR"), "schoolTypes"),
        (lambda d: d["data"]["attributes"].update(displayName={"sv": "Skolan"}), "displayName"),
        (lambda d: d["data"]["attributes"].update(email=42), "email"),
        (lambda d: d["data"]["attributes"].update(status="STANGD"), "STANGD"),
        (lambda d: d["data"]["attributes"].update(schoolTypes=["GRUNDSKOLAN"]), "GRUNDSKOLAN"),
        (lambda d: d["data"].update(schoolUnitCode="9100001"), "inledande nolla"),
        (lambda d: d["data"]["attributes"].update(municipalityCode="148"), "inledande nolla"),
        (lambda d: d["included"].update(organizationNumber="212000-999"), "10 siffror"),
        (lambda d: d["data"]["attributes"].update(email="rektor.demostad.se"), "e-postadress"),
        (lambda d: d["data"].pop("attributes"), "attributes"),
    ],
    ids=[
        "forms not a list",
        "name not text",
        "email a number",
        "unknown status",
        "misspelt form",
        "seven-digit code",
        "three-digit municipality",
        "short organisation number",
        "bad email",
        "no attributes",
    ],
)
def test_a_misspelt_or_wrongly_typed_document_is_reported_and_nothing_is_written(utb, change, expected):
    good, bad = document("91000002"), document("91000001")
    change(bad)
    before = database_state()

    plan = plan_of(as_file([good, bad]), committee=utb)

    assert not plan.is_valid
    assert all(e.line == 2 for e in plan.errors), messages(plan)
    assert expected.lower() in messages(plan).lower()
    assert database_state() == before


def test_the_registers_list_is_refused_with_what_to_save_instead(utb):
    with pytest.raises(ImportFileError, match="sync_register"):
        plan_of((FIXTURES / "school-units.json").read_bytes())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[" * 5000 + b"]" * 5000, "djupare"),
        (b'{"data": {"a": ' * 20 + b"1" + b"}}" * 20, "djupare"),
        (b"{not json", "inte giltig JSON"),
        (b'"en skolenhet"', "inte ett dokument"),
        (b"[]", "inga skolenheter"),
        (b"\xff\xfe{}", "inte giltig JSON"),
        (b'[{"data": {"attributes": {"displayName": NaN}}}]', "inte giltig JSON"),
    ],
    ids=["deep arrays", "deep objects", "not json", "a string", "empty array", "not utf-8", "NaN"],
)
def test_hostile_or_broken_json_is_refused_as_a_whole(utb, content, expected):
    with pytest.raises(ImportFileError, match=expected):
        plan_of(content)


def test_a_huge_register_file_is_refused_before_it_is_parsed(utb, settings):
    settings.ORGANISATION_IMPORT_MAX_BYTES = 10_000
    with pytest.raises(ImportFileError, match="större än"):
        plan_of(as_file([document("91000001")] * 10))


def test_a_register_file_with_more_units_than_a_file_may_have_rows_is_refused(utb, settings):
    settings.ORGANISATION_IMPORT_MAX_ROWS = 3
    with pytest.raises(ImportFileError, match="fler än 3 skolenheter"):
        plan_of(as_file([document("91000001")] * 4))


def test_a_value_longer_than_the_limit_is_refused(utb, settings):
    settings.ORGANISATION_IMPORT_MAX_FIELD_CHARS = 100
    unit = document("91000001")
    unit["data"]["attributes"]["displayName"] = "Skola " * 50
    with pytest.raises(ImportFileError, match="längre än 100 tecken"):
        plan_of(as_file([unit]))


def test_a_unit_of_another_municipality_is_refused_when_the_citys_code_is_set(utb, settings):
    settings.CITY_MUNICIPALITY_CODE = "0180"

    plan = plan_of(as_file([document("91000001")]), committee=utb)

    assert "1480" in messages(plan)
    assert "0180" in messages(plan)


def test_the_database_refuses_a_malformed_organisation_number_or_municipality_code(utb):
    school = SchoolFactory(unit_code="91000009")
    for field, value in (("organisation_number", "12345"), ("municipality_code", "14a0")):
        with pytest.raises(IntegrityError), transaction.atomic():
            School.objects.filter(pk=school.pk).update(**{field: value})


# --- The import page -----------------------------------------------------------------


def test_the_import_page_previews_a_register_file_and_imports_it_on_confirmation(admin_client, utb):
    response = admin_client.post(
        IMPORT,
        {"file": SimpleUploadedFile("skolenheter.json", city_file()), "new_school_committee": utb.pk},
    )
    html = response.content.decode()
    assert "Ekbackens skola" in html
    assert "Tallbacka skola" in html
    assert School.objects.count() == 0
    staged = OrganisationUpload.objects.get()
    assert staged.from_register
    assert staged.new_school_committee == utb

    fields = dict(re.findall(r'<input type="hidden" name="(upload|checksum)" value="([^"]*)"', html))
    admin_client.post(CONFIRM, fields)

    assert set(School.objects.values_list("unit_code", flat=True)) == {"91000001", "91000002", "91000003", "91000004"}
    assert OrganisationUpload.objects.count() == 0


def test_the_import_page_lists_a_register_files_errors_and_keeps_nothing(admin_client):
    bad = document("91000001")
    bad["data"]["attributes"]["schoolTypes"] = "GR"
    before = database_state()

    response = admin_client.post(IMPORT, {"file": SimpleUploadedFile("skolenheter.json", as_file([bad]))})

    html = response.content.decode()
    assert "schoolTypes" in html
    assert OrganisationUpload.objects.count() == 0
    assert database_state() == before


def test_the_schools_page_shows_what_the_register_holds(admin_client, utb):
    school = SchoolFactory(
        unit_code="91000001",
        committee=utb,
        organisation_number="2120009999",
        municipality_code="1480",
        principal_email="rektor.ekbacken@demostad.se",
    )

    html = admin_client.get(reverse("schools:school_detail", args=[school.pk])).content.decode()

    assert "2120009999" in html
    assert "1480" in html
    assert 'href="mailto:rektor.ekbacken@demostad.se"' in html
