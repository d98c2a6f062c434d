"""Signing in with SAML 2.0 against pysaml2's IdP started by the tests: every
response below is made and signed by the real IdP with xmlsec1 and posted to
the portal's assertion consumer as a browser would."""

import time

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from saml2.metadata import entity_descriptor

from accounts import sso
from accounts.models import BY_IDENTITY_PROVIDER, ExternalIdentity, Membership, MembershipSource, Role, RoleMapping
from tests.identity.saml_idp import SamlIdentityProvider, redirect_query

PRINCIPAL_ENTITLEMENT = "urn:mace:example.se:rektor"


@pytest.fixture
def make_idp(settings, tmp_path):
    started = []

    def make(**kwargs):
        settings.SITE_URL = "http://testserver"
        idp = SamlIdentityProvider(
            tmp_path, sp_metadata=lambda: str(entity_descriptor(sso.saml_config())), **kwargs
        ).start()
        settings.SAML_IDP_METADATA_URL = idp.metadata_url
        settings.SAML_PROVIDER_NAME = "Test-IdP"
        started.append(idp)
        return idp

    yield make
    for idp in started:
        idp.stop()


@pytest.fixture
def idp(make_idp, org):
    idp = make_idp()
    RoleMapping.objects.create(
        attribute="eduPersonEntitlement", value=PRINCIPAL_ENTITLEMENT, role=Role.PRINCIPAL, school_from_unit_code=True
    )
    idp.users["anna"] = {
        "eduPersonPrincipalName": ["anna@demostad.se"],
        "mail": ["anna.andersson@demostad.se"],
        "givenName": ["Anna"],
        "sn": ["Andersson"],
        "eduPersonEntitlement": [PRINCIPAL_ENTITLEMENT],
        "sisSchoolUnitCode": [org.school_a.unit_code],
    }
    idp.users["bertil"] = {
        "eduPersonPrincipalName": ["bertil@demostad.se"],
        "mail": ["bertil@demostad.se"],
        "eduPersonEntitlement": ["urn:mace:example.se:elev"],
    }
    return idp


def saml_sign_in(client, idp, username, **response_options):
    """The portal's AuthnRequest, the IdP's answer, posted back; returns the
    portal's answer and the SAMLResponse."""
    start = client.get("/saml2/login/", {"next": "/"})
    assert start.status_code == 302
    assert start["Location"].startswith(idp.base)
    query = redirect_query(start["Location"])
    _acs, saml_response = idp.authn_response(query["SAMLRequest"], username, **response_options)
    answer = client.post("/saml2/acs/", {"SAMLResponse": saml_response, "RelayState": query.get("RelayState", "")})
    return answer, saml_response


def test_a_principal_signs_in_and_gets_the_role_at_the_school_of_their_unit_code(client, idp, org):
    answer, _ = saml_sign_in(client, idp, "anna")

    assert answer.status_code == 302
    identity = ExternalIdentity.objects.get(subject="anna@demostad.se")
    user = identity.user
    assert user.email == "anna.andersson@demostad.se"
    assert (user.first_name, user.last_name) == ("Anna", "Andersson")
    membership = user.memberships.get()
    assert (membership.role, membership.school, membership.source) == (
        Role.PRINCIPAL,
        org.school_a,
        MembershipSource.IDENTITY_PROVIDER,
    )
    record = Membership.history.get(user_id=user.pk)
    assert record.history_type == "+"
    assert record.history_user is None
    assert record.history_change_reason == BY_IDENTITY_PROVIDER
    assert client.get("/").status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_person_the_mapping_gives_no_role_gets_no_account_and_a_clear_page(client, idp, settings):
    settings.SSO_NO_ROLE_CONTACT = "stadsledningskontoret, it@demostad.se"
    answer, _ = saml_sign_in(client, idp, "bertil")

    assert answer.status_code == 302
    page = client.get(answer["Location"])
    assert page.status_code == 403
    assert "Du har ingen roll i portalen – kontakta stadsledningskontoret, it@demostad.se." in page.text
    assert not ExternalIdentity.objects.filter(subject="bertil@demostad.se").exists()
    assert "_auth_user_id" not in client.session


def test_a_principal_who_moves_school_loses_the_first_schools_role_at_the_next_sign_in(client, idp, org):
    saml_sign_in(client, idp, "anna")
    user = ExternalIdentity.objects.get(subject="anna@demostad.se").user
    hand_given = Membership.objects.create(user=user, role=Role.SCHOOL_STAFF, school=org.school_a)
    client.post("/logout/")

    idp.users["anna"]["sisSchoolUnitCode"] = [org.school_b.unit_code]
    idp.users["anna"]["mail"] = ["anna.a@demostad.se"]
    answer, _ = saml_sign_in(client, idp, "anna")

    assert answer.status_code == 302
    user.refresh_from_db()
    assert user.email == "anna.a@demostad.se"
    roles = {(m.role, m.school_id) for m in user.memberships.all()}
    assert roles == {(Role.PRINCIPAL, org.school_b.pk), (Role.SCHOOL_STAFF, org.school_a.pk)}
    assert Membership.objects.filter(pk=hand_given.pk).exists()
    taken = Membership.history.get(user_id=user.pk, history_type="-")
    assert (taken.role, taken.school_id, taken.history_change_reason) == (
        Role.PRINCIPAL,
        org.school_a.pk,
        BY_IDENTITY_PROVIDER,
    )


def test_the_person_is_found_by_the_stable_identifier_not_by_a_name(client, idp, org):
    saml_sign_in(client, idp, "anna")
    first = ExternalIdentity.objects.get(subject="anna@demostad.se").user
    client.post("/logout/")
    # Another person with the same name and a new address is another account.
    idp.users["anna2"] = dict(idp.users["anna"], eduPersonPrincipalName=["anna2@demostad.se"], mail=["a2@demostad.se"])
    saml_sign_in(client, idp, "anna2")

    second = ExternalIdentity.objects.get(subject="anna2@demostad.se").user
    assert first.pk != second.pk


def test_an_unsigned_assertion_is_refused(client, idp):
    answer, _ = saml_sign_in(client, idp, "anna", sign=False)

    assert answer.status_code == 403
    assert "Inloggningen kunde inte godkännas" in answer.text
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session


def test_an_assertion_signed_with_another_key_is_refused(client, idp):
    answer, _ = saml_sign_in(client, idp, "anna", rogue=True)

    assert answer.status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_an_expired_assertion_is_refused(client, make_idp, org, settings):
    settings.SAML_ACCEPTED_TIME_DIFF = 0
    idp = make_idp(lifetime_seconds=1)
    RoleMapping.objects.create(attribute="eduPersonEntitlement", value="e", role=Role.CITY_ANALYST)
    idp.users["anna"] = {
        "eduPersonPrincipalName": ["anna@demostad.se"],
        "mail": ["a@demostad.se"],
        "eduPersonEntitlement": ["e"],
    }
    start = client.get("/saml2/login/", {"next": "/"})
    _acs, saml_response = idp.authn_response(redirect_query(start["Location"])["SAMLRequest"], "anna")
    time.sleep(2.5)

    answer = client.post("/saml2/acs/", {"SAMLResponse": saml_response})

    assert answer.status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_a_replayed_assertion_is_refused_in_the_same_and_in_another_browser(client, idp, django_user_model):
    answer, saml_response = saml_sign_in(client, idp, "anna")
    assert answer.status_code == 302
    client.post("/logout/")

    again = client.post("/saml2/acs/", {"SAMLResponse": saml_response})
    assert again.status_code == 403
    assert "_auth_user_id" not in client.session

    from django.test import Client

    elsewhere = Client()
    assert elsewhere.post("/saml2/acs/", {"SAMLResponse": saml_response}).status_code == 403
    assert "_auth_user_id" not in elsewhere.session


def test_the_session_ends_when_the_providers_session_ends(client, idp):
    idp.session_not_on_or_after = int(time.time()) + 120
    saml_sign_in(client, idp, "anna")

    assert 0 < client.session.get_expiry_age() <= 120


def test_signing_out_goes_through_the_providers_single_log_out(client, idp):
    saml_sign_in(client, idp, "anna")

    answer = client.post("/logout/")

    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{idp.base}/slo/redirect")
    assert "_auth_user_id" not in client.session


def test_saml_is_off_without_its_settings(client, db, settings):
    settings.SAML_IDP_METADATA_URL = ""
    settings.SAML_IDP_METADATA_FILE = ""
    assert client.get("/saml2/login/").status_code == 404
    assert "Logga in med" not in client.get("/login/").text


def test_an_account_given_roles_by_hand_is_linked_at_its_first_sign_in(client, idp, org):
    org.principal_a.email = "anna.andersson@demostad.se"
    org.principal_a.save()

    saml_sign_in(client, idp, "anna")

    assert ExternalIdentity.objects.get(subject="anna@demostad.se").user == org.principal_a
    assert org.principal_a.memberships.filter(role=Role.PRINCIPAL, school=org.school_a).count() == 1


def test_the_city_admin_keeps_the_role_mappings_in_the_administration(client, org):
    client.force_login(org.admin)

    answer = client.post(
        "/admin/accounts/rolemapping/add/",
        {"attribute": "groups", "value": "slk", "role": Role.CITY_ANALYST, "committee": "", "school": ""},
    )
    assert answer.status_code == 302
    assert RoleMapping.objects.filter(attribute="groups", value="slk", role=Role.CITY_ANALYST).exists()

    wrong = client.post(
        "/admin/accounts/rolemapping/add/",
        {"attribute": "groups", "value": "x", "role": Role.COMMITTEE_EDITOR, "committee": "", "school": ""},
    )
    assert wrong.status_code == 200
    assert "En stadsroll har ingen plats" in wrong.text


def test_a_log_out_begun_at_the_provider_ends_the_portal_session(client, idp):
    from django.conf import settings as django_settings
    from saml2.ident import decode

    saml_sign_in(client, idp, "anna")
    saml_session = SessionStore(client.cookies[django_settings.SAML_SESSION_COOKIE_NAME].value)
    name_id = decode(saml_session["_saml2_subject_id"])

    location = idp.logout_request_url(sso.saml_config().entityid, name_id)
    answer = client.get(location.replace("http://testserver", ""))

    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{idp.base}/slo/redirect?SAMLResponse=")
    assert "_auth_user_id" not in client.session
