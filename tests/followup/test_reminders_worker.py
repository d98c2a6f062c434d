"""Reminders sent by real `celery worker` processes through the test Redis to a
local SMTP server (aiosmtpd) that records what it receives (tests/worker_mail.py).

Nothing of Celery, Redis or the mail backend is mocked.
"""

from __future__ import annotations

import collections
import re
import signal
import time

import pytest
from django.urls import reverse

from accounts.models import Role
from followup import reminders
from followup.models import AssessmentStatus, Reminder, ReminderKind
from outbox.models import Mail, MailStatus
from outbox.services import MAIL_JOBS
from tests.factories import SchoolFactory, followup_strategy, member, open_cycle
from tests.worker_mail import wait_for

pytestmark = pytest.mark.worker

NOBODY_LISTENS = "redis://127.0.0.1:1/0"
CLAIM_TIMEOUT = 1  # MAIL_CLAIM_TIMEOUT where a dead worker's claim must expire during the test


# --- The outbox ------------------------------------------------------------------


def outbox(count: int) -> list[Reminder]:
    """`count` schools late with this year's self-assessment, each with its own
    principal, and a pending hand-sent reminder to each principal."""
    schools = [SchoolFactory() for _ in range(count)]
    principals = [
        member(Role.PRINCIPAL, school=school, email=f"rektor{i}@skola{i}.example.se")
        for i, school in enumerate(schools, start=1)
    ]
    cycle = open_cycle(followup_strategy())
    # Written directly, without queueing, so the test decides when they are queued.
    for school, principal in zip(schools, principals, strict=True):
        key = f"manual:cycle{cycle.year}-school{school.pk}:manual-test:{principal.pk}"
        reminder = Reminder.objects.create(
            key=key,
            kind=ReminderKind.MANUAL,
            occasion="manual-test",
            recipient=principal,
            cycle=cycle,
            school=school,
            committee=school.committee,
        )
        reminder.mail = Mail.objects.create(
            key=key,
            kind=reminders.MAIL_KIND,
            recipient=principal,
            email=principal.email,
            params={"reminder": reminder.pk},
        )
        reminder.save()
    return list(Mail.objects.order_by("pk"))


def statuses() -> collections.Counter:
    return collections.Counter(Mail.objects.values_list("status", flat=True))


def all_done() -> bool:
    return not Mail.objects.filter(status__in=[MailStatus.PENDING, MailStatus.SENDING]).exists()


def assert_each_sent_exactly_once(rows, smtp) -> None:
    assert smtp.received_keys() == collections.Counter({row.key: 1 for row in rows})
    addressed = {d.key: (d.to, d.rcpt_tos) for d in smtp.delivered()}
    assert addressed == {row.key: (row.email, (row.email,)) for row in rows}


# --- The tests -------------------------------------------------------------------


def test_killing_the_worker_in_the_middle_of_a_run_sends_every_reminder_exactly_once(broker, workers, smtp, redis_url):
    broker.use(redis_url)
    rows = outbox(20)
    first = workers.start(claim_timeout=CLAIM_TIMEOUT)
    smtp.kill_at = (8, first.process)

    assert reminders.dispatch_pending() == 20
    wait_for(smtp.killed.is_set, what="the 8th mail to kill the worker", details=workers.logs)

    # Seven went out; the eighth was claimed and never delivered; the rest wait.
    assert first.process.returncode == -signal.SIGKILL
    assert len(smtp.delivered()) == 7
    assert statuses() == {MailStatus.SENT: 7, MailStatus.SENDING: 1, MailStatus.PENDING: 12}
    stuck = Mail.objects.get(status=MailStatus.SENDING)
    assert stuck.key not in smtp.received_keys()

    second = workers.start(claim_timeout=CLAIM_TIMEOUT)
    # The schedule's next run: once the dead worker's claim has expired, the
    # stuck row is queued again along with whatever is still pending.
    wait_for(lambda: MAIL_JOBS.due().filter(pk=stuck.pk).exists(), what="the dead worker's claim to expire")
    assert reminders.dispatch_pending() >= 1
    wait_for(all_done, what="every reminder to be sent", details=lambda: f"{statuses()}\n{workers.logs()}")
    workers.drain(second)

    assert statuses() == {MailStatus.SENT: 20}
    assert_each_sent_exactly_once(rows, smtp)
    stuck.refresh_from_db()
    assert stuck.attempts == 2
    assert smtp.mail_from_count == 21  # the killed attempt and one per reminder


def test_dispatching_twice_sends_nothing_twice(broker, workers, smtp, redis_url):
    broker.use(redis_url)
    rows = outbox(6)
    worker = workers.start(claim_timeout=15 * 60)
    smtp.hold_first = True  # keep the worker inside the first mail until both dispatches are done

    assert reminders.dispatch_pending() == 6
    wait_for(smtp.holding.is_set, what="the worker to start the first mail", details=workers.logs)
    # Everything is queued again: the five pending rows; the row being sent is claimed.
    assert reminders.dispatch_pending() == 5
    smtp.release.set()
    wait_for(all_done, what="every reminder to be sent", details=lambda: f"{statuses()}\n{workers.logs()}")
    workers.drain(worker)

    assert statuses() == {MailStatus.SENT: 6}
    assert_each_sent_exactly_once(rows, smtp)
    assert smtp.mail_from_count == 6
    taken = re.findall(r"outbox\.tasks\.send_mail\[[^\]]+\] succeeded in [^:]+: 'already taken'", workers.logs())
    assert len(taken) == 5  # the duplicates ran and claimed nothing


@pytest.fixture
def late_schools(org, request):
    """Three more schools in committee A, each with a principal, then this
    year's cycle (so every one of them has a self-assessment)."""
    org.late = [SchoolFactory(committee=org.committee_a) for _ in range(3)]
    org.late_principals = [
        member(Role.PRINCIPAL, school=school, email=f"sen.rektor{i}@example.se") for i, school in enumerate(org.late)
    ]
    request.getfixturevalue("cycle_a")
    return org


def test_with_redis_down_the_web_keeps_working_and_the_outbox_is_sent_when_it_is_back(
    broker, workers, smtp, redis_url, client, late_schools
):
    org = late_schools
    broker.use(NOBODY_LISTENS)

    client.force_login(org.principal_a)
    indicator = org.cycle.indicators.get()
    response = client.post(
        reverse("followup:assessment_area", args=[org.assessment_a.pk, 1]),
        {
            "version": "0",
            "level": "2",
            "done": "Trådlöst nät i alla rum.",
            "strengths": "",
            "next_steps": "Fortbildning.",
            f"indicator_{indicator.pk}": "75",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Sparat" in response.content.decode()
    response = client.post(reverse("followup:assessment_submit", args=[org.assessment_a.pk]))
    assert response.status_code == 302
    org.assessment_a.refresh_from_db()
    assert org.assessment_a.status == AssessmentStatus.SUBMITTED

    # A committee editor reminds the late schools at once, from the follow-up's page.
    client.force_login(org.editor_a)
    assert client.get(reverse("followup:cycle_detail", args=[org.cycle.pk])).status_code == 200
    started = time.monotonic()
    response = client.post(reverse("followup:remind_now", args=[org.cycle.pk]))
    assert time.monotonic() - started < 1  # publishing gave up at once instead of hanging
    assert response.status_code == 302
    started = time.monotonic()
    assert reminders.dispatch_pending() == 0
    assert time.monotonic() - started < 1
    reminded = Mail.objects.filter(kind=reminders.MAIL_KIND)
    assert collections.Counter(reminded.values_list("status", flat=True)) == {MailStatus.PENDING: 3}
    # Committee B's school is not the editor's: the city admin reminds it.
    client.force_login(org.admin)
    client.post(reverse("followup:remind_now", args=[org.cycle.pk]))
    expected = list(reminded.order_by("pk"))
    assert len(expected) == 4
    assert {r.email for r in expected} == {org.principal_b.email} | {p.email for p in org.late_principals}
    assert smtp.delivered() == []

    # Redis is back: the schedule's next run queues the outbox.
    broker.use(redis_url)
    worker = workers.start(claim_timeout=15 * 60)
    assert reminders.dispatch_pending() >= 4
    wait_for(all_done, what="every reminder to be sent", details=lambda: f"{statuses()}\n{workers.logs()}")
    workers.drain(worker)

    assert collections.Counter(reminded.values_list("status", flat=True)) == {MailStatus.SENT: 4}
    assert_each_sent_exactly_once(expected, smtp)


def test_a_refused_address_is_recorded_and_the_rest_are_sent(broker, workers, smtp, redis_url):
    broker.use(redis_url)
    rows = outbox(5)
    refused = rows[2]
    smtp.refuse = {refused.email}
    worker = workers.start(claim_timeout=15 * 60)

    assert reminders.dispatch_pending() == 5
    wait_for(all_done, what="every reminder to be handled", details=lambda: f"{statuses()}\n{workers.logs()}")
    workers.drain(worker)

    refused.refresh_from_db()
    assert refused.status == MailStatus.FAILED
    assert refused.email in refused.reason
    assert refused.attempts == 1  # recorded, not retried
    assert statuses() == {MailStatus.SENT: 4, MailStatus.FAILED: 1}
    assert_each_sent_exactly_once([r for r in rows if r.pk != refused.pk], smtp)
