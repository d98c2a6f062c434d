"""Reminders: who is due one today, the outbox, and sending exactly once.

Planning writes one Reminder row per recipient, kind and occasion (a unique
key), so planning the same day twice creates nothing new. Sending claims the
row with a conditional UPDATE before the mail goes out, so two workers never
send the same row; a row claimed by a worker that died is claimed again after
REMINDER_CLAIM_TIMEOUT seconds. Rows still pending are queued again by the
schedule, so nothing is lost while Redis is down.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Role
from core import events
from core.tasks import enqueue
from followup.models import (
    EDITABLE_STATUSES,
    Cycle,
    Reminder,
    ReminderKind,
    ReminderStatus,
    SelfAssessment,
)

logger = logging.getLogger(__name__)


@dataclass
class Planned:
    reminder: Reminder
    description: str


def reminder_row(kind, occasion, scope, recipient, **links) -> Reminder:
    """An unsaved outbox row for one recipient (None: no one to send to, kept as not sent)."""
    key = f"{kind}:{scope}:{occasion}:{recipient.pk if recipient else 'none'}"
    reminder = Reminder(key=key, kind=kind, occasion=occasion, recipient=recipient, **links)
    if recipient is None:
        reminder.status = ReminderStatus.FAILED
        reminder.reason = str(_no_recipient_reason(kind))
    elif not recipient.email:
        reminder.status = ReminderStatus.FAILED
        reminder.reason = "Mottagaren har ingen e-postadress."
    else:
        reminder.email = recipient.email
    return reminder


def _no_recipient_reason(kind) -> str:
    if kind in (ReminderKind.ASSESSMENT_DUE, ReminderKind.ASSESSMENT_OVERDUE, ReminderKind.MANUAL):
        return "Skolenheten har ingen rektor i portalen."
    return "Nämnden har ingen nämndredaktör i portalen."


def _principals(school_ids) -> dict[int, list]:
    by_school: dict[int, list] = {}
    for m in Membership.objects.filter(role=Role.PRINCIPAL, school_id__in=school_ids).select_related("user"):
        if m.user.is_active:
            by_school.setdefault(m.school_id, []).append(m.user)
    return by_school


def committee_editors(committee_ids) -> dict[int, list]:
    by_committee: dict[int, list] = {}
    for m in Membership.objects.filter(role=Role.COMMITTEE_EDITOR, committee_id__in=committee_ids).select_related(
        "user"
    ):
        if m.user.is_active:
            by_committee.setdefault(m.committee_id, []).append(m.user)
    return by_committee


def _assessment_rows(cycle: Cycle, assessments, kind, occasion) -> list[Reminder]:
    principals = _principals([a.school_id for a in assessments])
    rows = []
    for assessment in assessments:
        scope = f"cycle{cycle.year}-school{assessment.school_id}"
        links = {"cycle": cycle, "school_id": assessment.school_id, "committee_id": assessment.school.committee_id}
        for user in principals.get(assessment.school_id) or [None]:
            rows.append(reminder_row(kind, occasion, scope, user, **links))
    return rows


def plan_for_day(today: datetime.date) -> list[Reminder]:
    """Every reminder due on `today`, as unsaved rows."""
    rows: list[Reminder] = []
    for cycle in Cycle.objects.filter(opens_on__lte=today, locks_on__gte=today):
        days_left = (cycle.deadline - today).days
        late = list(
            cycle.assessments.filter(status__in=EDITABLE_STATUSES, school__is_active=True).select_related("school")
        )
        if days_left in cycle.reminder_offsets:
            rows += _assessment_rows(cycle, late, ReminderKind.ASSESSMENT_DUE, f"d-{days_left}")
        elif days_left < 0 and -days_left % 7 == 0:
            rows += _assessment_rows(cycle, late, ReminderKind.ASSESSMENT_OVERDUE, f"overdue-w{-days_left // 7}")
        if days_left in cycle.reminder_offsets or days_left == -1:
            occasion = f"d-{days_left}" if days_left >= 0 else "passed"
            committees = {a.school.committee_id for a in cycle.assessments.select_related("school")}
            editors = committee_editors(committees)
            for committee_id in sorted(committees):
                for user in editors.get(committee_id) or [None]:
                    rows.append(
                        reminder_row(
                            ReminderKind.COMMITTEE_SUMMARY,
                            occasion,
                            f"cycle{cycle.year}-committee{committee_id}",
                            user,
                            cycle=cycle,
                            committee_id=committee_id,
                        )
                    )
    # Other apps' reminders due today (period reports, say), without importing them.
    for _receiver, found in events.reminders_due.send(sender=Reminder, today=today):
        rows += found
    return rows


def reminders_plan(*, today: datetime.date) -> int:
    """Write today's reminders to the outbox; planning the same day again adds nothing."""
    rows = plan_for_day(today)
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return Reminder.objects.count() - before


def remind_late_now(*, cycle: Cycle, assessments, user) -> int:
    """Remind the principals of the given late schools at once (from the completeness page)."""
    late = [a for a in assessments.select_related("school") if a.is_pending]
    occasion = f"manual-{timezone.now():%Y%m%d%H%M%S}"
    rows = _assessment_rows(cycle, late, ReminderKind.MANUAL, occasion)
    with transaction.atomic():
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(dispatch_pending)
    logger.info("reminders sent by hand", extra={"user": user.pk, "cycle": cycle.year, "rows": len(rows)})
    return sum(1 for r in rows if r.status == ReminderStatus.PENDING)


def dispatch_pending() -> int:
    """Queue a send task for every reminder waiting to go out. With the broker
    down nothing is lost: the rows stay pending and the schedule queues them again."""
    from followup.tasks import send_reminder

    stale_before = timezone.now() - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT)
    ids = list(Reminder.objects.to_send(stale_before=stale_before).values_list("pk", flat=True))
    queued = 0
    for pk in ids:
        if not enqueue(send_reminder, pk):
            break  # the broker is down: the rest stay pending and are queued again later
        queued += 1
    return queued


# --- Sending --------------------------------------------------------------------------


def claim(reminder_id: int) -> bool:
    """Take the row for this worker: a conditional UPDATE, so only one claim wins."""
    now = timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT)
    return bool(
        Reminder.objects.filter(pk=reminder_id)
        .filter(Q(status=ReminderStatus.PENDING) | Q(status=ReminderStatus.SENDING, claimed_at__lt=stale_before))
        .update(status=ReminderStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def reminder_send(*, reminder_id: int) -> str:
    """Send one reminder if it can be claimed. A refused address is recorded and
    not tried again; a mail server that is down gives the row back and raises, so
    the task retries with backoff."""
    if not claim(reminder_id):
        return "already taken"
    reminder = Reminder.objects.select_related("recipient", "cycle", "committee", "school", "period").get(
        pk=reminder_id
    )
    try:
        build_message(reminder).send()
    except smtplib.SMTPRecipientsRefused as exc:
        Reminder.objects.filter(pk=reminder_id).update(
            status=ReminderStatus.FAILED, reason=f"E-postservern tog inte emot adressen: {exc.recipients}"
        )
        return "refused"
    except (smtplib.SMTPException, OSError):
        Reminder.objects.filter(pk=reminder_id).update(status=ReminderStatus.PENDING, claimed_at=None)
        raise
    Reminder.objects.filter(pk=reminder_id).update(status=ReminderStatus.SENT, sent_at=timezone.now(), reason="")
    return "sent"


def _progress(assessment: SelfAssessment) -> tuple[int, int]:
    from followup.services import missing_by_area

    missing = missing_by_area(assessment)
    return sum(1 for gaps in missing.values() if not gaps), len(missing)


def build_message(reminder: Reminder) -> EmailMultiAlternatives:
    """The reminder as a plain-text and HTML email in the recipient's language."""
    context = {"reminder": reminder, "city": settings.CITY_NAME, "site": settings.SITE_URL}
    if reminder.cycle_id and reminder.school_id:
        assessment = SelfAssessment.objects.select_related("cycle", "school").get(
            cycle_id=reminder.cycle_id, school_id=reminder.school_id
        )
        done, total = _progress(assessment)
        context.update(
            assessment=assessment,
            done=done,
            total=total,
            link=settings.SITE_URL + reverse("followup:assessment_detail", args=[assessment.pk]),
        )
    if reminder.kind == ReminderKind.COMMITTEE_SUMMARY:
        assessments = reminder.cycle.assessments.filter(school__committee_id=reminder.committee_id).select_related(
            "school"
        )
        context.update(
            handed_in=sum(1 for a in assessments if not a.is_pending),
            total=len(assessments),
            late=[a.school for a in assessments if a.is_pending],
            link=settings.SITE_URL + reverse("followup:cycle_detail", args=[reminder.cycle.year]),
        )
    if reminder.kind == ReminderKind.REPORT_DUE:
        context["link"] = settings.SITE_URL + reverse("actionplans:plan_list")
    with translation.override(reminder.recipient.language if reminder.recipient else settings.LANGUAGE_CODE):
        subject = render_to_string("followup/email/reminder_subject.txt", context).strip()
        text = render_to_string("followup/email/reminder.txt", context)
        html = render_to_string("followup/email/reminder.html", context)
    message = EmailMultiAlternatives(subject, text, None, [reminder.email], headers={"X-Portal-Reminder": reminder.key})
    message.attach_alternative(html, "text/html")
    return message
