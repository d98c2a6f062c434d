import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_database_and_eager_tasks_as_healthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}


def test_healthz_reports_a_reachable_broker(client, db, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


DATABASE_DOWN_SCRIPT = """
import django
django.setup()
from django.test import Client
client = Client()
health = client.get("/healthz")
print(health.status_code, health.json()["database"])
login = client.post("/login/", {"username": "rektor@example.se", "password": "x"})
print(login.status_code, login["Retry-After"])
print(login.content.decode())
"""


@pytest.mark.slow  # collects the static files and starts the portal in processes of their own
def test_a_database_that_is_down_gives_503_and_a_clear_page_not_a_traceback(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "test-secret-key-that-is-long-enough-for-production-use-0123456789",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "CRITICAL",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    result = subprocess.run(
        [sys.executable, "-c", DATABASE_DOWN_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    health, login, *page = result.stdout.splitlines()
    assert health == "503 down"
    assert login == "503 60"
    page = "\n".join(page)
    assert "Portalen är tillfälligt otillgänglig" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
