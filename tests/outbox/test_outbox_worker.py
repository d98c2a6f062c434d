"""Every mail through the outbox, sent by a real `celery worker` through Redis to a
local SMTP server (tests/worker_mail.py): with Redis down each request answers at
once, and every mail it causes arrives exactly once after Redis is back."""

from __future__ import annotations

import collections
import time

import pytest
from django.urls import reverse

from accounts.models import HandedInMail, Role
from core import jobs
from followup import notifications, services
from outbox.models import Mail, MailStatus
from tests.factories import SchoolFactory, member
from tests.worker_mail import wait_for

pytestmark = pytest.mark.worker


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def fill_in(org, assessment):
    for area in assessment.cycle.areas.all():
        data = services.AreaInput(
            level=3,
            done="Trådlöst nät i alla klassrum.",
            next_steps="Fortbildning.",
            indicator_values={i.pk: 1 for i in area.indicators.for_school(assessment.school)},
        )
        version = services.area_answer_for(assessment, area).version
        services.area_answer_save(assessment=assessment, area=area, data=data, version=version, user=org.principal_a)


def all_sent() -> bool:
    return not Mail.objects.filter(status__in=[MailStatus.PENDING, MailStatus.SENDING]).exists()


def test_with_redis_down_submit_approve_return_invite_and_remind_answer_at_once_and_every_mail_arrives_once(
    broker, workers, smtp, own_redis, client, org, cycle_a, settings
):
    settings.SITE_URL = "https://strategi.example.se"
    org.principal_b.language = "en"
    org.principal_b.save()
    org.editor_a.handed_in_mail = HandedInMail.EACH
    org.editor_a.save()
    late = SchoolFactory(committee=org.committee_a, name="Sena skolan")
    late_principal = member(Role.PRINCIPAL, school=late, email="sen.rektor@example.se")
    from followup.models import SelfAssessment

    SelfAssessment.objects.create(cycle=cycle_a, school=late, committee=org.committee_a)
    broker.use(own_redis.url)
    worker = workers.start(claim_timeout=15 * 60, broker_url=own_redis.url)
    own_redis.stop()

    # School A hands in; its committee's editor (one mail per school) is told.
    fill_in(org, org.assessment_a)
    client.force_login(org.principal_a)
    response, seconds = timed(lambda: client.post(reverse("followup:assessment_submit", args=[org.assessment_a.pk])))
    assert (response.status_code, seconds < 1) == (302, True)
    # The editor approves it; the principal is told.
    client.force_login(org.editor_a)
    response, seconds = timed(
        lambda: client.post(reverse("followup:assessment_approve", args=[org.assessment_a.pk]), {"comment": "Bra!"})
    )
    assert (response.status_code, seconds < 1) == (302, True)
    # School B (English-speaking principal) hands in and is returned with a reason.
    fill_in(org, org.assessment_b)
    services.assessment_submit(assessment=org.assessment_b, user=org.principal_b)
    # The day's digest for committee B's editor (the schedule's, at five), planned while Redis is down.
    assert notifications.handed_in_digests_plan(today=cycle_a.opens_on) == 1
    assert notifications.handed_in_digests_plan(today=cycle_a.opens_on) == 0  # once a day
    client.force_login(org.editor_b)
    response, seconds = timed(
        lambda: client.post(
            reverse("followup:assessment_return", args=[org.assessment_b.pk]), {"reason": "Fyll i nästa steg."}
        )
    )
    assert (response.status_code, seconds < 1) == (302, True)
    # The editor reminds the late school, twice (a double click), and invites a colleague.
    client.force_login(org.editor_a)
    for _click in range(2):
        response, seconds = timed(lambda: client.post(reverse("followup:remind_now", args=[cycle_a.pk])))
        assert (response.status_code, seconds < 1) == (302, True)
    response, seconds = timed(
        lambda: client.post(
            reverse("accounts:user_invite"),
            {
                "email": "ny@example.se",
                "first_name": "Ny",
                "last_name": "Rektor",
                "role": Role.PRINCIPAL,
                "school": late.pk,
            },
        )
    )
    assert (response.status_code, seconds < 1) == (302, True)

    kinds = collections.Counter(Mail.objects.values_list("kind", flat=True))
    assert kinds == {
        "followup.handed_in": 1,  # to editor A, who chose one mail per school
        "followup.approved": 1,
        "followup.returned": 1,
        "followup.reminder": 1,  # the double click wrote one
        "accounts.invitation": 1,
        "followup.handed_in_digest": 1,  # to editor B
    }
    assert set(Mail.objects.values_list("status", flat=True)) == {MailStatus.PENDING}
    assert smtp.delivered() == []

    # Redis is back: the sweep (beat, every minute) queues the outbox, twice for good measure.
    own_redis.start()
    workers.drain(worker)
    assert jobs.sweep()["mail"] == 6
    jobs.sweep()
    wait_for(all_sent, what="every mail to be sent", details=workers.logs)
    workers.drain(worker)

    assert set(Mail.objects.values_list("status", flat=True)) == {MailStatus.SENT}
    assert smtp.received_keys() == collections.Counter(dict.fromkeys(Mail.objects.values_list("key", flat=True), 1))
    by_kind = {m.kind: m for m in Mail.objects.all()}
    delivered = {d.key: d for d in smtp.delivered()}
    site = "https://strategi.example.se"

    handed_in = delivered[by_kind["followup.handed_in"].key]
    assert handed_in.to == org.editor_a.email
    assert "Skola A har lämnat in självvärderingen" in handed_in.subject
    assert f"{site}/assessments/{org.assessment_a.pk}/" in handed_in.body

    approved = delivered[by_kind["followup.approved"].key]
    assert approved.to == org.principal_a.email
    assert "är godkänd" in approved.subject
    assert "Bra!" in approved.body
    assert f"{site}/assessments/{org.assessment_a.pk}/" in approved.body

    returned = delivered[by_kind["followup.returned"].key]
    assert returned.to == org.principal_b.email
    assert "has been returned" in returned.subject  # in the principal's language
    assert "Fyll i nästa steg." in returned.body
    assert f"{site}/assessments/{org.assessment_b.pk}/" in returned.body

    digest = delivered[by_kind["followup.handed_in_digest"].key]
    assert digest.to == org.editor_b.email
    assert "Skola B" in digest.body
    assert f"{site}/assessments/{org.assessment_b.pk}/" in digest.body

    assert delivered[by_kind["followup.reminder"].key].to == late_principal.email
    invitation = delivered[by_kind["accounts.invitation"].key]
    assert invitation.to == "ny@example.se"
    assert f"{site}/password-reset/" in invitation.body
