"""Start-up with nothing configured, and with bad configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "EMAIL_URL",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "CACHE_URL",
)
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "DJANGO_ALLOWED_HOSTS": "strategi.example.se",
}


def run_python(code: str, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PROJECT_VARIABLES}
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_nothing_configured_the_portal_uses_sqlite_and_eager_tasks():
    result = run_python(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, "
        "s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "sv",
        "Europe/Stockholm",
    ]


def test_with_a_database_and_a_broker_url_the_portal_uses_postgres_and_a_real_queue():
    result = run_python(
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)",
        DATABASE_URL="postgres://portal:secret@db.example:5432/portal",
        CELERY_BROKER_URL="redis://redis.example:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY"),
        ({"DATABASE_URL": "mysql://root@localhost/portal"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "amqp://guest@localhost//"}, "CELERY_BROKER_URL"),
        ({"EMAIL_URL": "pigeon://loft"}, "EMAIL_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DATABASE_CONN_MAX_AGE": "forever"}, "DATABASE_CONN_MAX_AGE"),
    ],
)
def test_a_bad_variable_stops_start_up_with_one_line_naming_it(variables, named):
    result = run_python("print('started')", **variables)
    assert result.returncode == 1
    assert "started" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {named}:")


def manage_check(*arguments: str, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PROJECT_VARIABLES}
    env.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = manage_check(
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        DATABASE_URL=os.environ["DATABASE_URL"],
        CELERY_BROKER_URL=os.environ["TEST_REDIS_URL"],
        CACHE_URL="redis://127.0.0.1:6379/2",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_debug_start_up_refuses_a_memory_cache_per_process_in_one_line_naming_cache_url():
    for cache_url in ("", "locmemcache://"):
        result = manage_check(**PRODUCTION, CACHE_URL=cache_url)
        assert result.returncode == 1
        named = [line for line in result.stderr.splitlines() if "CACHE_URL" in line]
        assert len(named) == 1, result.stderr
        assert "(portal.E001) CACHE_URL:" in named[0]
        assert "sessions" in named[0]
        assert "redis://" in named[0]


def test_the_demo_with_nothing_configured_passes_the_start_up_check_with_its_memory_cache():
    result = manage_check()
    assert result.returncode == 0, result.stderr
    assert run_python(
        "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
    ).stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "config.sessions"]


def test_with_a_redis_cache_url_sessions_and_the_cache_are_shared_and_give_way_at_once_when_redis_is_down():
    result = run_python(
        "from django.conf import settings as s; c = s.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'], sorted(c['OPTIONS'].items()))",
        CACHE_URL="redis://redis:6379/2",
    )
    assert result.returncode == 0, result.stderr
    backend, location, options = result.stdout.split(" ", 2)
    assert (backend, location) == ("django_redis.cache.RedisCache", "redis://redis:6379/2")
    assert options.strip() == str(
        [
            ("CONNECTION_POOL_CLASS", "core.cache.FailFastConnectionPool"),
            ("IGNORE_EXCEPTIONS", True),
            ("SOCKET_CONNECT_TIMEOUT", 0.5),
            ("SOCKET_TIMEOUT", 0.5),
        ]
    )
    assert manage_check(**PRODUCTION, CACHE_URL="redis://redis:6379/2").returncode == 0
