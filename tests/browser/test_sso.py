"""Signing in through the city's identity provider in Chromium: SAML 2.0
against pysaml2's IdP and OpenID Connect against the test provider process,
each started by the test (tests/identity/)."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect
from saml2.metadata import entity_descriptor

from accounts import sso
from accounts.models import Role, RoleMapping
from tests.browser.helpers import assert_accessible, log_out, user_menu
from tests.identity.oidc_process import OidcProviderProcess
from tests.identity.saml_idp import SamlIdentityProvider

pytestmark = pytest.mark.browser

ENTITLEMENT = "urn:mace:example.se:rektor"
GROUP = "cn=sdn-a-redaktorer"


@pytest.fixture
def saml_idp(live_server, settings, tmp_path, org):
    settings.SITE_URL = live_server.url
    idp = SamlIdentityProvider(
        tmp_path,
        sp_metadata=lambda: str(entity_descriptor(sso.saml_config())),
        host=urlparse(live_server.url).hostname,
    ).start()
    settings.SAML_IDP_METADATA_URL = idp.metadata_url
    settings.SAML_PROVIDER_NAME = "Test-IdP"
    settings.SSO_NO_ROLE_CONTACT = "stadsledningskontoret"
    RoleMapping.objects.create(
        attribute="eduPersonEntitlement", value=ENTITLEMENT, role=Role.PRINCIPAL, school_from_unit_code=True
    )
    idp.users["anna"] = {
        "eduPersonPrincipalName": ["anna@demostad.se"],
        "mail": ["anna@demostad.se"],
        "givenName": ["Anna"],
        "sn": ["Andersson"],
        "eduPersonEntitlement": [ENTITLEMENT],
        "sisSchoolUnitCode": [org.school_a.unit_code],
        # No mapping gives this group a role.
        "isMemberOf": ["cn=stadsledningskontoret"],
    }
    idp.users["bertil"] = {"eduPersonPrincipalName": ["bertil@demostad.se"], "mail": ["bertil@demostad.se"]}
    yield idp
    idp.stop()


@pytest.fixture
def oidc_op(live_server, settings, tmp_path, org):
    op = OidcProviderProcess(tmp_path)
    settings.OIDC_DISCOVERY_URL = op.discovery_url
    settings.OIDC_CLIENT_ID = op.client_id
    settings.OIDC_CLIENT_SECRET = op.client_secret
    settings.OIDC_PROVIDER_NAME = "Test-OP"
    RoleMapping.objects.create(attribute="groups", value=GROUP, role=Role.COMMITTEE_EDITOR, committee=org.committee_a)
    op.users["cecilia"] = {"sub": "c-1", "email": "cecilia@demostad.se", "given_name": "Cecilia", "groups": [GROUP]}
    op.write()
    yield op
    op.stop()


def test_a_principal_signs_in_with_saml_lands_on_the_schools_assessment_and_signs_out(
    page: Page, live_server, saml_idp, org, cycle_a
):
    page.goto(f"{live_server.url}/login/")
    assert_accessible(page)
    page.get_by_role("link", name="Logga in med Test-IdP").click()
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_role("button", name="Logga in hos Test-IdP").click()
    page.get_by_role("button", name="Fortsätt till tjänsten").click()

    expect(page).to_have_url(f"{live_server.url}/assessments/{org.assessment_a.pk}/")
    expect(user_menu(page)).to_be_visible()
    assert_accessible(page)
    # The group without a mapping gave no city office role, and school B is not hers.
    assert page.goto(f"{live_server.url}/organisation/").status == 403
    assert page.goto(f"{live_server.url}/organisation/schools/{org.school_b.pk}/").status == 404

    page.goto(f"{live_server.url}/organisation/schools/{org.school_a.pk}/")
    log_out(page)
    expect(page.get_by_role("heading", name="Logga in", exact=True)).to_be_visible()
    assert saml_idp.logged_out, "the identity provider was not asked to log out"
    page.goto(f"{live_server.url}/organisation/schools/{org.school_a.pk}/")
    expect(page.get_by_role("heading", name="Logga in", exact=True)).to_be_visible()


def test_someone_the_mapping_gives_no_role_sees_whom_to_contact(page: Page, live_server, saml_idp):
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Logga in med Test-IdP").click()
    page.get_by_label("Användarnamn").fill("bertil")
    page.get_by_role("button", name="Logga in hos Test-IdP").click()
    page.get_by_role("button", name="Fortsätt till tjänsten").click()

    expect(page.get_by_text("Du har ingen roll i portalen – kontakta stadsledningskontoret.")).to_be_visible()
    assert_accessible(page)


def test_a_committee_editor_signs_in_with_openid_connect_and_signs_out(page: Page, live_server, oidc_op, org):
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Logga in med Test-OP").click()
    page.get_by_label("Användarnamn").fill("cecilia")
    page.get_by_role("button", name="Logga in hos Test-OP").click()

    expect(page).to_have_url(f"{live_server.url}/organisation/committees/{org.committee_a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nämnd A")
    assert_accessible(page)
    assert page.goto(f"{live_server.url}/organisation/committees/{org.committee_b.pk}/").status == 404
    assert page.goto(f"{live_server.url}/organisation/").status == 200  # committee staff list their committees

    page.goto(f"{live_server.url}/organisation/committees/{org.committee_a.pk}/")
    log_out(page)
    expect(page.get_by_role("heading", name="Logga in", exact=True)).to_be_visible()
    assert len(oidc_op.logouts()) == 1


def test_the_history_of_roles_on_a_users_page_passes_axe(page: Page, live_server, org):
    from tests.browser.helpers import log_in

    log_in(page, live_server.url, org.admin.email)
    page.goto(f"{live_server.url}/users/{org.principal_a.pk}/")
    page.get_by_label("Roll").select_option(label="Analytiker på stadsledningskontoret")
    page.get_by_role("button", name="Ge roll").click()
    page.get_by_role("button", name="Ta bort Analytiker på stadsledningskontoret").click()

    history = page.get_by_role("table", name="Vem som gav eller tog bort vilken roll, och när")
    # The header, the principal role from the fixture, given and taken away.
    expect(history.get_by_role("row")).to_have_count(4)
    expect(history).to_contain_text("Borttagen")
    assert_accessible(page)
