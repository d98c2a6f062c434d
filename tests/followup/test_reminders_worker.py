"""Reminders sent by real `celery worker` processes through the test Redis to a
local SMTP server (aiosmtpd) that records what it receives.

Nothing of Celery, Redis or the mail backend is mocked. The SMTP server is
also the test's lever on the worker: it can kill the worker when the Nth mail
starts, hold a mail until the test lets it go, or refuse an address.
"""

from __future__ import annotations

import asyncio
import collections
import datetime
import email
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from config.celery import app as celery_app
from core.database import database_url
from followup import reminders
from followup.models import AssessmentStatus, Reminder, ReminderKind, ReminderStatus
from tests.celery_workers import start_worker, stop_worker
from tests.factories import SchoolFactory, followup_strategy, member, open_cycle

pytestmark = pytest.mark.worker

NOBODY_LISTENS = "redis://127.0.0.1:1/0"
DEADLINE = 90  # seconds; generous for a loaded machine, never reached when things work
CLAIM_TIMEOUT = 1  # REMINDER_CLAIM_TIMEOUT where a dead worker's claim must expire during the test


def wait_for(condition, *, what, timeout=DEADLINE, details=lambda: ""):
    """Poll `condition` until it returns something truthy; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {what}.\n{details()}")
        time.sleep(0.05)


# --- A local SMTP server ------------------------------------------------------


@dataclass
class Delivery:
    to: str
    rcpt_tos: tuple[str, ...]
    key: str


@dataclass
class MailServer:
    """An aiosmtpd handler recording every delivered message, with hooks."""

    port: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    mail_from_count: int = 0
    refuse: set[str] = field(default_factory=set)
    # (n, process): SIGKILL `process` when the n-th MAIL FROM arrives, before replying.
    kill_at: tuple[int, subprocess.Popen] | None = None
    killed: threading.Event = field(default_factory=threading.Event)
    # Hold the first MAIL FROM until `release` is set.
    hold_first: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            self.mail_from_count += 1
            n = self.mail_from_count
        if self.kill_at and n == self.kill_at[0] and not self.killed.is_set():
            process = self.kill_at[1]
            os.kill(process.pid, signal.SIGKILL)
            # Reap it before answering, blocking: with an await here the
            # server would cancel this handler as soon as the connection drops.
            process.wait(timeout=30)
            self.killed.set()
            return "421 4.3.0 The worker was killed by the test"
        if self.hold_first and n == 1:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, DEADLINE)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.deliveries.append(
                Delivery(to=message["To"], rcpt_tos=tuple(envelope.rcpt_tos), key=message["X-Portal-Reminder"])
            )
        return "250 Message accepted for delivery"

    def received_keys(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(d.key for d in self.deliveries)

    def delivered(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    server = MailServer(port=_free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        server.release.set()
        controller.stop()


# --- The broker of the test process, and real workers ----------------------------


@pytest.fixture
def workers(transactional_db, settings, redis_url, smtp, broker, tmp_path, monkeypatch):
    """Start `celery -A config worker` processes on a queue of their own, which
    is also where this process sends its tasks. They use the test database,
    the test Redis and the SMTP server above.

    `start(claim_timeout=...)` starts one and waits until it answers a ping."""
    queue = f"test-reminders-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    client = Celery("reminder-test-client", broker=redis_url, backend=redis_url, set_as_current=False)
    # The environment's CELERY_BROKER_URL would win over broker=; these do not.
    client.conf.broker_read_url = redis_url
    client.conf.broker_write_url = redis_url
    started: list[SimpleNamespace] = []

    def start(*, claim_timeout: int) -> SimpleNamespace:
        settings.REMINDER_CLAIM_TIMEOUT = claim_timeout
        hostname = f"{queue}-{len(started) + 1}@localhost"
        log = tmp_path / f"worker-{len(started) + 1}.log"
        env = {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "REMINDER_CLAIM_TIMEOUT": str(claim_timeout),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        }
        process = start_worker(queue=queue, hostname=hostname, env=env, log=log, client=client)
        worker = SimpleNamespace(process=process, hostname=hostname, log=log)
        started.append(worker)
        return worker

    def drain(worker) -> None:
        """Wait until the worker has run every task queued so far: one solo
        process takes the queue in order, so a ping sent last answers last."""
        result = client.send_task("core.tasks.ping", queue=queue)
        result.get(timeout=DEADLINE)

    def logs() -> str:
        return "\n".join(f"--- {w.hostname}\n{w.log.read_text()}" for w in started)

    try:
        yield SimpleNamespace(start=start, drain=drain, logs=logs, queue=queue)
    finally:
        for worker in started:
            stop_worker(worker.process)
        client.close()
        _forget_queue(redis_url, queue)


def _forget_queue(redis_url: str, queue: str) -> None:
    """Leave nothing of this test's queue in the shared test Redis, including
    messages a killed worker left unacknowledged."""
    r = redis.Redis.from_url(redis_url)
    try:
        for key in r.scan_iter(match=f"*{queue}*"):
            r.delete(key)
        for tag, raw in r.hgetall("unacked").items():
            try:
                _message, exchange, routing_key = json.loads(raw)
            except ValueError:
                continue
            if queue in (exchange, routing_key):
                r.hdel("unacked", tag)
                r.zrem("unacked_index", tag)
    finally:
        r.close()


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
    rows = [
        Reminder(
            key=f"manual:cycle{cycle.year}-school{school.pk}:manual-test:{principal.pk}",
            kind=ReminderKind.MANUAL,
            occasion="manual-test",
            recipient=principal,
            email=principal.email,
            cycle=cycle,
            school=school,
            committee=school.committee,
        )
        for school, principal in zip(schools, principals, strict=True)
    ]
    Reminder.objects.bulk_create(rows)
    return list(Reminder.objects.order_by("pk"))


def statuses() -> collections.Counter:
    return collections.Counter(Reminder.objects.values_list("status", flat=True))


def all_done() -> bool:
    return not Reminder.objects.filter(status__in=[ReminderStatus.PENDING, ReminderStatus.SENDING]).exists()


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
    assert statuses() == {ReminderStatus.SENT: 7, ReminderStatus.SENDING: 1, ReminderStatus.PENDING: 12}
    stuck = Reminder.objects.get(status=ReminderStatus.SENDING)
    assert stuck.key not in smtp.received_keys()

    second = workers.start(claim_timeout=CLAIM_TIMEOUT)
    # The schedule's next run: once the dead worker's claim has expired, the
    # stuck row is queued again along with whatever is still pending.
    wait_for(
        lambda: (
            Reminder.objects.to_send(stale_before=timezone.now() - datetime.timedelta(seconds=CLAIM_TIMEOUT))
            .filter(pk=stuck.pk)
            .exists()
        ),
        what="the dead worker's claim to expire",
    )
    assert reminders.dispatch_pending() >= 1
    wait_for(all_done, what="every reminder to be sent", details=lambda: f"{statuses()}\n{workers.logs()}")
    workers.drain(second)

    assert statuses() == {ReminderStatus.SENT: 20}
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

    assert statuses() == {ReminderStatus.SENT: 6}
    assert_each_sent_exactly_once(rows, smtp)
    assert smtp.mail_from_count == 6
    taken = re.findall(r"followup\.tasks\.send_reminder\[[^\]]+\] succeeded in [^:]+: 'already taken'", workers.logs())
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

    # A committee editor reminds the late schools at once (there is no view
    # for it yet; this is what the completeness page would call).
    client.force_login(org.editor_a)
    assert client.get(reverse("followup:cycle_detail", args=[org.cycle.year])).status_code == 200
    started = time.monotonic()
    assert reminders.remind_late_now(cycle=org.cycle, assessments=org.cycle.assessments.all(), user=org.editor_a) == 4
    assert reminders.dispatch_pending() == 0
    assert time.monotonic() - started < 30  # publishing gave up instead of hanging
    assert statuses() == {ReminderStatus.PENDING: 4}
    expected = list(Reminder.objects.order_by("pk"))
    assert {r.email for r in expected} == {org.principal_b.email} | {p.email for p in org.late_principals}
    assert smtp.delivered() == []

    # Redis is back: the schedule's next run queues the outbox.
    broker.use(redis_url)
    worker = workers.start(claim_timeout=15 * 60)
    assert reminders.dispatch_pending() == 4
    wait_for(all_done, what="every reminder to be sent", details=lambda: f"{statuses()}\n{workers.logs()}")
    workers.drain(worker)

    assert statuses() == {ReminderStatus.SENT: 4}
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
    assert refused.status == ReminderStatus.FAILED
    assert refused.email in refused.reason
    assert refused.attempts == 1  # recorded, not retried
    assert statuses() == {ReminderStatus.SENT: 4, ReminderStatus.FAILED: 1}
    assert_each_sent_exactly_once([r for r in rows if r.pk != refused.pk], smtp)
