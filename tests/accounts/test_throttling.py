"""Brute force: failed logins lock the account and the address; reset mails are limited."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import PASSWORD


def log_in(client, email, password, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def logged_in_as(client) -> str | None:
    response = client.get(reverse("portal:home"), follow=True)
    user = response.context["user"]
    return user.email if user.is_authenticated else None


def test_twenty_wrong_passwords_then_the_right_one_is_refused(client, org):
    for _attempt in range(20):
        assert log_in(client, org.principal_a.email, "fel-lösenord").status_code in (200, 429)
    response = log_in(client, org.principal_a.email, PASSWORD)
    assert response.status_code == 429
    assert "Inloggningen är spärrad i 30 minuter" in response.content.decode()
    assert logged_in_as(client) is None


def test_the_lock_out_starts_at_the_configured_number_of_failures(client, org, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(2):
        assert log_in(client, org.principal_a.email, "fel").status_code == 200
    assert log_in(client, org.principal_a.email, "fel").status_code == 429
    assert log_in(client, org.principal_a.email, PASSWORD).status_code == 429


def test_the_account_is_locked_from_every_address_and_the_address_for_every_account(client, org):
    for _attempt in range(5):
        log_in(client, org.principal_a.email, "fel", address="203.0.113.7")
    assert log_in(client, org.principal_a.email, PASSWORD, address="198.51.100.9").status_code == 429
    assert log_in(client, org.principal_b.email, PASSWORD, address="203.0.113.7").status_code == 429
    assert log_in(client, org.principal_b.email, PASSWORD, address="198.51.100.9").status_code == 302


def test_the_address_is_counted_whatever_its_case_and_spaces(client, org):
    for _attempt in range(5):
        log_in(client, f" {org.principal_a.email.upper()} ", "fel", address="203.0.113.7")
    assert log_in(client, org.principal_a.email, PASSWORD, address="198.51.100.9").status_code == 429


def test_after_the_cool_down_the_right_password_logs_in(client, org, settings):
    for _attempt in range(20):
        log_in(client, org.principal_a.email, "fel")
    assert log_in(client, org.principal_a.email, PASSWORD).status_code == 429
    # The cool-down runs from the last failure; let it pass.
    passed = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=passed)
    assert log_in(client, org.principal_a.email, PASSWORD).status_code == 302
    assert logged_in_as(client) == org.principal_a.email


def test_a_success_forgets_earlier_failures(client, org):
    for _attempt in range(4):
        log_in(client, org.principal_a.email, "fel")
    assert log_in(client, org.principal_a.email, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        log_in(client, org.principal_a.email, "fel")
    assert log_in(client, org.principal_a.email, PASSWORD).status_code == 302


def test_the_city_admin_sees_the_lock_and_unlocks_the_account_on_the_user_page(client, org):
    for _attempt in range(20):
        log_in(client, org.principal_a.email, "fel")
    admin = org.admin
    admin_client = client.__class__()
    admin_client.force_login(admin)
    page = admin_client.get(reverse("accounts:user_detail", args=[org.principal_a.pk]))
    assert "Kontot är spärrat efter för många misslyckade inloggningar" in page.content.decode()

    response = admin_client.post(reverse("accounts:user_unlock", args=[org.principal_a.pk]), follow=True)
    assert "kan logga in igen" in response.content.decode()
    assert "Kontot är spärrat" not in response.content.decode()
    assert log_in(client, org.principal_a.email, PASSWORD).status_code == 302
    assert logged_in_as(client) == org.principal_a.email


def test_a_committee_editor_cannot_unlock_an_account(client, org):
    for _attempt in range(5):
        log_in(client, org.principal_a.email, "fel")
    editor = client.__class__()
    editor.force_login(org.editor_a)
    page = editor.get(reverse("accounts:user_detail", args=[org.principal_a.pk]))
    assert "Lås upp inloggningen" not in page.content.decode()
    assert editor.post(reverse("accounts:user_unlock", args=[org.principal_a.pk])).status_code == 403
    assert log_in(client, org.principal_a.email, PASSWORD).status_code == 429


def test_the_city_admin_unlocks_in_the_admin_by_deleting_the_failed_logins(client, org):
    for _attempt in range(5):
        log_in(client, org.principal_a.email, "fel")
    admin_client = client.__class__()
    admin_client.force_login(org.admin)
    attempt = AccessAttempt.objects.get(username=org.principal_a.email)
    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert org.principal_a.email in listing.content.decode()
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert log_in(client, org.principal_a.email, PASSWORD).status_code == 302


@pytest.fixture
def reset(client, django_capture_on_commit_callbacks):
    """Ask for a reset link; the outbox sends the mail when the request commits."""

    def ask(_client, email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password_reset"), {"email": email})

    return ask


def test_reset_mails_to_one_address_are_limited_per_hour(client, org, settings, reset):
    assert settings.PASSWORD_RESET_MAILS_PER_HOUR == 3
    for _request in range(3):
        assert reset(client, org.principal_a.email).status_code == 302
    # (The outbox also folds requests within one minute into one mail.)
    sent = len(mail.outbox)
    assert sent >= 1
    refused = reset(client, org.principal_a.email.upper())
    assert refused.status_code == 200
    assert "Flera länkar har redan skickats till den här adressen den senaste timmen" in refused.content.decode()
    assert len(mail.outbox) == sent
    # Another address is not held up.
    assert reset(client, org.principal_b.email).status_code == 302
    assert mail.outbox[-1].to == [org.principal_b.email]


def test_an_unknown_address_is_limited_the_same_way_so_the_answer_reveals_no_account(client, db, settings, reset):
    settings.PASSWORD_RESET_MAILS_PER_HOUR = 1
    assert reset(client, "finns.inte@example.se").status_code == 302
    assert reset(client, "finns.inte@example.se").status_code == 200
    assert mail.outbox == []
    assert not User.objects.filter(email="finns.inte@example.se").exists()


def test_reset_mails_are_allowed_again_after_an_hour(client, org, settings, reset):
    from accounts.models import PasswordResetRequest

    settings.PASSWORD_RESET_MAILS_PER_HOUR = 1
    assert reset(client, org.principal_a.email).status_code == 302
    assert reset(client, org.principal_a.email).status_code == 200
    assert PasswordResetRequest.objects.count() == 1
    PasswordResetRequest.objects.update(requested_at=timezone.now() - datetime.timedelta(minutes=61))
    assert reset(client, org.principal_a.email).status_code == 302
    assert mail.outbox[-1].to == [org.principal_a.email]


def test_an_address_too_long_to_be_one_is_refused_as_a_wrong_login(client, org):
    response = log_in(client, "x" * 100_000 + "@example.se", "x" * 100_000)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_as(client) is None
