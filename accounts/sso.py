"""Signing in through the city's identity provider: SAML 2.0 (djangosaml2 and
pysaml2, signatures checked by xmlsec1) and OpenID Connect (Authlib).

The protocols only establish who the person is and what the provider says
about them; `services.user_sign_in_from_provider` decides the account and
the roles. Each protocol is on when its settings are there.
"""

import datetime
import logging
import shutil
import threading
import time
from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from djangosaml2.views import AssertionConsumerServiceView, LogoutInitView, _get_subject_id, _set_subject_id
from joserfc.errors import JoseError
from requests import RequestException
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError
from saml2.config import SPConfig

from accounts import services
from accounts.forms import LoginForm
from accounts.models import Provider
from core.site import site_url

logger = logging.getLogger(__name__)

# The session remembers which provider the user signed in through, for log-out.
SESSION_PROVIDER = "sso_provider"
SESSION_ID_TOKEN = "sso_oidc_id_token"  # noqa: S105 (a session key, not a secret)
SESSION_NEXT = "sso_next"
IDENTITY_PROVIDER_BACKEND = "accounts.backends.IdentityProviderBackend"


class NoRole(PermissionDenied):
    """The provider knows the person, but the portal gives them no role."""


def saml_enabled() -> bool:
    return bool(settings.SAML_IDP_METADATA_URL or settings.SAML_IDP_METADATA_FILE)


def oidc_enabled() -> bool:
    return bool(settings.OIDC_DISCOVERY_URL)


def providers() -> list[dict]:
    """The sign-in buttons of the login page, in the order they are offered."""
    found = []
    if saml_enabled():
        found.append({"name": settings.SAML_PROVIDER_NAME or settings.CITY_NAME, "url": reverse("saml2_login")})
    if oidc_enabled():
        found.append({"name": settings.OIDC_PROVIDER_NAME or settings.CITY_NAME, "url": reverse("oidc_login")})
    return found


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _sign_in(request: HttpRequest, assertion: services.ProviderAssertion, *, not_after: datetime.datetime | None):
    """Log the person in, or raise NoRole; the session ends no later than the provider's."""
    user = services.user_sign_in_from_provider(assertion=assertion)
    if user is None or not user.memberships.exists():
        raise NoRole
    auth.login(request, user, backend=IDENTITY_PROVIDER_BACKEND)
    request.session[SESSION_PROVIDER] = assertion.provider
    if not_after is not None:
        if not_after <= timezone.now():
            auth.logout(request)
            raise PermissionDenied("The provider's session has already ended.")
        if not_after < timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE):
            request.session.set_expiry(not_after)
    return user


def _unavailable(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "registration/sso_unavailable.html", {}, status=503)


def _refused(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "registration/sso_refused.html", {"providers": providers()}, status=403)


@never_cache
def no_role(request: HttpRequest) -> HttpResponse:
    """What a person the provider knows, but the portal gives no role, sees."""
    return TemplateResponse(
        request, "registration/sso_no_role.html", {"contact": settings.SSO_NO_ROLE_CONTACT}, status=403
    )


class PortalLoginView(auth_views.LoginView):
    """The login page: the city's identity provider first, then the password form."""

    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["providers"] = providers()
        context["password_login"] = settings.PASSWORD_LOGIN
        return context


# --- SAML 2.0 ---------------------------------------------------------------

_saml_configs: dict[tuple, tuple[float, dict]] = {}
_saml_lock = threading.Lock()
# Remote metadata is fetched again after this many seconds.
_SAML_METADATA_TTL = 600


def _saml_config_dict() -> dict:
    base = site_url()  # SITE_URL, or the address the request came in on
    metadata: dict = {}
    if settings.SAML_IDP_METADATA_URL:
        metadata["remote"] = [{"url": settings.SAML_IDP_METADATA_URL}]
    if settings.SAML_IDP_METADATA_FILE:
        metadata["local"] = [settings.SAML_IDP_METADATA_FILE]
    signing = bool(settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE)
    config = {
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "entityid": settings.SAML_SP_ENTITY_ID or f"{base}/saml2/metadata/",
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.SAML_ACCEPTED_TIME_DIFF,
        "service": {
            "sp": {
                "name": f"Strategiportalen {settings.CITY_NAME}",
                "endpoints": {
                    "assertion_consumer_service": [(f"{base}/saml2/acs/", BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (f"{base}/saml2/ls/", BINDING_HTTP_REDIRECT),
                        (f"{base}/saml2/ls/post/", BINDING_HTTP_POST),
                    ],
                },
                # Only answers to a request this browser made: an assertion
                # posted a second time (a replay) finds no request to answer.
                "allow_unsolicited": False,
                # Every assertion must carry a valid signature of the provider.
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": signing,
                "logout_requests_signed": signing,
            }
        },
        "metadata": metadata,
    }
    if signing:
        config["key_file"] = settings.SAML_SP_KEY_FILE
        config["cert_file"] = settings.SAML_SP_CERT_FILE
        config["encryption_keypairs"] = [
            {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
        ]
    return config


def saml_config(request: HttpRequest | None = None) -> SPConfig:
    """pysaml2's configuration of the portal, from the settings (djangosaml2's
    SAML_CONFIG_LOADER). The provider's metadata is kept for a few minutes."""
    if not saml_enabled():
        raise Http404
    config = _saml_config_dict()
    key = (repr(config),)
    with _saml_lock:
        cached = _saml_configs.get(key)
        if cached is None or cached[0] < time.monotonic():
            sp_config = SPConfig()
            sp_config.load(config)
            _saml_configs.clear()
            _saml_configs[key] = (time.monotonic() + _SAML_METADATA_TTL, sp_config)
            cached = _saml_configs[key]
    return cached[1]


def saml_view(view_class):
    """A djangosaml2 view that is not there while SAML is off."""
    view = view_class.as_view()

    def wrapped(request, *args, **kwargs):
        if not saml_enabled():
            raise Http404
        try:
            saml_config(request)
        except (SAMLError, OSError, RequestException):
            logger.exception("SAML identity provider's metadata could not be loaded")
            return _unavailable(request)
        return view(request, *args, **kwargs)

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


def _first(attributes: dict[str, list[str]], name: str) -> str:
    values = attributes.get(name) or [""]
    return str(values[0]).strip()


class SamlAssertionConsumerView(AssertionConsumerServiceView):
    """djangosaml2's assertion consumer, signing the person in through the
    portal's own service instead of its backend."""

    def custom_validation(self, response):
        # pysaml2 has verified signature, audience, lifetime and InResponseTo.
        self.session_not_on_or_after = response.session_not_on_or_after

    def authenticate_user(self, request, session_info, attribute_mapping, create_unknown_user, assertion_info):
        attributes = {name: [str(v) for v in values] for name, values in session_info["ava"].items()}
        subject = _first(attributes, settings.SAML_ATTRIBUTE_SUBJECT)
        if not subject:
            logger.warning("SAML assertion without %s", settings.SAML_ATTRIBUTE_SUBJECT)
            raise PermissionDenied("No stable identifier in the assertion.")
        assertion = services.ProviderAssertion(
            provider=Provider.SAML,
            subject=subject,
            email=_first(attributes, settings.SAML_ATTRIBUTE_EMAIL),
            first_name=_first(attributes, settings.SAML_ATTRIBUTE_GIVEN_NAME),
            last_name=_first(attributes, settings.SAML_ATTRIBUTE_SURNAME),
            attributes=attributes,
        )
        not_after = None
        if getattr(self, "session_not_on_or_after", 0):
            not_after = datetime.datetime.fromtimestamp(self.session_not_on_or_after, tz=datetime.UTC)
        user = _sign_in(request, assertion, not_after=not_after)
        _set_subject_id(request.saml_session, session_info["name_id"])
        return user

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        logger.info("SAML sign-in refused: %r", exception)
        if isinstance(exception, NoRole):
            return redirect("sso_no_role")
        return _refused(request)


class SamlLogoutView(LogoutInitView):
    """Single log-out through the provider when it offers it, else here only."""

    def post(self, request, *args, **kwargs):
        if _get_subject_id(request.saml_session) is None:
            auth.logout(request)
            return redirect(settings.LOGOUT_REDIRECT_URL)
        return self.get(request, *args, **kwargs)


# --- OpenID Connect -----------------------------------------------------------

_oidc_clients: dict[tuple, object] = {}


def _oidc_client():
    key = (settings.OIDC_DISCOVERY_URL, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET, settings.OIDC_SCOPES)
    client = _oidc_clients.get(key)
    if client is None:
        oauth = OAuth()
        client = oauth.register(
            "oidc",
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            server_metadata_url=settings.OIDC_DISCOVERY_URL,
            client_kwargs={"scope": settings.OIDC_SCOPES, "timeout": 10},
        )
        _oidc_clients.clear()
        _oidc_clients[key] = client
    return client


@require_GET
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider, with a fresh state and nonce kept in the session."""
    if not oidc_enabled():
        raise Http404
    request.session[SESSION_NEXT] = _safe_next(request, request.GET.get("next"))
    try:
        return _oidc_client().authorize_redirect(request, request.build_absolute_uri(reverse("oidc_callback")))
    except (RequestException, AuthlibBaseError, ValueError):
        logger.exception("OpenID Connect provider unreachable")
        return _unavailable(request)


def _claim_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


@require_GET
@never_cache
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: Authlib checks state, then the id_token's
    signature, issuer, audience, expiry and nonce."""
    if not oidc_enabled():
        raise Http404
    client = _oidc_client()
    try:
        # The issuer and the audience are required explicitly: without them
        # Authlib would take a token issued to another client that names the
        # portal only as its authorised party (azp).
        claims_options = {
            "iss": {"essential": True, "values": [client.load_server_metadata()["issuer"]]},
            "aud": {"essential": True, "values": [settings.OIDC_CLIENT_ID]},
        }
        token = client.authorize_access_token(request, claims_options=claims_options)
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError) as exc:
        logger.info("OpenID Connect sign-in refused: %r", exc)
        return _refused(request)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        logger.info("OpenID Connect sign-in refused: no id_token")
        return _refused(request)
    assertion = services.ProviderAssertion(
        provider=Provider.OIDC,
        subject=str(claims["sub"]),
        email=str(claims.get(settings.OIDC_CLAIM_EMAIL) or ""),
        first_name=str(claims.get(settings.OIDC_CLAIM_GIVEN_NAME) or ""),
        last_name=str(claims.get(settings.OIDC_CLAIM_FAMILY_NAME) or ""),
        attributes={name: _claim_list(value) for name, value in claims.items()},
    )
    next_url = request.session.pop(SESSION_NEXT, None) or resolve_url(settings.LOGIN_REDIRECT_URL)
    not_after = datetime.datetime.fromtimestamp(int(claims["exp"]), tz=datetime.UTC)
    try:
        _sign_in(request, assertion, not_after=not_after)
    except NoRole:
        return redirect("sso_no_role")
    except PermissionDenied:
        return _refused(request)
    request.session[SESSION_ID_TOKEN] = token["id_token"]
    return redirect(_safe_next(request, next_url))


# --- Log-out ------------------------------------------------------------------


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Log out here, and at the provider the user signed in through when it
    supports single log-out."""
    provider = request.session.get(SESSION_PROVIDER)
    if provider == Provider.SAML and saml_enabled() and request.user.is_authenticated:
        return SamlLogoutView.as_view()(request)
    if provider == Provider.OIDC and oidc_enabled():
        id_token = request.session.get(SESSION_ID_TOKEN)
        auth.logout(request)
        try:
            end_session = _oidc_client().load_server_metadata().get("end_session_endpoint")
        except (RequestException, AuthlibBaseError, ValueError):
            logger.warning("OpenID Connect provider unreachable at log-out")
            end_session = None
        if end_session:
            query = {
                "client_id": settings.OIDC_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
            }
            if id_token:
                query["id_token_hint"] = id_token
            separator = "&" if "?" in end_session else "?"
            return redirect(f"{end_session}{separator}{urlencode(query)}")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
