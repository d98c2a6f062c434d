"""Summaries brought up to date by a real `celery worker` process through the
test Redis, against the test database. Nothing of Celery or Redis is mocked."""

import time

import pytest

from config.celery import app as celery_app
from dashboards import summaries
from dashboards.models import Rollup, SchoolResult, SummaryBacklog
from followup import services
from followup.models import AssessmentStatus
from tests.factories import followup_strategy, open_cycle

pytestmark = pytest.mark.worker

WITHIN = 60  # seconds a change may take to reach the dashboards


@pytest.fixture
def worker(transactional_db, celery_worker_process, monkeypatch):
    """A worker process on the test database; this process queues its tasks where that worker listens."""
    monkeypatch.setitem(celery_app.conf, "task_default_queue", celery_worker_process.queue)
    return celery_worker_process


def hand_in(cycle, assessment, user):
    """Fill in every area and submit, each step committed as the web does it."""
    for area in cycle.areas.all():
        data = services.AreaInput(
            level=3,
            done="Trådlöst nät i alla klassrum.",
            next_steps="Fortbildning i formativ bedömning.",
            indicator_values={i.pk: 1 for i in area.indicators.for_school(assessment.school)},
        )
        version = services.area_answer_for(assessment, area).version
        services.area_answer_save(assessment=assessment, area=area, data=data, version=version, user=user)
    assert services.assessment_submit(assessment=assessment, user=user) is True


def submitted_in_city(cycle) -> bool:
    city = Rollup.objects.filter(cycle=cycle, key="city||*").first()
    return city is not None and city.statuses.get(AssessmentStatus.SUBMITTED) == 1


def seconds_until(condition, *, worker) -> int:
    """Poll the database once a second until `condition()`; fail after WITHIN seconds."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > WITHIN:
            pytest.fail(f"Not on the dashboards after {WITHIN}s.\n{worker.log.read_text()}")
        time.sleep(1)
    return round(time.monotonic() - started)


@pytest.mark.django_db(transaction=True)
def test_a_committed_submission_reaches_the_citys_rollup_within_a_minute(worker, broker, org, redis_url):
    broker.use(redis_url)
    cycle = open_cycle(followup_strategy(), user=org.admin)
    assessment = cycle.assessments.get(school=org.school_a)

    hand_in(cycle, assessment, org.principal_a)
    seconds = seconds_until(lambda: submitted_in_city(cycle), worker=worker)
    print(f"The submission was on the city's dashboard after {seconds} s.")

    result = SchoolResult.objects.get(cycle=cycle, school=org.school_a)
    assert (result.status, result.levels) == (AssessmentStatus.SUBMITTED, {"1": 3, "2": 3})
    city = Rollup.objects.get(cycle=cycle, key="city||*")
    assert (city.schools, city.areas["1"]["n"], city.areas["1"]["sum"]) == (2, 1, 3)
    assert not SummaryBacklog.objects.exists()
    assert "dashboards.tasks.refresh_summaries" in worker.log.read_text()


@pytest.mark.django_db(transaction=True)
def test_the_minute_refresh_picks_up_marks_written_while_the_broker_was_down(worker, org, monkeypatch):
    cycle = open_cycle(followup_strategy(), user=org.admin)  # still eager: summarised in this process
    assert SchoolResult.objects.filter(cycle=cycle).count() == 2
    # The broker is down: publishing fails, as core.jobs.publish reports it (without its
    # connection timeout). The mark is committed with the submission all the same.
    monkeypatch.setattr(summaries.jobs, "publish", lambda task_name, *args: False)
    hand_in(cycle, cycle.assessments.get(school=org.school_a), org.principal_a)
    assert list(SummaryBacklog.objects.values_list("school_id", flat=True)) == [org.school_a.pk]
    assert not submitted_in_city(cycle)

    # What beat sends every minute: no cycle id, every cycle with marks.
    worker.client.send_task("dashboards.tasks.refresh_summaries", queue=worker.queue)
    seconds = seconds_until(lambda: submitted_in_city(cycle), worker=worker)
    print(f"The schedule's refresh brought the submission to the dashboard after {seconds} s.")

    assert SchoolResult.objects.get(cycle=cycle, school=org.school_a).status == AssessmentStatus.SUBMITTED
    assert not SummaryBacklog.objects.exists()
