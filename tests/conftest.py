import datetime
import os
import uuid
from types import SimpleNamespace

import pytest
from celery import Celery, current_app
from django.utils import timezone, translation

from accounts.models import Role
from config.celery import app as celery_app
from core.database import database_url
from followup import cycles
from strategy.models import FocusArea
from tests.celery_workers import start_worker, stop_worker
from tests.factories import (
    CommitteeFactory,
    IndicatorFactory,
    SchoolFactory,
    StrategyFactory,
    maturity_scale,
    member,
)
from tests.gunicorn_server import Gunicorn, RedisServer, collect_static
from tests.worker_mail import own_redis, smtp, workers  # noqa: F401 (fixtures for the worker tests)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher takes a third of a second per password by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (sessions, a cycle's questions, rendered dashboards)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request leaves its language active in the thread; start each test in Swedish.
    translation.activate("sv")
    yield
    translation.deactivate()


@pytest.fixture
def org(db):
    """Two committees with a school each, and one person per kind of user.

    `principal_a` leads school A in committee A; `editor_b` edits committee B,
    which does not own school A.
    """
    committee_a = CommitteeFactory(code="A", name="Nämnd A")
    committee_b = CommitteeFactory(code="B", name="Nämnd B")
    school_a = SchoolFactory(committee=committee_a, name="Skola A", unit_code="11111111")
    school_b = SchoolFactory(committee=committee_b, name="Skola B", unit_code="22222222")
    strategy = StrategyFactory()
    return SimpleNamespace(
        strategy=strategy,
        indicator_a=IndicatorFactory(goal__focus_area__strategy=strategy, owner=committee_a, code="A1"),
        committee_a=committee_a,
        committee_b=committee_b,
        school_a=school_a,
        school_b=school_b,
        principal_a=member(Role.PRINCIPAL, school=school_a, email="rektor.a@example.se"),
        principal_b=member(Role.PRINCIPAL, school=school_b, email="rektor.b@example.se"),
        editor_a=member(Role.COMMITTEE_EDITOR, committee=committee_a, email="redaktor.a@example.se"),
        editor_b=member(Role.COMMITTEE_EDITOR, committee=committee_b, email="redaktor.b@example.se"),
        reader_a=member(Role.COMMITTEE_READER, committee=committee_a, email="lasare.a@example.se"),
        analyst=member(Role.CITY_ANALYST, email="analytiker@example.se"),
        admin=member(Role.CITY_ADMIN, email="admin@example.se"),
    )


@pytest.fixture
def cycle_a(org):
    """This year's follow-up of the org's strategy, open today, with one focus
    area; `org.assessment_a` is school A's self-assessment."""
    today = timezone.localdate()
    FocusArea.objects.filter(pk=org.indicator_a.goal.focus_area_id).update(number=1, title="Infrastruktur")
    maturity_scale(org.strategy, labels=[f"Nivå {level}" for level in (1, 2, 3, 4)])
    cycle = cycles.cycle_open(
        strategy=org.strategy,
        year=today.year,
        opens_on=today - datetime.timedelta(days=7),
        deadline=today + datetime.timedelta(days=14),
        locks_on=today + datetime.timedelta(days=30),
        user=org.admin,
    )
    org.cycle = cycle
    org.assessment_a = cycle.assessments.get(school=org.school_a)
    org.assessment_b = cycle.assessments.get(school=org.school_b)
    return cycle


@pytest.fixture
def plan_a(org):
    """Committee A's action plan with one action, and its report for a period."""
    from actionplans import services as actionplans
    from actionplans.models import Action, ActionPlan, ReportPeriod

    today = timezone.localdate()
    plan = ActionPlan.objects.create(committee=org.committee_a, strategy=org.strategy, starts_in=2025, ends_in=2028)
    action = Action.objects.create(
        plan=plan, title="Trådlöst nät", responsible="IT-samordnare", starts_on=today, ends_on=today
    )
    action.goals.set([org.indicator_a.goal])
    org.plan_a, org.action_a = plan, action
    org.period = ReportPeriod.objects.create(year=today.year, kind="t1", deadline=today + datetime.timedelta(days=10))
    actionplans.period_report_start(plan=plan, period=org.period, user=org.editor_a)
    return plan


# --- A real Celery worker ---------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    return os.environ["TEST_REDIS_URL"]


@pytest.fixture
def celery_worker_process(redis_url, tmp_path, monkeypatch):
    """A `celery worker` process of the project, consuming a queue of its own
    on the test Redis. Yields (client app, queue name, process, log)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    # Celery lets CELERY_BROKER_URL in the environment win over the argument.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_url)
    client = Celery("test-client", broker=redis_url, backend=redis_url, set_as_current=False)
    log = tmp_path / "worker.log"
    process = start_worker(
        queue=queue,
        hostname=f"{queue}@localhost",
        env={"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url, "DATABASE_URL": database_url()},
        log=log,
        client=client,
    )
    try:
        yield SimpleNamespace(client=client, queue=queue, process=process, log=log)
    finally:
        stop_worker(process)
        client.close()


@pytest.fixture
def broker(settings, monkeypatch):
    """Point the portal's Celery app (this process) at a broker, not eager:
    `broker.use(url)`. Put back as it was after the test."""
    # Shared tasks run on the *current* app; any Celery() created earlier (a
    # client, say) may have made itself current.
    previous = current_app._get_current_object()
    celery_app.set_current()

    def reset_connections():
        # The app keeps its broker connection pools; drop them so the next
        # publish connects to the URL configured now.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def use(url: str) -> None:
        # Celery lets CELERY_BROKER_URL in the environment win over its settings.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        settings.CELERY_BROKER_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        reset_connections()

    yield SimpleNamespace(use=use)
    reset_connections()
    previous.set_current()


# --- The portal as production runs it ----------------------------------------


def production_environment(**variables: str) -> dict[str, str]:
    """This process's environment with the settings of a production install,
    on plain HTTP on the loopback."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "a-long-random-test-secret-key-for-the-processes-started-here-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        **variables,
    }


@pytest.fixture(scope="session")
def production_static(tmp_path_factory):
    directory = tmp_path_factory.mktemp("static")
    collect_static(directory, production_environment())
    return directory


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own on a free port; `redis_server.stop()` kills it."""
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def start_portal(transactional_db, production_static, tmp_path):
    """`start_portal(cache_url=...)`: gunicorn with several workers against the
    test database (committed data only), stopped after the test."""
    started = []

    def start(*, cache_url: str, processes: int = 3) -> Gunicorn:
        env = production_environment(
            DATABASE_URL=database_url(), CACHE_URL=cache_url, DJANGO_STATIC_ROOT=str(production_static)
        )
        server = Gunicorn(env=env, workers=processes, log_dir=tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# --- The browser ------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ["CHROMIUM_PATH"],
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    # An English browser: the portal must still answer in Swedish until the user switches.
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Europe/Stockholm"}
