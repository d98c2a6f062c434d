"""State of the parts the portal depends on, for /healthz and the error pages."""

from django.conf import settings
from django.db import connection
from kombu import Connection


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure to reach the database means "down"
        return False
    return True


def broker_state() -> str:
    """ "ok", "down", or "eager" when tasks run in-process and no broker is used."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises several types for an unreachable broker
        return "down"
    return "ok"
