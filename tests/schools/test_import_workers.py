"""Under gunicorn with several workers, confirming a checked organisation file
imports that file, whichever worker answers."""

import re

import pytest

from accounts.models import Role
from schools.models import OrganisationUpload, School
from tests.factories import PASSWORD, CommitteeFactory, member
from tests.gunicorn_server import Client, compose_cache_url, with_real_password_hash
from tests.schools.test_import import SCHOOL_HEADER, csv_bytes, school_row

pytestmark = pytest.mark.gunicorn

IMPORT = "/organisation/import/"
CONFIRM = "/organisation/import/confirm/"


def school_file(first_code: int, name: str) -> bytes:
    return csv_bytes([SCHOOL_HEADER] + [school_row(str(first_code + i), f"{name} {i}") for i in range(3)])


def confirm_form(page: str) -> dict[str, str]:
    """The hidden fields of the page's confirm form."""
    form = page[page.index(f'action="{CONFIRM}"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'<input type="hidden" name="(?!csrfmiddlewaretoken)([^"]+)" value="([^"]*)"', form))


def test_checking_two_files_one_after_the_other_and_confirming_the_first_imports_the_first(start_portal, redis_server):
    CommitteeFactory(code="UTB", name="Utbildningsnämnden")
    admin = member(Role.CITY_ADMIN, email="admin@example.se")
    with_real_password_hash(admin)
    server = start_portal(cache_url=compose_cache_url(redis_server))
    browser = Client(server)
    browser.log_in(admin.email, PASSWORD)

    for round_, (first, second) in enumerate([(10000000, 20000000), (30000000, 40000000), (50000000, 60000000)]):
        checked_first = browser.post_file(
            IMPORT, name="file", filename="forsta.csv", content=school_file(first, "Först")
        )
        checked_second = browser.post_file(
            IMPORT, name="file", filename="andra.csv", content=school_file(second, "Andra")
        )
        assert (checked_first.status, checked_second.status) == (200, 200)

        answer = browser.post(CONFIRM, confirm_form(checked_first.body), token_from=IMPORT)

        assert answer.status == 302
        shown = browser.get(answer.location).body
        assert "forsta.csv" in shown, f"round {round_}: no message that the first file was imported"
        codes = set(School.objects.values_list("unit_code", flat=True))
        assert {str(first + i) for i in range(3)} <= codes
        assert not {str(second + i) for i in range(3)} & codes, f"round {round_}: the second file was imported"

        # The same confirmation again imports nothing and says the check is out of date.
        again = browser.post(CONFIRM, confirm_form(checked_first.body), token_from=IMPORT)
        assert again.status == 302
        assert "inte längre aktuell" in browser.get(again.location).body
        assert not {str(second + i) for i in range(3)} & set(School.objects.values_list("unit_code", flat=True))

    # The second files were never confirmed; they wait for their user, and nothing is in the session.
    assert OrganisationUpload.objects.filter(user=admin).count() == 3
