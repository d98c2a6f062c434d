"""Organisation files as municipalities have them: the register's column names and
their variants, every school form of the Education Act by any of its names,
every problem of a file in one round, and the template file."""

import codecs

import pytest
from django.urls import reverse

from accounts.models import Role
from schools import services
from schools.models import School, SchoolForm
from tests.factories import member
from tests.schools.test_import import (
    committees,  # noqa: F401 (a fixture)
    csv_bytes,
    database_state,
    errors_by_line,
    forms_of,
    plan_for,
    school,
)


def register_export() -> bytes:
    """A school file as a municipality exports it from its register in Swedish
    Excel: Windows-1252, CRLF line ends, semicolons, the singular "Skolform",
    columns the import does not read, and the register's statuses."""
    text = (
        "Skolenhetskod;Skolenhetsnamn;Skolform;Kommun;Huvudman;Nämnd;Status\r\n"
        "10000001;Åkerö skola;Förskoleklass, Grundskola, Fritidshem;Göteborg;Göteborgs kommun;UTB;Aktiv\r\n"
        "10000002;Vuxenutbildningen Väst;Kommunal vuxenutbildning;Göteborg;Göteborgs kommun;UTB;Aktiv\r\n"
        "10000003;Särvux Öster;Kommunal vuxenutbildning som anpassad utbildning;Göteborg;Göteborgs kommun;UTB;"
        "Upphörd\r\n"
        "10000004;Lyckans gymnasiesärskola;Gymnasiesärskola;Göteborg;Göteborgs kommun;SDN-NORR;Vilande\r\n"
    )
    return text.encode("cp1252")


def test_a_register_export_in_windows_1252_with_the_singular_skolform_is_imported(committees):  # noqa: F811
    plan = services.organisation_import_plan(filename="skolenheter.csv", content=register_export())

    assert plan.errors == []
    assert plan.kind == "schools"
    assert plan.ignored_columns == [("Kommun", None), ("Huvudman", None)]
    services.organisation_import_apply(raw_rows=plan.raw_rows)
    assert school("10000001").name == "Åkerö skola"
    assert forms_of("10000001") == {"forskoleklass", "grundskola", "fritidshem"}
    assert forms_of("10000002") == {"komvux"}
    assert forms_of("10000003") == {"anpassad_komvux"}
    assert forms_of("10000004") == {"anpassad_gymnasieskola"}
    assert school("10000004").committee == committees.norr
    assert [school(code).is_active for code in ("10000001", "10000002", "10000003", "10000004")] == [
        True,
        True,
        False,
        False,
    ]


def test_a_utf8_file_with_a_bom_english_columns_and_quoted_values_is_imported(committees):  # noqa: F811
    content = codecs.BOM_UTF8 + (
        b'"School unit code","School unit name","School forms","Committee code","Number of pupils"\r\n'
        b'"10000001","Skolan ""Norr"", avdelning 2","Preschool class, Compulsory school","UTB","250"\r\n'
        b'"10000002","Komvux; centrum","Municipal adult education","SDN-NORR",""\r\n'
    )

    plan = services.organisation_import_plan(filename="units.csv", content=content)

    assert plan.errors == []
    services.organisation_import_apply(raw_rows=plan.raw_rows)
    assert school("10000001").name == 'Skolan "Norr", avdelning 2'
    assert school("10000001").pupil_count == 250
    assert forms_of("10000001") == {"forskoleklass", "grundskola"}
    assert school("10000002").name == "Komvux; centrum"
    assert school("10000002").committee == committees.norr


@pytest.mark.parametrize(
    ("unit_code", "name", "forms", "committee"),
    [
        ("Skolenhetskod", "Skolenhetsnamn", "Skolformer", "Nämnd"),
        ("Skolenhetskoder", "Skolenhet", "Skolform", "Nämnder"),
        ("Enhetskod", "Enhetsnamn", "Skolform(er)", "Ansvarig nämnd"),
        ("SKOLENHET KOD", "Namn", "SKOLFORM", "NÄMNDKOD"),
        ("Skolenhets-kod", "Skolenhetens namn", "Skolenhetens skolformer", "Nämndens namn"),
        ("Unit code", "School unit name", "School form", "Committee"),
        ("SchoolUnitCode", "Name", "SchoolForms", "Committee name"),
    ],
)
def test_the_registers_column_names_and_their_variants_are_read(committees, unit_code, name, forms, committee):  # noqa: F811
    code_or_name = "UTB" if "kod" in committee.lower() or committee == "Nämnder" else "Utbildningsnämnden"
    plan = plan_for([[unit_code, name, forms, committee], ["10000001", "Norrskolan", "Grundskola", code_or_name]])

    assert plan.errors == []
    assert plan.ignored_columns == []
    assert plan.cleaned[0]["name"] == "Norrskolan"
    assert plan.cleaned[0]["forms"] == ["grundskola"]
    assert plan.cleaned[0]["committee_id"] == committees.utb.pk


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Förskola", SchoolForm.PRESCHOOL),
        ("Förskoleklass", SchoolForm.PRESCHOOL_CLASS),
        ("Fritidshem", SchoolForm.LEISURE_CENTRE),
        ("Grundskola", SchoolForm.COMPULSORY),
        ("Anpassad grundskola", SchoolForm.ADAPTED_COMPULSORY),
        ("Grundsärskola", SchoolForm.ADAPTED_COMPULSORY),
        ("Träningsskolan", SchoolForm.ADAPTED_COMPULSORY),
        ("Specialskola", SchoolForm.SPECIAL),
        ("Sameskola", SchoolForm.SAMI),
        ("Gymnasieskola", SchoolForm.UPPER_SECONDARY),
        ("Anpassad gymnasieskola", SchoolForm.ADAPTED_UPPER_SECONDARY),
        ("Gymnasiesärskola", SchoolForm.ADAPTED_UPPER_SECONDARY),
        ("Kommunal vuxenutbildning", SchoolForm.ADULT_EDUCATION),
        ("kommunal vuxenutbildning i svenska för invandrare", SchoolForm.ADULT_EDUCATION),
        ("Komvux", SchoolForm.ADULT_EDUCATION),
        ("Kommunal vuxenutbildning som anpassad utbildning", SchoolForm.ADAPTED_ADULT_EDUCATION),
        ("Särskild utbildning för vuxna", SchoolForm.ADAPTED_ADULT_EDUCATION),
        ("Särvux", SchoolForm.ADAPTED_ADULT_EDUCATION),
        ("GRAN", SchoolForm.ADAPTED_COMPULSORY),
        ("FKLASS", SchoolForm.PRESCHOOL_CLASS),
        ("gy", SchoolForm.UPPER_SECONDARY),
    ],
)
def test_every_school_form_of_the_education_act_is_read_by_its_current_and_older_names(committees, text, form):  # noqa: F811
    plan = plan_for([["Skolenhetskod", "Skolenhetsnamn", "Skolform", "Nämnd"], ["10000001", "Skolan", text, "UTB"]])

    assert plan.errors == []
    assert plan.cleaned[0]["forms"] == [form]


def test_a_file_with_a_wrong_header_and_bad_rows_lists_every_problem_in_one_round(committees):  # noqa: F811
    before = database_state()
    plan = plan_for(
        [
            ["Skolenhetskod", "Skolenhetsnamn", "Skolfomer", "Antal elever"],
            ["1234567", "Kortkod", "Grundskola", "12"],
            ["10000002", "", "Grundskola", "många"],
            ["10000003", "Bra skola", "Grundskola", "40"],
        ]
    )

    errors = errors_by_line(plan)
    assert list(errors) == [1, 2, 3]
    header = " ".join(errors[1])
    assert "Skolformer" in header  # the nearest column is suggested
    assert "'Skolfomer'" in header
    assert "Nämnd" in header
    assert "1234567" in errors[2][0]
    assert len(errors[3]) == 2
    assert plan.changes == []
    assert not services.organisation_import_apply(raw_rows=plan.raw_rows).is_valid
    assert database_state() == before


def test_a_seven_digit_unit_code_is_explained_as_a_lost_leading_zero(committees):  # noqa: F811
    plan = plan_for(
        [["Skolenhetskod", "Skolenhetsnamn", "Skolform", "Nämnd"], ["1234567", "Skolan", "Grundskola", "UTB"]]
    )

    [error] = plan.errors
    assert error.line == 2
    assert "Excel kan ha tagit bort en inledande nolla" in error.message
    assert "01234567" in error.message


def test_a_misspelt_optional_column_is_shown_with_the_nearest_known_column(committees):  # noqa: F811
    plan = plan_for(
        [
            ["Skolenhetskod", "Skolenhetsnamn", "Skolform", "Nämnd", "Antal elver"],
            ["10000001", "Skolan", "Grundskola", "UTB", "40"],
        ]
    )

    assert plan.errors == []
    assert plan.ignored_columns == [("Antal elver", "Antal elever")]
    assert plan.cleaned[0]["pupil_count"] is None


def test_unknown_columns_are_answered_with_the_nearest_known_ones(committees):  # noqa: F811
    plan = plan_for([["Kod", "Namn", "Skolenhetsnam"], ["10000001", "Skolan", "x"]])

    assert plan.kind == "schools"
    message = " ".join(errors_by_line(plan)[1])
    assert "Skolenhetskod" in message
    assert "Skolformer" in message


def test_two_columns_for_the_same_value_are_refused(committees):  # noqa: F811
    plan = plan_for(
        [
            ["Skolenhetskod", "Skolenhetsnamn", "Skolform", "Skolformer", "Nämnd"],
            ["10000001", "Skolan", "Grundskola", "Förskola", "UTB"],
        ]
    )

    [error] = plan.errors
    assert error.line == 1
    assert "'Skolform'" in error.message
    assert "'Skolformer'" in error.message


def test_a_committee_code_and_name_that_do_not_match_are_refused(committees):  # noqa: F811
    plan = plan_for(
        [
            ["Skolenhetskod", "Skolenhetsnamn", "Skolform", "Nämndkod", "Nämnd"],
            ["10000001", "Skolan", "Grundskola", "UTB", "Utbildningsnämnden"],
            ["10000002", "Skolan 2", "Grundskola", "UTB", "Norra stadsdelsnämnden"],
        ]
    )

    assert list(errors_by_line(plan)) == [3]


@pytest.mark.parametrize("text", ["Pedagogisk omsorg", "Öppen fritidsverksamhet"])
def test_an_activity_that_is_not_a_school_form_is_named_as_such(committees, text):  # noqa: F811
    plan = plan_for([["Skolenhetskod", "Skolenhetsnamn", "Skolform", "Nämnd"], ["10000001", "Skolan", text, "UTB"]])

    [error] = plan.errors
    assert text in error.message
    assert "skollagen" in error.message


def test_a_nearly_right_school_form_is_answered_with_the_nearest_one(committees):  # noqa: F811
    plan = plan_for(
        [["Skolenhetskod", "Skolenhetsnamn", "Skolform", "Nämnd"], ["10000001", "Skolan", "Grundskolan", "UTB"]]
    )

    [error] = plan.errors
    assert "Grundskolan" in error.message
    assert "Grundskola" in error.message.replace("'Grundskolan'", "")


def test_the_template_file_downloads_and_imports_once_its_committee_exists(client, committees):  # noqa: F811
    client.force_login(member(Role.CITY_ADMIN, email="admin@example.se"))

    page = client.get(reverse("schools:organisation_import"))
    response = client.get(reverse("schools:organisation_import_template"))

    assert reverse("schools:organisation_import_template") in page.content.decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(codecs.BOM_UTF8)
    plan = services.organisation_import_plan(filename="mall.csv", content=content)
    assert plan.errors == []
    assert plan.ignored_columns == []
    services.organisation_import_apply(raw_rows=plan.raw_rows)
    assert School.objects.get(unit_code="01234567").pupil_count == 350


def test_the_template_file_is_for_the_city_admin_only(client, committees):  # noqa: F811
    client.force_login(member(Role.CITY_ANALYST, email="analyst@example.se"))

    assert client.get(reverse("schools:organisation_import_template")).status_code == 403


def test_the_import_page_lists_the_columns_it_does_not_read(client, committees):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(member(Role.CITY_ADMIN, email="admin@example.se"))
    content = csv_bytes(
        [
            ["Skolenhetskod", "Skolenhetsnamn", "Skolform", "Nämnd", "Antal elver", "Kommun"],
            ["10000001", "Skolan", "Grundskola", "UTB", "40", "Göteborg"],
        ]
    )

    response = client.post(reverse("schools:organisation_import"), {"file": SimpleUploadedFile("s.csv", content)})

    html = response.content.decode()
    assert "Antal elever" in html
    assert "Antal elver" in html
    assert "Kommun" in html
