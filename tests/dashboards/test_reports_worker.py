"""The yearly report built by real `celery worker` processes through Redis, when
the worker dies under it and when Redis is down (tests/worker_mail.py).

Nothing of Celery, Redis or the mail backend is mocked. The sweep is what beat
runs every minute (`core.tasks.sweep_jobs`); the test queues it itself instead
of waiting for the minute.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.urls import reverse

from core import jobs
from dashboards import reports, summaries
from dashboards.models import ReportStatus, YearlyReport
from tests.celery_workers import pool_children
from tests.factories import followup_strategy, open_cycle
from tests.worker_mail import wait_for

pytestmark = pytest.mark.worker

CLAIM_TIMEOUT = 5  # seconds: REPORT_CLAIM_TIMEOUT in these tests
SWEEP_INTERVAL = 60  # seconds between two runs of the sweep (CELERY_BEAT_SCHEDULE)


@pytest.fixture
def cycle(org):
    cycle = open_cycle(followup_strategy(), user=org.admin)
    summaries.rebuild(cycle)
    return cycle


def ask_for_the_report(client, org, cycle) -> tuple[YearlyReport, float]:
    """The analyst asks for the year's report; returns it and the seconds the request took."""
    client.force_login(org.analyst)
    started = time.monotonic()
    response = client.post(reverse("dashboards:report_list"), {"cycle": cycle.pk})
    seconds = time.monotonic() - started
    assert response.status_code == 302
    return YearlyReport.objects.get(), seconds


def report_state(report) -> str:
    report.refresh_from_db()
    return f"{report.status} {report.progress} % ({report.step}), attempts {report.attempts}"


def built_once(report, smtp, media) -> None:
    """Done, four files on disk (PDF, PDF/A, workbook and Word), and one mail to the requester."""
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.progress == 100
    files = sorted(p.name for p in (media / "yearly-reports").iterdir())
    assert files == [
        f"arsrapport-{report.cycle.year}-{report.pk}-pdfa.pdf",
        f"arsrapport-{report.cycle.year}-{report.pk}.docx",
        f"arsrapport-{report.cycle.year}-{report.pk}.pdf",
        f"arsrapport-{report.cycle.year}-{report.pk}.xlsx",
    ]
    key = f"report-ready:{report.pk}:{report.requested_by_id}"
    wait_for(lambda: smtp.received_keys()[key] >= 1, what="the report-ready mail")
    assert smtp.received_keys() == {key: 1}
    assert smtp.delivered()[0].to == report.requested_by.email
    assert reverse("dashboards:report_detail", args=[report.pk]) in smtp.delivered()[0].body


def running(report) -> bool:
    return YearlyReport.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).exists()


def test_killing_the_pool_child_mid_report_builds_the_report_once(
    broker, workers, smtp, redis_url, client, org, cycle, settings
):
    broker.use(redis_url)
    worker = workers.start(claim_timeout=CLAIM_TIMEOUT, pool="prefork")
    report, _seconds = ask_for_the_report(client, org, cycle)
    wait_for(lambda: running(report), what="the worker to start the report", timeout=60, details=workers.logs)
    children = pool_children(worker.process)
    assert children
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING, "the report was finished before the child was killed"

    # The message comes back (the child was lost) with the same task id: it takes its own claim back.
    wait_for(
        lambda: YearlyReport.objects.filter(pk=report.pk, status=ReportStatus.DONE).exists(),
        what="the report to be built",
        timeout=SWEEP_INTERVAL + CLAIM_TIMEOUT,
        details=lambda: f"{report_state(report)}\n{workers.logs()}",
    )
    print(f"Built {time.monotonic() - killed_at:.1f} s after the pool child was killed.")
    workers.drain(worker)
    built_once(report, smtp, settings.MEDIA_ROOT)
    assert report.attempts == 2
    assert "already taken" not in workers.logs()


def test_killing_the_whole_worker_mid_report_builds_the_report_once(
    broker, workers, smtp, redis_url, client, org, cycle, settings
):
    broker.use(redis_url)
    first = workers.start(claim_timeout=CLAIM_TIMEOUT)
    report, _seconds = ask_for_the_report(client, org, cycle)
    wait_for(lambda: running(report), what="the worker to start the report", timeout=60, details=workers.logs)
    first.process.kill()
    first.process.wait(timeout=30)
    killed_at = time.monotonic()
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING, "the report was finished before the worker was killed"
    assert not reports.REPORT_JOBS.due().filter(pk=report.pk).exists()  # the dead worker's claim is still live

    # Its message waits unacknowledged for Redis' visibility timeout (hours). A new
    # worker starts; the sweep queues the report again once the dead claim has expired.
    second = workers.start(claim_timeout=CLAIM_TIMEOUT)
    wait_for(
        lambda: reports.REPORT_JOBS.due().filter(pk=report.pk).exists(),
        what="the dead worker's claim to expire",
        timeout=CLAIM_TIMEOUT + 5,
    )
    assert jobs.publish("core.tasks.sweep_jobs")  # what beat does every minute
    wait_for(
        lambda: YearlyReport.objects.filter(pk=report.pk, status=ReportStatus.DONE).exists(),
        what="the report to be built",
        details=lambda: f"{report_state(report)}\n{workers.logs()}",
    )
    seconds = time.monotonic() - killed_at
    print(f"Built {seconds:.1f} s after the worker was killed.")
    assert seconds < SWEEP_INTERVAL + CLAIM_TIMEOUT
    workers.drain(second)
    built_once(report, smtp, settings.MEDIA_ROOT)
    assert report.attempts == 2


def test_a_report_asked_for_while_redis_is_down_is_built_when_it_is_back(
    broker, workers, smtp, own_redis, client, org, cycle, settings
):
    broker.use(own_redis.url)
    worker = workers.start(claim_timeout=15 * 60, broker_url=own_redis.url)
    own_redis.stop()

    report, seconds = ask_for_the_report(client, org, cycle)
    assert seconds < 1
    assert report.status == ReportStatus.QUEUED
    page = client.get(reverse("dashboards:report_detail", args=[report.pk])).content.decode()
    assert "Väntar på att byggas" in page
    started = time.monotonic()
    # Beat with Redis down: nothing queued.
    assert jobs.sweep() == {"mail": 0, "yearly-report": 0, "summaries": 0, "dashboards": 0}
    assert time.monotonic() - started < 1

    own_redis.start()  # on the same port: the worker reconnects
    workers.drain(worker)
    assert jobs.sweep()["yearly-report"] == 1  # the next run of the sweep
    wait_for(
        lambda: YearlyReport.objects.filter(pk=report.pk, status=ReportStatus.DONE).exists(),
        what="the report to be built",
        details=lambda: f"{report_state(report)}\n{workers.logs()}",
    )
    workers.drain(worker)
    built_once(report, smtp, settings.MEDIA_ROOT)
    assert report.attempts == 1
