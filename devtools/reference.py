"""A bare Django project in one module: what Django itself serves on this
machine, the reference the benchmark measures the portal's throughput against.

It has what `django-admin startproject` gives (the same middleware classes),
sessions in the database, the user read from the database, login required, one
query of its own and a small template. It runs in a database of its own (the
portal's has a custom user model), as its own process:

    REFERENCE_DATABASE_URL=postgres://…/x python -m devtools.reference setup   # prints a session key
    REFERENCE_DATABASE_URL=postgres://…/x gunicorn devtools.reference:application

It imports nothing of the portal and is never imported by it.
"""

import os
import sys

import environ
from django.conf import settings

PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Referens</title></head>
<body><main><h1>Hej {{ request.user.get_username }}</h1>
<ul>{% for permission in permissions %}<li>{{ permission.codename }}: {{ permission.name }}</li>{% endfor %}</ul>
</main></body></html>"""

USERNAME = "referens"


def _configure() -> None:
    if settings.configured:
        return
    database = environ.Env.db_url_config(os.environ["REFERENCE_DATABASE_URL"])
    database["CONN_MAX_AGE"] = 60  # as the portal under gunicorn
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("REFERENCE_SECRET_KEY", "reference-only-not-a-secret-of-the-portal-0123456789"),
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
        ],
        # The middleware of a new project (django-admin startproject).
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        DATABASES={"default": database},
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "context_processors": ["django.template.context_processors.request"],
                    "loaders": [("django.template.loaders.locmem.Loader", {"page.html": PAGE})],
                },
            }
        ],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )


_configure()

import django  # noqa: E402 (after the settings)

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.contrib.auth.models import Permission, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402


@login_required
def page(request):
    """The measured page: one query of its own and a small template."""
    return render(request, "page.html", {"permissions": list(Permission.objects.order_by("pk")[:10])})


def up(request):
    return HttpResponse("ok")


urlpatterns = [path("", page), path("up", up)]
application = get_wsgi_application()


def setup() -> str:
    """Migrate the reference's database, make its user and a session; the session key."""
    call_command("migrate", verbosity=0, interactive=False)
    user = User.objects.filter(username=USERNAME).first() or User.objects.create_user(USERNAME)
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


if __name__ == "__main__":
    if sys.argv[1:] != ["setup"]:
        raise SystemExit("usage: python -m devtools.reference setup")
    print(setup())
