"""Settings for the strategy follow-up portal.

One file for every environment. Everything that differs between a laptop and
production is read from the environment (see `.env.example`); with nothing set
the portal runs on SQLite with Celery tasks executed eagerly, which is what the
demo uses. A missing or malformed variable stops start-up with one line that
names it (config/environment.py). The larger fixed blocks are kept beside it:
the security policies in config/policies.py, the logging in config/log_setup.py.
"""

import datetime
import re
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config import policies
from config.environment import BASE_DIR, config_error, env, env_bool, env_int, env_url
from config.log_setup import logging_config
from core.colours import HEX_COLOUR, contrast_ratio

# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise config_error("DJANGO_SECRET_KEY", "must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "insecure-development-key-only-for-the-local-demo"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

CITY_NAME = env.str("CITY_NAME", default="Demostad")
# The city's logo beside its name in the header: a path among the static files
# or an https:// address; and the colour of the header, behind white text.
CITY_LOGO = env.str("CITY_LOGO", default="img/city-logo.svg")
CITY_COLOUR = env.str("CITY_COLOUR", default="#0b4f8a")
# When the accessibility statement was last reviewed (YYYY-MM-DD), as the statement says.
ACCESSIBILITY_REVIEWED_ON = env.str("ACCESSIBILITY_REVIEWED_ON", default="2026-12-01")
if not HEX_COLOUR.match(CITY_COLOUR):
    raise config_error("CITY_COLOUR", f"expected a colour as #rrggbb, got {CITY_COLOUR!r}")
if contrast_ratio(CITY_COLOUR, "#ffffff") < 4.5:
    raise config_error("CITY_COLOUR", f"{CITY_COLOUR} is too light behind white text (contrast under 4.5:1)")
# Unset: the address each request came in on (core/site.py); workers need it set.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

DJANGO_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "djangosaml2",
    "axes",
    "csp",
]
# In the order of the layers (docs/architecture.md): each app imports only those before it.
LOCAL_APPS = [
    "core",
    "outbox",
    "schools",
    "accounts",
    "strategy",
    "followup",
    "actionplans",
    "dashboards",
    "portal",
    "devtools",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",
    "core.middleware.SwedishUnlessChosenMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.site.RequestSiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.PrivateCacheMiddleware",
    # Last: turns a locked-out login into the page that says so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": env_url(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        parse=env.db_url_config,
        schemes={"sqlite", "postgres", "postgresql", "pgsql", "psql"},
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast instead of hanging when the database is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and sessions -----------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in while the account or the address is locked out.
    "axes.backends.AxesStandaloneBackend",
    # E-mail and password, unless password login is turned off (see below).
    "accounts.backends.PasswordBackend",
    # Users signed in through the city's identity provider.
    "accounts.backends.IdentityProviderBackend",
]
# django-axes counts failed logins in the database and refuses to log in an
# account, or anyone from an address, after LOGIN_FAILURE_LIMIT failures in a row
# until LOGIN_LOCKOUT_MINUTES have passed or the city admin unlocks the account.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The login form's field is `username` (it holds the email address).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# No start-up banner on stdout (management commands print their own output there).
AXES_VERBOSE = False
# Behind a proxy the client's address is the one the proxy adds; without one,
# a client could choose its address by sending the header itself.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False) else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_ORDER = "right-most"
# Password-reset mails sent to one address within an hour; more requests are refused.
PASSWORD_RESET_MAILS_PER_HOUR = env_int("PASSWORD_RESET_MAILS_PER_HOUR", default=3)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# Sessions are kept in the database, the truth, and read through the cache. The
# cache must be one that every web process shares (CACHE_URL, below): a session
# left in one process's own memory outlives its log-out there. A start-up check
# (config/checks.py) refuses a per-process cache when DJANGO_DEBUG is false.
# Django's cached_db, with the cache's copy of a session kept for a few minutes
# only (config/sessions.py): a change the cache missed while Redis was down is
# not undone for longer than that when it comes back.
SESSION_ENGINE = "config.sessions"
SESSION_CACHE_TIMEOUT = 5 * 60

# --- Sign-in through the city's identity provider ----------------------------

# Each protocol is on when its settings are there; both may be on. See README,
# "Signing in through the city's identity provider".
# SAML 2.0: the identity provider's metadata, from a URL or a file.
SAML_IDP_METADATA_URL = env.str("SAML_IDP_METADATA_URL", default="")
SAML_IDP_METADATA_FILE = env.str("SAML_IDP_METADATA_FILE", default="")
SAML_PROVIDER_NAME = env.str("SAML_PROVIDER_NAME", default="")
# The portal's entity id; default: its metadata address.
SAML_SP_ENTITY_ID = env.str("SAML_SP_ENTITY_ID", default="")
# Key and certificate (PEM) the portal signs its requests with; optional.
SAML_SP_KEY_FILE = env.str("SAML_SP_KEY_FILE", default="")
SAML_SP_CERT_FILE = env.str("SAML_SP_CERT_FILE", default="")
# Names of the attributes in the assertion (friendly names as pysaml2 maps them).
SAML_ATTRIBUTE_SUBJECT = env.str("SAML_ATTRIBUTE_SUBJECT", default="eduPersonPrincipalName")
SAML_ATTRIBUTE_EMAIL = env.str("SAML_ATTRIBUTE_EMAIL", default="mail")
SAML_ATTRIBUTE_GIVEN_NAME = env.str("SAML_ATTRIBUTE_GIVEN_NAME", default="givenName")
SAML_ATTRIBUTE_SURNAME = env.str("SAML_ATTRIBUTE_SURNAME", default="sn")
# Seconds of clock difference accepted between the portal and the provider.
SAML_ACCEPTED_TIME_DIFF = env_int("SAML_ACCEPTED_TIME_DIFF", default=60)
SAML_CONFIG_LOADER = "accounts.sso.saml_config"
# The portal sends its request to the provider by redirect (no inline script).
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CREATE_UNKNOWN_USER = False
# The portal sets its own Content-Security-Policy; djangosaml2 need not.
SAML_CSP_HANDLER = ""
SAML_SESSION_COOKIE_NAME = "saml_session"
# The provider posts back from another site: the SAML cookie must travel with
# that post, which browsers allow only for a secure SameSite=None cookie.
SAML_SESSION_COOKIE_SAMESITE = "None" if env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG) else "Lax"

# OpenID Connect: the provider's discovery document and the portal's client.
OIDC_DISCOVERY_URL = env.str("OIDC_DISCOVERY_URL", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
if OIDC_DISCOVERY_URL and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise config_error("OIDC_CLIENT_ID", "OIDC_DISCOVERY_URL is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_CLAIM_EMAIL = env.str("OIDC_CLAIM_EMAIL", default="email")
OIDC_CLAIM_GIVEN_NAME = env.str("OIDC_CLAIM_GIVEN_NAME", default="given_name")
OIDC_CLAIM_FAMILY_NAME = env.str("OIDC_CLAIM_FAMILY_NAME", default="family_name")

# The attribute (or claim) with the school unit codes a role mapping may place a role at.
SSO_UNIT_CODE_ATTRIBUTE = env.str("SSO_UNIT_CODE_ATTRIBUTE", default="sisSchoolUnitCode")
# Whom a person without a role should contact, shown on the page that says so.
SSO_NO_ROLE_CONTACT = env.str("SSO_NO_ROLE_CONTACT", default="")
# false: only the break-glass accounts below log in with a password; everybody
# else signs in through the identity provider.
PASSWORD_LOGIN = env_bool("PASSWORD_LOGIN", default=True)
PASSWORD_LOGIN_BREAK_GLASS = [e.lower() for e in env.list("PASSWORD_LOGIN_BREAK_GLASS", default=[])]

# --- Cache --------------------------------------------------------------------

# Everything cached must be the same for every process: sessions, a follow-up's
# questions, rendered dashboards. In production that is Redis, a database of its
# own (redis://redis:6379/2). With nothing set the one-process demo keeps a memory
# cache. The cache only speeds things up: when Redis cannot be reached, reads miss
# and writes are dropped at once (short timeouts, no retries), so sessions come
# from the database and pages and log-in keep working.
CACHES = {
    "default": env_url(
        "CACHE_URL",
        default="locmemcache://",
        parse=env.cache_url_config,
        schemes={"locmemcache", "dummycache", "redis", "rediss"},
    )
}
# A Redis cache: short timeouts, no exception raised, and after a failed attempt no
# other for a few seconds (core.cache), so each operation misses at once.
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.5,
    "SOCKET_TIMEOUT": 0.5,
    "CONNECTION_POOL_CLASS": "core.cache.FailFastConnectionPool",
}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # Options given in the URL (?socket_timeout=1) win over these.
    CACHES["default"]["OPTIONS"] = {**REDIS_CACHE_OPTIONS, **CACHES["default"].get("OPTIONS", {})}
# A cache that cannot be reached is logged (logger django_redis.cache), not raised.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60  # an invitation link is valid for three days

# --- Language and time ------------------------------------------------------

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ------------------------------------------------------------------

_email = env_url(
    "EMAIL_URL",
    default="consolemail://",
    parse=env.email_url_config,
    schemes={"consolemail", "filemail", "memorymail", "dummymail", "smtp", "smtps", "smtp+tls", "smtp+ssl"},
)
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"Strategiportalen <noreply@{CITY_NAME.lower()}.se>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL",
    default="memory://",
    parse=str,
    schemes={"memory", "redis", "rediss"},
)
# With no broker configured, tasks run in the web process as they are queued.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_url(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "cache+memory://",
    parse=str,
    schemes={"redis", "rediss", "cache+memory"},
)
CELERY_RESULT_EXPIRES = 24 * 60 * 60
# Nobody reads the portal's task results (the rows in the database are the
# truth), so none is stored: publishing then never waits on a result backend.
# Only the health check's ping keeps its result.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# The queue the portal's tasks go to and its workers read (several portals may share one Redis).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# At-least-once delivery: a task is acknowledged when it has run, and given back
# to the queue when the worker dies under it. Tasks are written to be safe to
# run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Redis re-delivers an unacknowledged task after this; it must exceed the
# longest task (the time limit above).
# Publishing gives up within a second when Redis is down (short connect
# timeout, no retries: see core.jobs.publish); the row stays for the sweep.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 0.5,
    "socket_timeout": 5,
    # A publish tries the connection twice, 0.1 s apart, instead of kombu's
    # default of retrying for seconds (the worker reconnects on its own terms).
    "max_retries": 1,
    "interval_start": 0.1,
    "interval_step": 0,
    "interval_max": 0.1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 0.5
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every schedule of the portal, in one place; beat loads them into
# django-celery-beat's tables, where the admin can also pause one.
CELERY_BEAT_SCHEDULE = {
    # Reminders due today (before the deadline, weekly after it, summaries for
    # committees, period reports) are written to the outbox and queued.
    "plan-and-send-reminders": {
        "task": "followup.tasks.plan_and_dispatch_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Every job waiting for a worker is queued (core.jobs): mail in the outbox,
    # yearly reports and dashboard summaries never queued (Redis was down), whose
    # message was lost, or whose worker died holding the claim.
    "sweep-jobs": {
        "task": "core.tasks.sweep_jobs",
        "schedule": 60.0,
    },
    # The day's digest of handed-in self-assessments to each committee editor.
    "handed-in-digest": {
        "task": "followup.tasks.plan_handed_in_digests",
        "schedule": crontab(hour=17, minute=0),
    },
    # Every night all summaries are rebuilt from the answers: a safety net for anything a mark missed.
    "rebuild-dashboard-summaries": {
        "task": "dashboards.tasks.rebuild_summaries",
        "schedule": crontab(hour=2, minute=30),
    },
}
# A mail claimed by a worker that died is claimed again after this many seconds.
MAIL_CLAIM_TIMEOUT = env_int("MAIL_CLAIM_TIMEOUT", default=15 * 60)
# A dashboard figure based on fewer schools than this is shown with its count.
DASHBOARD_SMALL_GROUP = env_int("DASHBOARD_SMALL_GROUP", default=5)
# The organisation import refuses, before reading further, a file larger than
# this, with more rows or columns, a value longer than this, or a workbook that
# unpacks to more than this.
ORGANISATION_IMPORT_MAX_BYTES = env_int("ORGANISATION_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
ORGANISATION_IMPORT_MAX_ROWS = env_int("ORGANISATION_IMPORT_MAX_ROWS", default=50_000)
ORGANISATION_IMPORT_MAX_COLUMNS = env_int("ORGANISATION_IMPORT_MAX_COLUMNS", default=50)
ORGANISATION_IMPORT_MAX_FIELD_CHARS = env_int("ORGANISATION_IMPORT_MAX_FIELD_CHARS", default=1_000)
ORGANISATION_IMPORT_MAX_XLSX_UNPACKED_BYTES = env_int(
    "ORGANISATION_IMPORT_MAX_XLSX_UNPACKED_BYTES", default=50 * 1024 * 1024
)
# Skolverket's school-unit register (Skolenhetsregistret, open API v2): where
# sync_register reads it, how long it waits for an answer, and the city's
# municipality code (4 digits, e.g. 1480), whose units it reads; a register file
# imported on the import page may hold no unit of another municipality.
SKOLVERKET_REGISTER_URL = env.str("SKOLVERKET_REGISTER_URL", default="https://api.skolverket.se/skolenhetsregistret")
SKOLVERKET_REGISTER_TIMEOUT = env_int("SKOLVERKET_REGISTER_TIMEOUT", default=20)
CITY_MUNICIPALITY_CODE = env.str("CITY_MUNICIPALITY_CODE", default="")
if CITY_MUNICIPALITY_CODE and not re.fullmatch(r"[0-9]{4}", CITY_MUNICIPALITY_CODE):
    raise config_error("CITY_MUNICIPALITY_CODE", f"expected 4 digits, got {CITY_MUNICIPALITY_CODE!r}")
# A checked organisation file not imported within this many seconds must be checked again.
ORGANISATION_IMPORT_UPLOAD_TTL = env_int("ORGANISATION_IMPORT_UPLOAD_TTL", default=60 * 60)
# A yearly report a worker started more than this many seconds ago and never
# finished is built again; longer than the task's time limit, so a live worker
# is never overtaken.
REPORT_CLAIM_TIMEOUT = env_int("REPORT_CLAIM_TIMEOUT", default=31 * 60)
# A strategy file larger than this many bytes is refused unread (upload and import_strategy).
STRATEGY_UPLOAD_MAX_BYTES = env_int("STRATEGY_UPLOAD_MAX_BYTES", default=1024 * 1024)

# --- Security ---------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Everything from the portal's own origin, no inline script or style, no eval;
# browser features the portal never uses switched off (config/policies.py).
CONTENT_SECURITY_POLICY = policies.CONTENT_SECURITY_POLICY
PERMISSIONS_POLICY = policies.PERMISSIONS_POLICY

# --- Logging ----------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise config_error("LOG_LEVEL", f"expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}")
LOG_FORMAT = env.str("LOG_FORMAT", default="json").lower()
if LOG_FORMAT not in {"json", "text"}:
    raise config_error("LOG_FORMAT", f"expected json or text, got {LOG_FORMAT!r}")
LOGGING = logging_config(level=LOG_LEVEL, style=LOG_FORMAT)
