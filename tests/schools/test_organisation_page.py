"""The organisation's table is cached for the committees the user sees, until a
committee or a school unit changes."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from schools.models import Committee, School
from tests.factories import CommitteeFactory, SchoolFactory

URL = reverse("schools:committee_list")


def rows(client) -> tuple[dict[str, list[str]], bool]:
    """{committee: [code, active, closed]} as the page shows them, and whether the committees were read."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL).content.decode()
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        name = re.search(r"<a [^>]*>(.*?)</a>", row).group(1)
        found[name] = re.findall(r"<td[^>]*>(.*?)</td>", row)
    read = any('FROM "schools_committee"' in q["sql"] for q in queries.captured_queries)
    return found, read


def test_the_table_is_read_once_and_then_from_the_cache(client, org):
    client.force_login(org.analyst)
    first, read = rows(client)
    assert read
    assert first == {"Nämnd A": ["A", "1", "0"], "Nämnd B": ["B", "1", "0"]}
    again, read = rows(client)
    assert again == first
    assert not read


def test_a_new_school_a_closed_one_and_a_renamed_committee_show_at_once(client, org):
    client.force_login(org.analyst)
    rows(client)
    SchoolFactory(committee=org.committee_a, name="Skola A2", unit_code="11111112")
    assert rows(client)[0]["Nämnd A"] == ["A", "2", "0"]
    school = School.objects.get(pk=org.school_b.pk)
    school.close(on=timezone.localdate())
    school.save()
    assert rows(client)[0]["Nämnd B"] == ["B", "0", "1"]
    committee = Committee.objects.get(pk=org.committee_a.pk)
    committee.name = "Nämnd Alfa"
    committee.save()
    assert set(rows(client)[0]) == {"Nämnd Alfa", "Nämnd B"}
    CommitteeFactory(code="C", name="Nämnd C")
    assert set(rows(client)[0]) == {"Nämnd Alfa", "Nämnd B", "Nämnd C"}


def test_committee_staff_never_get_the_city_offices_table_nor_the_other_way_round(client, org):
    client.force_login(org.analyst)
    assert set(rows(client)[0]) == {"Nämnd A", "Nämnd B"}
    client.force_login(org.editor_b)
    assert set(rows(client)[0]) == {"Nämnd B"}
    client.force_login(org.reader_a)
    assert set(rows(client)[0]) == {"Nämnd A"}
    client.force_login(org.admin)
    assert set(rows(client)[0]) == {"Nämnd A", "Nämnd B"}


def test_the_table_is_cached_in_each_language(client, org, settings):
    client.force_login(org.analyst)
    assert "Aktiva skolenheter" in client.get(URL).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Active school units" in client.get(URL).content.decode()
