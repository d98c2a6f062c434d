"""Writing mail to the outbox and sending it exactly once.

Apps register a builder per kind of mail (in their AppConfig's `ready()`):
`register_builder("followup.returned", build)`, where `build(mail)` returns the
message (subject, text, optional HTML) in the language active when it is
called; the outbox activates the recipient's language. A builder raises
`NothingToSend` when the occasion has passed (the user chose a password
before the invitation went out, say): the row is closed with that reason.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation

from core import jobs
from core.site import request_site, serving, site_url
from outbox.models import Mail, MailStatus

logger = logging.getLogger(__name__)

SEND_TASK = "outbox.tasks.send_mail"


@dataclass
class Message:
    subject: str
    text: str
    html: str = ""


class NothingToSend(Exception):
    """The mail is no longer needed; the message says why (kept as the row's reason)."""


_BUILDERS: dict[str, Callable[[Mail], Message]] = {}


def register_builder(kind: str, builder: Callable[[Mail], Message]) -> None:
    _BUILDERS[kind] = builder


def _claim_timeout() -> int:
    return settings.MAIL_CLAIM_TIMEOUT


MAIL_JOBS = jobs.JobKind(
    name="mail",
    model=Mail,
    task=SEND_TASK,
    timeout=_claim_timeout,
    pending=MailStatus.PENDING,
    running=MailStatus.SENDING,
)


def register_job_kind() -> None:
    jobs.register(MAIL_JOBS)


@dataclass
class Outgoing:
    """A mail to write: the key names recipient and occasion, and must be unique."""

    key: str
    kind: str
    recipient: object  # a User
    params: dict
    created_by: object | None = None


def mail_queue(*, mails: Iterable[Outgoing]) -> list[Mail]:
    """Write mails to the outbox and queue them once the transaction commits.

    A key already in the outbox adds nothing (returned list leaves it out).
    A recipient without an email address is recorded as not sent, with the reason.
    """
    rows = []
    # Without SITE_URL, the links go to the address of the request that wrote the mail.
    site = {"site": site_url()} if not settings.SITE_URL and request_site() else {}
    for m in mails:
        row = Mail(
            key=m.key[:200],
            kind=m.kind,
            recipient=m.recipient,
            email=m.recipient.email or "",
            params={**m.params, **site},
            created_by=m.created_by,
        )
        if not row.email:
            row.status = MailStatus.FAILED
            row.reason = "Mottagaren har ingen e-postadress."
        rows.append(row)
    if not rows:
        return []
    with transaction.atomic():
        existing = set(Mail.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True))
        fresh = [r for r in rows if r.key not in existing]
        Mail.objects.bulk_create(fresh, ignore_conflicts=True)
        created = list(Mail.objects.filter(key__in=[r.key for r in fresh], status=MailStatus.PENDING))
        for row in created:
            MAIL_JOBS.publish_on_commit(row.pk)
    return created


def mail_dispatch_pending() -> int:
    """Queue every mail waiting to go out (the sweep does this every minute)."""
    queued = 0
    for pk in MAIL_JOBS.due().order_by("pk").values_list("pk", flat=True):
        if not MAIL_JOBS.publish(pk):
            break  # the broker is down: the rest stay pending and are queued again later
        queued += 1
    return queued


def mail_send(*, mail_id: int, task_id: str | None = None) -> str:
    """Send one mail if it can be claimed. A refused address is recorded and not
    tried again; a mail server that is down gives the row back and raises, so the
    task retries with backoff (and the sweep would queue it anyway)."""
    token = MAIL_JOBS.claim(mail_id, task_id=task_id)
    if token is None:
        return "already taken"
    mail = Mail.objects.select_related("recipient").get(pk=mail_id)
    try:
        message = build_message(mail)
    except NothingToSend as exc:
        MAIL_JOBS.finish(mail_id, token, state=MailStatus.FAILED, reason=str(exc))
        return "nothing to send"
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        MAIL_JOBS.finish(
            mail_id,
            token,
            state=MailStatus.FAILED,
            reason=f"E-postservern tog inte emot adressen: {', '.join(exc.recipients)}",
        )
        return "refused"
    except (smtplib.SMTPException, OSError):
        MAIL_JOBS.release(mail_id, token)
        raise
    MAIL_JOBS.finish(mail_id, token, state=MailStatus.SENT, sent_at=timezone.now(), reason="")
    return "sent"


def build_message(mail: Mail) -> EmailMultiAlternatives:
    """The mail as a plain-text (and HTML) email in the recipient's language."""
    builder = _BUILDERS.get(mail.kind)
    if builder is None:
        raise NothingToSend(f"Okänd sorts e-post: {mail.kind}")
    language = getattr(mail.recipient, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language), serving(mail.params.get("site", "")):
        content = builder(mail)
    message = EmailMultiAlternatives(
        content.subject.strip(), content.text, None, [mail.email], headers={"X-Portal-Mail": mail.key}
    )
    if content.html:
        message.attach_alternative(content.html, "text/html")
    return message
