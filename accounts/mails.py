"""The accounts' mail, written to the outbox: invitations and password resets.

The link's token is made when the mail is sent, not when it is asked for, so
a mail held up while Redis was down still carries a valid link.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.backends import password_login_allowed
from accounts.models import User
from core.site import site_url
from outbox import services as outbox
from outbox.models import Mail

INVITATION = "accounts.invitation"
PASSWORD_RESET = "accounts.password_reset"  # noqa: S105 (a kind of mail, not a password)


def invitation_queue(*, user: User, invited_by: User) -> None:
    """The invitation to choose a password: once a day at most per user."""
    outbox.mail_queue(
        mails=[
            outbox.Outgoing(
                key=f"invitation:{user.pk}:{timezone.localdate().isoformat()}",
                kind=INVITATION,
                recipient=user,
                params={"invited_by": invited_by.pk},
                created_by=invited_by,
            )
        ]
    )


def password_reset_queue(*, user: User) -> None:
    """A password reset link; asking again within the same minute (a double click) writes nothing new."""
    outbox.mail_queue(
        mails=[
            outbox.Outgoing(
                key=f"password-reset:{user.pk}:{timezone.now():%Y%m%d%H%M}",
                kind=PASSWORD_RESET,
                recipient=user,
                params={},
            )
        ]
    )


def _reset_link(user: User) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url() + path


def build_invitation(mail: Mail) -> outbox.Message:
    """Email a new user a link to choose a password (or, where password login
    is off, to the login page of the city's identity provider); not needed
    once they have a password."""
    user = mail.recipient
    if user is None or not user.is_active:
        raise outbox.NothingToSend("Användaren är inte längre aktiv.")
    if user.has_usable_password():
        raise outbox.NothingToSend("Användaren har redan valt ett lösenord.")
    invited_by = User.objects.filter(pk=mail.params.get("invited_by")).first()
    context = {"user": user, "invited_by": invited_by, "city": settings.CITY_NAME}
    if password_login_allowed(user.email):
        context["link"] = _reset_link(user)
    else:
        # Password login is off: the person signs in through the city's identity provider.
        context.update(link=site_url() + reverse("login"), identity_provider=True)
    return outbox.Message(
        subject=render_to_string("accounts/email/invitation_subject.txt", context),
        text=render_to_string("accounts/email/invitation.txt", context),
    )


def build_password_reset(mail: Mail) -> outbox.Message:
    user = mail.recipient
    if user is None or not user.is_active:
        raise outbox.NothingToSend("Användaren är inte längre aktiv.")
    protocol, _sep, domain = site_url().partition("://")
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": settings.CITY_NAME,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    return outbox.Message(
        subject=" ".join(render_to_string("registration/password_reset_subject.txt", context).splitlines()),
        text=render_to_string("registration/password_reset_email.html", context),
    )


def register() -> None:
    outbox.register_builder(INVITATION, build_invitation)
    outbox.register_builder(PASSWORD_RESET, build_password_reset)
