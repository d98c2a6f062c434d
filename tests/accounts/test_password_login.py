"""Password login can be turned off for everyone but break-glass accounts."""

from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


def test_with_password_login_off_a_user_cannot_log_in_with_a_password(client, org, settings):
    settings.PASSWORD_LOGIN = False

    answer = client.post(reverse("login"), {"username": org.principal_a.email, "password": PASSWORD})

    assert answer.status_code == 200
    assert "Inloggning med lösenord är avstängd" in answer.text
    assert "_auth_user_id" not in client.session
    # Nor through the Django admin's own login form.
    client.post(reverse("admin:login"), {"username": org.principal_a.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_with_password_login_off_the_break_glass_admin_still_logs_in(client, org, settings):
    settings.PASSWORD_LOGIN = False
    settings.PASSWORD_LOGIN_BREAK_GLASS = [org.admin.email]

    answer = client.post(reverse("login"), {"username": org.admin.email, "password": PASSWORD})

    assert answer.status_code == 302
    assert int(client.session["_auth_user_id"]) == org.admin.pk


def test_with_password_login_off_no_reset_link_is_sent(client, org, settings):
    settings.PASSWORD_LOGIN = False

    client.post(reverse("password_reset"), {"email": org.principal_a.email})

    assert mail.outbox == []


def test_with_password_login_off_an_invitation_points_to_the_providers_login(
    client, org, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_LOGIN = False
    client.force_login(org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:user_invite"),
            {"email": "ny@example.se", "first_name": "Ny", "last_name": "Person", "role": "city_analyst"},
        )

    assert len(mail.outbox) == 1
    assert "Logga in med stadens inloggningstjänst här:" in mail.outbox[0].body
    assert "/login/" in mail.outbox[0].body
    assert "password-reset" not in mail.outbox[0].body


def test_the_login_page_offers_each_configured_provider_first(client, db, settings):
    settings.SAML_IDP_METADATA_URL = "http://127.0.0.1:9/metadata"
    settings.SAML_PROVIDER_NAME = "Skolfederation"
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_PROVIDER_NAME = "Stadens inloggning"

    page = client.get(reverse("login")).text

    saml, oidc, password = (
        page.index("Logga in med Skolfederation"),
        page.index("Logga in med Stadens inloggning"),
        page.index('name="password"'),
    )
    assert saml < oidc < password


def test_an_identity_provider_that_does_not_answer_gives_a_clear_page(client, db, settings):
    settings.SAML_IDP_METADATA_URL = "http://127.0.0.1:9/metadata"
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "portal"
    settings.OIDC_CLIENT_SECRET = "secret"

    for url in ("/saml2/login/", "/oidc/login/"):
        answer = client.get(url)
        assert answer.status_code == 503
        assert "Inloggningstjänsten svarar inte" in answer.text
