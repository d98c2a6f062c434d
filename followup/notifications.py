"""Mail about the events people wait for, through the outbox.

- returned: to the school's principals, with the reason;
- approved: to the school's principals, with the comment;
- handed in: to the committee's editors, as one digest a day (`handed_in_digests_plan`,
  scheduled), or one mail per school for editors who chose so in their profile.

Each mail's key names the recipient and the occasion (the assessment and the
moment of the event), so nothing is written twice; the outbox sends it once.
They are written in the transaction that makes the change, so a change that
is rolled back sends nothing.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import HandedInMail, Membership, Role
from core.site import site_url
from followup.models import HANDED_IN_STATUSES, SelfAssessment
from outbox import services as outbox
from outbox.models import Mail

RETURNED = "followup.returned"
APPROVED = "followup.approved"
HANDED_IN = "followup.handed_in"
HANDED_IN_DIGEST = "followup.handed_in_digest"
DIGEST_LOOKBACK = datetime.timedelta(days=7)  # the first digest covers at most a week


def _principals(school_id: int) -> list:
    return [
        m.user
        for m in Membership.objects.filter(role=Role.PRINCIPAL, school_id=school_id).select_related("user")
        if m.user.is_active
    ]


def _editors(committee_id: int, preference: str) -> list:
    return [
        m.user
        for m in Membership.objects.filter(role=Role.COMMITTEE_EDITOR, committee_id=committee_id).select_related("user")
        if m.user.is_active and m.user.handed_in_mail == preference
    ]


def _stamp(moment: datetime.datetime | None) -> str:
    return f"{moment:%Y%m%d%H%M%S%f}" if moment else "0"


def assessment_returned(*, assessment: SelfAssessment, by) -> None:
    """The principals learn their self-assessment came back, and why."""
    outbox.mail_queue(
        mails=[
            outbox.Outgoing(
                key=f"returned:{assessment.pk}:{_stamp(assessment.reviewed_at)}:{user.pk}",
                kind=RETURNED,
                recipient=user,
                params={"assessment": assessment.pk, "reason": assessment.return_reason, "by": str(by)},
                created_by=by,
            )
            for user in _principals(assessment.school_id)
        ]
    )


def assessment_approved(*, assessment: SelfAssessment, by) -> None:
    """The principals learn their self-assessment is approved."""
    outbox.mail_queue(
        mails=[
            outbox.Outgoing(
                key=f"approved:{assessment.pk}:{_stamp(assessment.reviewed_at)}:{user.pk}",
                kind=APPROVED,
                recipient=user,
                params={"assessment": assessment.pk, "comment": assessment.approval_comment, "by": str(by)},
                created_by=by,
            )
            for user in _principals(assessment.school_id)
        ]
    )


def assessment_handed_in(*, assessment: SelfAssessment, by) -> None:
    """Editors who asked for one mail per school get it now; the others get the day's digest."""
    outbox.mail_queue(
        mails=[
            outbox.Outgoing(
                key=f"handed-in:{assessment.pk}:{_stamp(assessment.submitted_at)}:{user.pk}",
                kind=HANDED_IN,
                recipient=user,
                params={"assessment": assessment.pk, "by": str(by)},
                created_by=by,
            )
            for user in _editors(assessment.committee_id, HandedInMail.EACH)
        ]
    )


def handed_in_digests_plan(*, today: datetime.date) -> int:
    """One mail per committee editor (who wants the digest) listing the schools of
    their committees that handed in since their previous digest. At most one a day;
    an editor with nothing new gets nothing."""
    now = timezone.now()
    editors: dict[int, tuple] = {}
    for m in Membership.objects.filter(role=Role.COMMITTEE_EDITOR).select_related("user"):
        if m.user.is_active and m.user.handed_in_mail == HandedInMail.DIGEST:
            editors.setdefault(m.user_id, (m.user, set()))[1].add(m.committee_id)
    mails = []
    for user, committees in editors.values():
        previous = (
            Mail.objects.filter(kind=HANDED_IN_DIGEST, recipient=user)
            .order_by("-created_at")
            .values_list("params__until", flat=True)
        ).first()
        since = datetime.datetime.fromisoformat(previous) if previous else now - DIGEST_LOOKBACK
        handed_in = list(
            SelfAssessment.objects.filter(
                committee_id__in=committees,
                status__in=HANDED_IN_STATUSES,
                submitted_at__gt=since,
                submitted_at__lte=now,
            )
            .order_by("submitted_at")
            .values_list("pk", flat=True)
        )
        if handed_in:
            mails.append(
                outbox.Outgoing(
                    key=f"handed-in-digest:{today.isoformat()}:{user.pk}",
                    kind=HANDED_IN_DIGEST,
                    recipient=user,
                    params={"assessments": handed_in, "until": now.isoformat()},
                )
            )
    return len(outbox.mail_queue(mails=mails))


# --- The messages ------------------------------------------------------------------


def _assessment(mail: Mail) -> SelfAssessment:
    assessment = (
        SelfAssessment.objects.select_related("cycle", "school", "committee").filter(pk=mail.params.get("assessment"))
    ).first()
    if assessment is None:
        raise outbox.NothingToSend("Självvärderingen finns inte längre.")
    return assessment


def _link(assessment: SelfAssessment) -> str:
    return site_url() + reverse("followup:assessment_detail", args=[assessment.pk])


def _render(name: str, context: dict) -> outbox.Message:
    context = {"city": settings.CITY_NAME, **context}
    return outbox.Message(
        subject=render_to_string(f"followup/email/{name}_subject.txt", context),
        text=render_to_string(f"followup/email/{name}.txt", context),
    )


def build_returned(mail: Mail) -> outbox.Message:
    assessment = _assessment(mail)
    return _render(
        "returned",
        {
            "assessment": assessment,
            "reason": mail.params.get("reason", ""),
            "by": mail.params.get("by", ""),
            "link": _link(assessment),
        },
    )


def build_approved(mail: Mail) -> outbox.Message:
    assessment = _assessment(mail)
    return _render(
        "approved",
        {
            "assessment": assessment,
            "comment": mail.params.get("comment", ""),
            "by": mail.params.get("by", ""),
            "link": _link(assessment),
        },
    )


def build_handed_in(mail: Mail) -> outbox.Message:
    assessment = _assessment(mail)
    return _render("handed_in", {"assessment": assessment, "link": _link(assessment)})


def build_handed_in_digest(mail: Mail) -> outbox.Message:
    assessments = list(
        SelfAssessment.objects.filter(pk__in=mail.params.get("assessments", []))
        .select_related("cycle", "school", "committee")
        .order_by("committee__name", "school__name")
    )
    if not assessments:
        raise outbox.NothingToSend("Självvärderingarna finns inte längre.")
    rows = [(a, _link(a)) for a in assessments]
    return _render("handed_in_digest", {"rows": rows, "count": len(rows)})


def register() -> None:
    outbox.register_builder(RETURNED, build_returned)
    outbox.register_builder(APPROVED, build_approved)
    outbox.register_builder(HANDED_IN, build_handed_in)
    outbox.register_builder(HANDED_IN_DIGEST, build_handed_in_digest)
