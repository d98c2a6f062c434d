"""Reminders: who is due one today, and writing them to the outbox once.

Planning writes one Reminder row per recipient, kind and occasion (a unique
key), so planning the same day twice creates nothing new; each reminder's mail
goes through the outbox (`outbox.services`), which sends it exactly once and
queues it again while Redis or a worker is down. Reminding by hand leaves out
the schools reminded in the last 24 hours, unless asked to remind them anyway.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from core import events
from core.site import site_url
from followup.models import (
    EDITABLE_STATUSES,
    SCHOOL_REMINDER_KINDS,
    Cycle,
    Reminder,
    ReminderKind,
    SelfAssessment,
)
from followup.services import missing_by_area
from outbox import services as outbox
from outbox.models import Mail

logger = logging.getLogger(__name__)


MAIL_KIND = "followup.reminder"
RECENT = datetime.timedelta(hours=24)  # a school reminded this recently is left out of "remind now"


def reminder_row(kind, occasion, scope, recipient, **links) -> Reminder:
    """An unsaved outbox row for one recipient (None: no one to send to, kept as not sent)."""
    key = f"{kind}:{scope}:{occasion}:{recipient.pk if recipient else 'none'}"
    reminder = Reminder(key=key, kind=kind, occasion=occasion, recipient=recipient, **links)
    if recipient is None:
        reminder.problem = str(_no_recipient_reason(kind))
    elif not recipient.email:
        reminder.problem = "Mottagaren har ingen e-postadress."
    return reminder


def _can_send(reminder: Reminder) -> bool:
    return reminder.recipient is not None and bool(reminder.recipient.email)


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
        links = {"cycle": cycle, "school_id": assessment.school_id, "committee_id": assessment.committee_id}
        for user in principals.get(assessment.school_id) or [None]:
            rows.append(reminder_row(kind, occasion, scope, user, **links))
    return rows


def plan_for_day(today: datetime.date) -> list[Reminder]:
    """Every reminder due on `today`, as unsaved rows."""
    rows: list[Reminder] = []
    for cycle in Cycle.objects.filter(opens_on__lte=today, locks_on__gte=today):
        days_left = (cycle.deadline - today).days
        late = list(cycle.assessments.filter(status__in=EDITABLE_STATUSES, school_active=True).select_related("school"))
        if days_left in cycle.reminder_offsets:
            rows += _assessment_rows(cycle, late, ReminderKind.ASSESSMENT_DUE, f"d-{days_left}")
        elif days_left < 0 and -days_left % 7 == 0:
            rows += _assessment_rows(cycle, late, ReminderKind.ASSESSMENT_OVERDUE, f"overdue-w{-days_left // 7}")
        if days_left in cycle.reminder_offsets or days_left == -1:
            occasion = f"d-{days_left}" if days_left >= 0 else "passed"
            committees = set(cycle.assessments.values_list("committee_id", flat=True))
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


def reminders_save(rows: list[Reminder], *, created_by=None) -> list[Reminder]:
    """Write reminders and their mails to the outbox; keys already there add nothing.
    The mails are queued when the transaction commits."""
    if not rows:
        return []
    keys = [r.key for r in rows]
    with transaction.atomic():
        existing = set(Reminder.objects.filter(key__in=keys).values_list("key", flat=True))
        fresh = [r for r in rows if r.key not in existing]
        for row in fresh:
            row.created_by = created_by
        Reminder.objects.bulk_create(fresh, ignore_conflicts=True)
        saved = list(
            Reminder.objects.filter(key__in=[r.key for r in fresh], mail__isnull=True).select_related("recipient")
        )
        outbox.mail_queue(
            mails=[
                outbox.Outgoing(
                    key=r.key, kind=MAIL_KIND, recipient=r.recipient, params={"reminder": r.pk}, created_by=created_by
                )
                for r in saved
                if r.recipient is not None
            ]
        )
        mails = {
            params.get("reminder"): pk
            for pk, params in Mail.objects.filter(key__in=[r.key for r in saved], kind=MAIL_KIND).values_list(
                "pk", "params"
            )
        }
        for r in saved:
            if r.pk in mails:
                Reminder.objects.filter(pk=r.pk).update(mail_id=mails[r.pk])
    return saved


def reminders_plan(*, today: datetime.date) -> int:
    """Write today's reminders to the outbox; planning the same day again adds nothing."""
    return len(reminders_save(plan_for_day(today)))


@dataclass
class LastReminder:
    at: datetime.datetime
    by: object | None  # the user who sent it by hand, None for the schedule


def last_reminded(*, cycle: Cycle, school_ids) -> dict[int, LastReminder]:
    """When each school's principal was last reminded in this cycle, and by whom."""
    last: dict[int, LastReminder] = {}
    for r in (
        Reminder.objects.counting()
        .filter(cycle=cycle, school_id__in=list(school_ids), kind__in=SCHOOL_REMINDER_KINDS)
        .select_related("created_by")
        .order_by("school_id", "-created_at")
    ):
        last.setdefault(r.school_id, LastReminder(at=r.created_at, by=r.created_by))
    return last


@dataclass
class RemindResult:
    sent: int
    skipped: int


def remind_late_now(*, cycle: Cycle, assessments, user, again: bool = False) -> RemindResult:
    """Remind the principals of the given late schools at once (from the follow-up's page).

    Schools reminded in the last 24 hours are left out unless `again`. The
    cycle's row is locked while deciding, so a double click sends once: the
    second request sees the first one's reminders.
    """
    now = timezone.now()
    with transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        late = [a for a in assessments.select_related("school") if a.is_pending]
        recent = set(
            Reminder.objects.counting()
            .filter(cycle=cycle, kind__in=SCHOOL_REMINDER_KINDS, created_at__gte=now - RECENT)
            .values_list("school_id", flat=True)
        )
        skipped = [a for a in late if a.school_id in recent]
        if not again:
            late = [a for a in late if a.school_id not in recent]
        # One occasion per minute: two clicks with "again" ticked still write one reminder each.
        rows = _assessment_rows(cycle, late, ReminderKind.MANUAL, f"manual-{now:%Y%m%d%H%M}")
        saved = reminders_save(rows, created_by=user)
    logger.info("reminders sent by hand", extra={"user": user.pk, "cycle": cycle.year, "rows": len(saved)})
    return RemindResult(sent=sum(1 for r in saved if _can_send(r)), skipped=0 if again else len(skipped))


def dispatch_pending() -> int:
    """Queue every mail waiting in the outbox (what the every-minute sweep does for mail)."""
    return outbox.mail_dispatch_pending()


def build_reminder_mail(mail: Mail) -> outbox.Message:
    reminder = (
        Reminder.objects.select_related("recipient", "cycle", "committee", "school", "period")
        .filter(pk=mail.params.get("reminder"))
        .first()
    )
    if reminder is None:
        raise outbox.NothingToSend("Påminnelsen finns inte längre.")
    return build_message(reminder)


def _progress(assessment: SelfAssessment) -> tuple[int, int]:
    missing = missing_by_area(assessment)
    return sum(1 for gaps in missing.values() if not gaps), len(missing)


def build_message(reminder: Reminder) -> outbox.Message:
    """The reminder as a plain-text and HTML email (in the language active, the recipient's)."""
    context = {"reminder": reminder, "city": settings.CITY_NAME, "site": site_url()}
    if reminder.cycle_id and reminder.school_id:
        assessment = SelfAssessment.objects.select_related("cycle", "school").get(
            cycle_id=reminder.cycle_id, school_id=reminder.school_id
        )
        done, total = _progress(assessment)
        context.update(
            assessment=assessment,
            done=done,
            total=total,
            link=site_url() + reverse("followup:assessment_detail", args=[assessment.pk]),
        )
    if reminder.kind == ReminderKind.COMMITTEE_SUMMARY:
        assessments = reminder.cycle.assessments.filter(committee_id=reminder.committee_id).select_related("school")
        context.update(
            handed_in=sum(1 for a in assessments if not a.is_pending),
            total=len(assessments),
            late=[a.school for a in assessments if a.is_pending],
            link=site_url() + reverse("followup:cycle_detail", args=[reminder.cycle_id]),
        )
    if reminder.kind == ReminderKind.REPORT_DUE:
        context["link"] = site_url() + reverse("actionplans:plan_list")
    return outbox.Message(
        subject=render_to_string("followup/email/reminder_subject.txt", context),
        text=render_to_string("followup/email/reminder.txt", context),
        html=render_to_string("followup/email/reminder.html", context),
    )
