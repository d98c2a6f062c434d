"""Real `celery worker` processes that send mail to a local SMTP server
(aiosmtpd) recording what it receives, for the tests of background work.

Nothing of Celery, Redis or the mail backend is mocked. The SMTP server is
also the test's lever on the worker: it can kill the worker when the Nth mail
starts, hold a mail until the test lets it go, or refuse an address.
"""

from __future__ import annotations

import asyncio
import collections
import email
import email.policy
import json
import os
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

from config.celery import app as celery_app
from core.database import database_url
from tests.celery_workers import start_worker, stop_worker

DEADLINE = 90  # seconds; generous for a loaded machine, never reached when things work


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- A local SMTP server ------------------------------------------------------


@dataclass
class Delivery:
    to: str
    rcpt_tos: tuple[str, ...]
    key: str
    subject: str = ""
    body: str = ""


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
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        with self.lock:
            self.deliveries.append(
                Delivery(
                    to=str(message["To"]),
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    key=str(message["X-Portal-Mail"]),
                    subject=str(message["Subject"]),
                    body=text.get_content() if text is not None else "",
                )
            )
        return "250 Message accepted for delivery"

    def received_keys(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(d.key for d in self.deliveries)

    def delivered(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)


@pytest.fixture
def smtp():
    server = MailServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        server.release.set()
        controller.stop()


# --- Real workers ------------------------------------------------------------------


@pytest.fixture
def workers(transactional_db, settings, redis_url, smtp, broker, tmp_path, monkeypatch):
    """Start `celery -A config worker` processes on a queue of their own, which
    is also where this process sends its tasks. They use the test database,
    the test Redis (or `broker_url`), the SMTP server above and `tmp_path` as
    MEDIA_ROOT.

    `start(claim_timeout=..., pool=..., broker_url=...)` starts one and waits
    until it answers a ping; `claim_timeout` is the mail's and the report's."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    settings.MEDIA_ROOT = tmp_path / "media"
    clients: dict[str, Celery] = {}
    started: list[SimpleNamespace] = []

    def client_for(url: str) -> Celery:
        if url not in clients:
            client = Celery("worker-test-client", broker=url, backend=url, set_as_current=False)
            # The environment's CELERY_BROKER_URL would win over broker=; these do not.
            client.conf.broker_read_url = url
            client.conf.broker_write_url = url
            clients[url] = client
        return clients[url]

    def start(*, claim_timeout: int, pool: str = "solo", broker_url: str | None = None) -> SimpleNamespace:
        url = broker_url or redis_url
        settings.MAIL_CLAIM_TIMEOUT = claim_timeout
        settings.REPORT_CLAIM_TIMEOUT = claim_timeout
        hostname = f"{queue}-{len(started) + 1}@localhost"
        log = tmp_path / f"worker-{len(started) + 1}.log"
        env = {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": url,
            "CELERY_RESULT_BACKEND": url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # What the worker queues itself (a mail after a report, the sweep's jobs) goes where it listens.
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "MAIL_CLAIM_TIMEOUT": str(claim_timeout),
            "REPORT_CLAIM_TIMEOUT": str(claim_timeout),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SITE_URL": settings.SITE_URL,
        }
        process = start_worker(queue=queue, hostname=hostname, env=env, log=log, client=client_for(url), pool=pool)
        worker = SimpleNamespace(process=process, hostname=hostname, log=log, url=url)
        started.append(worker)
        return worker

    def drain(worker) -> None:
        """Wait until the worker has run every task queued so far: one process
        takes the queue in order, so a ping sent last answers last."""
        result = client_for(worker.url).send_task("core.tasks.ping", queue=queue)
        result.get(timeout=DEADLINE)

    def logs() -> str:
        return "\n".join(f"--- {w.hostname}\n{w.log.read_text()}" for w in started)

    try:
        yield SimpleNamespace(start=start, drain=drain, logs=logs, queue=queue)
    finally:
        for worker in started:
            stop_worker(worker.process)
        for client in clients.values():
            client.close()
        forget_queue(redis_url, queue)


def forget_queue(redis_url: str, queue: str) -> None:
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


# --- A Redis of the test's own, to stop and start -----------------------------------


class OwnRedis:
    """`redis-server` on a port of its own, started and stopped by the test
    (never the shared one), without persistence."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, what=f"redis-server on port {self.port}", timeout=30)

    def _answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
