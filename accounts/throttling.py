"""Brute-force protection: failed logins (django-axes) and password-reset mails.

django-axes records each failed login in the database and refuses further
attempts for the account, and from the address, after `AXES_FAILURE_LIMIT`
failures until `AXES_COOLOFF_TIME` has passed or the city admin unlocks the
account. Password-reset mails are counted per email address in the database,
so the limit holds across web processes.
"""

import datetime

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.utils import timezone

from accounts.models import PasswordResetRequest, User


def login_username(request, credentials: dict | None = None) -> str:
    """The address a login is counted under: `Rektor@Skola.se ` and
    `rektor@skola.se` are one account to the portal, so one to the lock-out too."""
    source = credentials if credentials is not None else getattr(request, "POST", {})
    # The lock-out table keeps at most 255 characters; longer is no address anyway.
    return str(source.get("username") or "").strip().lower()[:255]


def _cool_off_start() -> datetime.datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def login_is_locked(user: User) -> bool:
    """Whether the account is locked out now because of failed logins."""
    failures = (
        AccessAttempt.objects.filter(username=user.email.lower(), attempt_time__gte=_cool_off_start())
        .order_by()
        .values_list("failures_since_start", flat=True)
    )
    return sum(failures) >= settings.AXES_FAILURE_LIMIT


def login_unlock(*, user: User) -> int:
    """Forget the account's failed logins, so it can log in again at once."""
    return reset(username=user.email.lower())


def password_reset_allowed(email: str) -> bool:
    """Record a request for a reset mail to `email`; False when the address
    has had `PASSWORD_RESET_MAILS_PER_HOUR` in the last hour already.

    Requests are counted whether or not an account has the address, so the
    answer says nothing about who has an account.
    """
    email = email.strip().lower()
    since = timezone.now() - datetime.timedelta(hours=1)
    PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
    if PasswordResetRequest.objects.filter(email=email, requested_at__gte=since).count() >= (
        settings.PASSWORD_RESET_MAILS_PER_HOUR
    ):
        return False
    PasswordResetRequest.objects.create(email=email)
    return True
