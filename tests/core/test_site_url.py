"""Links in emails: SITE_URL when set, else the address the request came in on."""

import re

from django.core import mail
from django.urls import reverse

from accounts.models import Role
from core.site import LOCAL_DEMO, site_url


def invite(client, org, host):
    data = {"first_name": "Ny", "last_name": "Rektor", "email": "ny@example.se", "role": Role.PRINCIPAL}
    return client.post(reverse("accounts:user_invite"), {**data, "school": org.school_a.pk}, HTTP_HOST=host)


def emailed_link() -> str:
    return re.search(r"https?://\S+/password-reset/\S+/", mail.outbox[-1].body).group(0)


def test_without_site_url_a_mail_links_to_the_address_the_request_came_in_on(
    client, org, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    client.force_login(org.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, org, "127.0.0.1:8123")

    assert response.status_code == 302
    assert emailed_link().startswith("http://127.0.0.1:8123/password-reset/")


def test_site_url_when_set_wins_over_the_requests_address(client, org, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://strategi.example.se"
    client.force_login(org.admin)

    with django_capture_on_commit_callbacks(execute=True):
        invite(client, org, "127.0.0.1:8123")

    assert emailed_link().startswith("https://strategi.example.se/password-reset/")


def test_outside_a_request_without_site_url_the_local_demo_address_is_used(settings):
    settings.SITE_URL = ""

    assert site_url() == LOCAL_DEMO
