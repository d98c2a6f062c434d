"""The import page keeps a checked file for its user, with its checksum, and the
confirmation imports exactly that file or says the check is out of date."""

import datetime
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from schools.models import OrganisationUpload, School
from tests.factories import CommitteeFactory, member
from tests.schools.test_import import SCHOOL_HEADER, csv_bytes, database_state, school_row

IMPORT = reverse("schools:organisation_import")
CONFIRM = reverse("schools:organisation_import_confirm")
OUT_OF_DATE = "Kontrollen av filen är inte längre aktuell"


@pytest.fixture
def admin(db):
    CommitteeFactory(code="UTB", name="Utbildningsnämnden")
    return member(Role.CITY_ADMIN, email="admin@example.se")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def school_file(first_code: int, name: str, count: int = 2) -> bytes:
    return csv_bytes([SCHOOL_HEADER] + [school_row(str(first_code + i), f"{name} {i}") for i in range(count)])


def check(client, content: bytes, filename: str = "skolor.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(IMPORT, {"file": SimpleUploadedFile(filename, content)})


def confirm_fields(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r'<input type="hidden" name="(upload|checksum)" value="([^"]*)"', html))


def unit_codes() -> set[str]:
    return set(School.objects.values_list("unit_code", flat=True))


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_a_checked_file_is_kept_for_its_user_with_its_checksum_and_not_in_the_session(admin_client, admin):
    content = school_file(10000000, "Norr")

    response = check(admin_client, content)

    staged = OrganisationUpload.objects.get()
    assert (staged.user, staged.filename) == (admin, "skolor.csv")
    assert staged.checksum == hashlib.sha256(content).hexdigest()
    assert confirm_fields(response) == {"upload": str(staged.pk), "checksum": staged.checksum}
    session = admin_client.session
    assert set(session.keys()) <= {"_auth_user_id", "_auth_user_backend", "_auth_user_hash"}
    assert "Norr" not in str(session.load())
    assert unit_codes() == set()


def test_confirming_imports_the_checked_rows_and_removes_the_kept_file(admin_client):
    fields = confirm_fields(check(admin_client, school_file(10000000, "Norr")))

    response = admin_client.post(CONFIRM, fields, follow=True)

    assert unit_codes() == {"10000000", "10000001"}
    assert "skolor.csv" in messages_of(response)
    assert OrganisationUpload.objects.count() == 0


def test_of_two_files_checked_one_after_the_other_the_first_form_imports_the_first_file(admin_client):
    first = confirm_fields(check(admin_client, school_file(10000000, "Först"), "forsta.csv"))
    second = confirm_fields(check(admin_client, school_file(20000000, "Andra"), "andra.csv"))

    response = admin_client.post(CONFIRM, first, follow=True)

    assert unit_codes() == {"10000000", "10000001"}
    assert "forsta.csv" in messages_of(response)
    admin_client.post(CONFIRM, second)
    assert unit_codes() == {"10000000", "10000001", "20000000", "20000001"}


def test_confirming_the_same_check_twice_imports_once_and_then_says_it_is_out_of_date(admin_client):
    fields = confirm_fields(check(admin_client, school_file(10000000, "Norr")))
    admin_client.post(CONFIRM, fields)
    School.objects.filter(unit_code="10000000").update(name="Ändrad efter importen")

    response = admin_client.post(CONFIRM, fields, follow=True)

    assert OUT_OF_DATE in messages_of(response)
    assert School.objects.get(unit_code="10000000").name == "Ändrad efter importen"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda f: {**f, "checksum": "0" * 64}, id="another checksum"),
        pytest.param(lambda f: {**f, "upload": str(int(f["upload"]) + 1000)}, id="another upload"),
        pytest.param(lambda f: {"checksum": f["checksum"]}, id="no upload"),
        pytest.param(lambda f: {**f, "checksum": "not a checksum"}, id="malformed checksum"),
        pytest.param(lambda f: {}, id="nothing"),
    ],
)
def test_a_confirmation_that_does_not_name_a_kept_file_imports_nothing_and_says_the_check_is_out_of_date(
    admin_client, tamper
):
    fields = confirm_fields(check(admin_client, school_file(10000000, "Norr")))
    before = database_state()

    response = admin_client.post(CONFIRM, tamper(fields), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == IMPORT
    assert OUT_OF_DATE in messages_of(response)
    assert database_state() == before


def test_another_admin_cannot_confirm_a_file_someone_else_checked(admin_client, client):
    fields = confirm_fields(check(admin_client, school_file(10000000, "Norr")))
    other = member(Role.CITY_ADMIN, email="annan.admin@example.se")
    client.force_login(other)

    response = client.post(CONFIRM, fields, follow=True)

    assert OUT_OF_DATE in messages_of(response)
    assert unit_codes() == set()
    assert OrganisationUpload.objects.count() == 1


def test_a_check_older_than_the_time_allowed_is_out_of_date_and_removed_by_the_next_check(admin_client, settings):
    fields = confirm_fields(check(admin_client, school_file(10000000, "Norr")))
    OrganisationUpload.objects.update(
        created_at=timezone.now() - datetime.timedelta(seconds=settings.ORGANISATION_IMPORT_UPLOAD_TTL + 1)
    )

    response = admin_client.post(CONFIRM, fields, follow=True)

    assert OUT_OF_DATE in messages_of(response)
    assert unit_codes() == set()
    check(admin_client, school_file(30000000, "Ny"))
    assert list(OrganisationUpload.objects.values_list("pk", flat=True)) != [int(fields["upload"])]
    assert OrganisationUpload.objects.count() == 1


def test_when_the_organisation_changed_since_the_check_nothing_is_imported_and_the_check_is_out_of_date(
    admin_client,
):
    fields = confirm_fields(check(admin_client, school_file(10000000, "Norr")))
    # Someone else creates one of the file's schools: the check showed it as new.
    School.objects.create(unit_code="10000001", name="Redan här", committee_id=CommitteeFactory().pk)
    before = database_state()

    response = admin_client.post(CONFIRM, fields, follow=True)

    assert OUT_OF_DATE in messages_of(response)
    assert database_state() == before


def test_a_check_in_swedish_is_confirmed_in_english(admin_client):
    fields = confirm_fields(check(admin_client, school_file(10000000, "Norr")))
    admin_client.cookies["django_language"] = "en"

    admin_client.post(CONFIRM, fields)

    assert unit_codes() == {"10000000", "10000001"}


def test_a_file_with_errors_is_not_kept(admin_client):
    response = check(admin_client, csv_bytes([SCHOOL_HEADER, school_row("1234")]))

    assert confirm_fields(response) == {}
    assert OrganisationUpload.objects.count() == 0
