"""Signing in with OpenID Connect against the test provider in its own process
(tests/identity/oidc_provider.py): real authorization codes, real signed
id_tokens, fetched by the portal over HTTP."""

import time
from urllib.parse import urlparse

import pytest
import requests

from accounts.models import BY_IDENTITY_PROVIDER, ExternalIdentity, Membership, MembershipSource, Role, RoleMapping
from tests.identity.oidc_process import OidcProviderProcess
from tests.identity.saml_idp import redirect_query

GROUP = "cn=sdn-a-redaktorer,ou=groups,dc=demostad,dc=se"


@pytest.fixture
def op(settings, tmp_path, org):
    provider = OidcProviderProcess(tmp_path)
    settings.OIDC_DISCOVERY_URL = provider.discovery_url
    settings.OIDC_CLIENT_ID = provider.client_id
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_PROVIDER_NAME = "Test-OP"
    RoleMapping.objects.create(attribute="groups", value=GROUP, role=Role.COMMITTEE_EDITOR, committee=org.committee_a)
    provider.users["cecilia"] = {
        "sub": "c-0001",
        "email": "cecilia@demostad.se",
        "given_name": "Cecilia",
        "family_name": "Ceder",
        "groups": [GROUP],
    }
    provider.users["david"] = {"sub": "d-0002", "email": "david@demostad.se", "groups": ["cn=andra"]}
    provider.write()
    yield provider
    provider.stop()


def oidc_sign_in(client, op, username):
    """The browser's round trip: to the provider, its login form, back to the portal."""
    start = client.get("/oidc/login/", {"next": "/"})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{op.issuer}/authorize")
    query = redirect_query(start["Location"])
    assert query["nonce"]
    back = requests.post(
        f"{op.issuer}/authorize", data={**query, "username": username}, allow_redirects=False, timeout=10
    )
    assert back.status_code == 302
    callback = urlparse(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_a_committee_editor_signs_in_with_the_role_of_their_group(client, op, org):
    answer = oidc_sign_in(client, op, "cecilia")

    assert answer.status_code == 302
    user = ExternalIdentity.objects.get(provider="oidc", subject="c-0001").user
    assert (user.email, user.first_name) == ("cecilia@demostad.se", "Cecilia")
    membership = user.memberships.get()
    assert (membership.role, membership.committee, membership.source) == (
        Role.COMMITTEE_EDITOR,
        org.committee_a,
        MembershipSource.IDENTITY_PROVIDER,
    )
    assert Membership.history.get(user_id=user.pk).history_change_reason == BY_IDENTITY_PROVIDER
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_session_ends_when_the_id_token_expires(client, op):
    op.id_token_lifetime = 300
    op.write()
    oidc_sign_in(client, op, "cecilia")

    assert 0 < client.session.get_expiry_age() <= 300


def test_a_person_without_a_mapped_role_gets_no_account(client, op):
    answer = oidc_sign_in(client, op, "david")

    assert answer.status_code == 302
    assert answer["Location"] == "/login/no-role/"
    assert not ExternalIdentity.objects.filter(subject="d-0002").exists()
    assert "_auth_user_id" not in client.session


def test_a_group_taken_away_at_the_provider_takes_the_role_away_at_the_next_sign_in(client, op):
    oidc_sign_in(client, op, "cecilia")
    client.post("/logout/")
    op.users["cecilia"]["groups"] = []
    op.write()

    answer = oidc_sign_in(client, op, "cecilia")

    assert answer["Location"] == "/login/no-role/"
    user = ExternalIdentity.objects.get(subject="c-0001").user
    assert not user.memberships.exists()
    assert Membership.history.filter(user_id=user.pk, history_type="-").count() == 1


def test_an_id_token_for_another_audience_is_refused(client, op):
    op.misbehave = "wrong_audience"
    op.write()

    answer = oidc_sign_in(client, op, "cecilia")

    assert answer.status_code == 403
    assert "Inloggningen kunde inte godkännas" in answer.text
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session


def test_an_id_token_with_another_nonce_is_refused(client, op):
    op.misbehave = "wrong_nonce"
    op.write()

    answer = oidc_sign_in(client, op, "cecilia")

    assert answer.status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_a_callback_without_the_state_this_browser_was_given_is_refused(client, op):
    start = client.get("/oidc/login/")
    query = redirect_query(start["Location"])
    back = requests.post(
        f"{op.issuer}/authorize", data={**query, "username": "cecilia"}, allow_redirects=False, timeout=10
    )
    callback = urlparse(back.headers["Location"])

    from django.test import Client

    assert Client().get(f"{callback.path}?{callback.query}").status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_signing_out_ends_the_session_at_the_provider_too(client, op):
    oidc_sign_in(client, op, "cecilia")

    answer = client.post("/logout/")

    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{op.issuer}/logout?")
    query = redirect_query(answer["Location"])
    assert query["post_logout_redirect_uri"] == "http://testserver/login/"
    assert query["id_token_hint"]
    assert "_auth_user_id" not in client.session
    requests.get(answer["Location"], allow_redirects=False, timeout=10)
    deadline = time.monotonic() + 5
    while not op.logouts() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert op.logouts() == [query["id_token_hint"]]


def test_an_expired_id_token_is_refused(client, op):
    op.id_token_lifetime = -600
    op.write()

    answer = oidc_sign_in(client, op, "cecilia")

    assert answer.status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_the_users_page_marks_the_roles_that_came_from_the_provider(client, op, org):
    oidc_sign_in(client, op, "cecilia")
    user = ExternalIdentity.objects.get(subject="c-0001").user
    client.force_login(org.admin)

    page = client.get(f"/users/{user.pk}/")

    assert "Från inloggningstjänsten" in page.text
