import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import SchoolFactory, UserFactory, member


@pytest.mark.parametrize(
    ("persona", "lands_on"),
    [
        ("principal_a", lambda o: reverse("schools:school_detail", args=[o.school_a.pk])),
        ("editor_a", lambda o: reverse("schools:committee_detail", args=[o.committee_a.pk])),
        ("reader_a", lambda o: reverse("schools:committee_detail", args=[o.committee_a.pk])),
        ("analyst", lambda o: reverse("schools:committee_list")),
        ("admin", lambda o: reverse("schools:committee_list")),
    ],
)
def test_after_login_each_user_lands_on_the_page_that_is_theirs(client, org, persona, lands_on):
    client.force_login(getattr(org, persona))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == lands_on(org)


def test_a_head_of_several_schools_sees_the_list_of_them(client, org):
    other = SchoolFactory(committee=org.committee_a, name="Skola C")
    head = member(Role.HEAD_OF_SCHOOLS, school=org.school_a)
    head.memberships.create(role=Role.HEAD_OF_SCHOOLS, school=other)
    client.force_login(head)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert [s.name for s in response.context["schools"]] == ["Skola A", "Skola C"]


def test_a_user_without_a_role_is_told_to_ask_for_one(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "Be din nämnd eller stadsledningskontoret" in response.content.decode()


def test_the_navigation_shows_each_kind_of_user_what_is_theirs(client, org):
    client.force_login(org.principal_a)
    labels = [
        str(item["label"])
        for item in client.get(reverse("schools:school_detail", args=[org.school_a.pk])).context["nav_items"]
    ]
    assert labels == ["Skola A", "Strategier"]

    client.force_login(org.editor_a)
    labels = [str(item["label"]) for item in client.get(reverse("schools:committee_list")).context["nav_items"]]
    assert labels == ["Nämnd A", "Översikt", "Uppföljning", "Handlingsplaner", "Strategier", "Användare"]

    client.force_login(org.admin)
    labels = [str(item["label"]) for item in client.get(reverse("schools:committee_list")).context["nav_items"]]
    assert labels == [
        "Organisation",
        "Översikt",
        "Årsrapport",
        "Uppföljning",
        "Handlingsplaner",
        "Strategier",
        "Rapportperioder",
        "Importera",
        "Slå samman skolenheter",
        "Användare",
        "Administration",
    ]
    page = client.get(reverse("schools:committee_list")).content.decode()
    # Keeping the organisation and the users sits in a menu of its own, so that the navigation keeps one row.
    assert page.index("Handlingsplaner") < page.index(">Administrera<") < page.index("Rapportperioder")


def test_the_portal_speaks_swedish_by_default_and_english_on_request(client, db):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="sv">' in page
    assert "Logga in" in page
    client.post(reverse("portal:set_language"), {"language": "en", "next": "/login/"})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page


def test_a_browser_asking_for_english_still_gets_swedish_until_the_user_switches(client, db):
    page = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="sv">' in page


def test_switching_language_is_remembered_on_the_user_for_emails(client, org):
    client.force_login(org.principal_a)
    client.post(reverse("portal:set_language"), {"language": "en", "next": "/"})
    org.principal_a.refresh_from_db()
    assert org.principal_a.language == "en"
