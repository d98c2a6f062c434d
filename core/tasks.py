import smtplib
import socket

from celery import shared_task

from core import jobs

# Options of tasks that send mail: a mail server that is down or refuses for a
# while is tried again, waiting longer each time, for about two hours.
MAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(ignore_result=False)
def ping() -> dict:
    """Round trip through the broker: proves a worker is consuming the queue."""
    return {"pong": True, "worker_host": socket.gethostname()}


@shared_task
def sweep_jobs() -> dict:
    """Every minute: queue every job waiting for a worker (never queued, its
    message lost, or its claim expired with the worker that held it)."""
    return jobs.sweep()


def enqueue(task, *args) -> bool:
    """Queue a task without letting a broker that is down break the request.

    False when the broker could not take it; the caller's own records decide
    whether the work is tried again (see core.jobs).
    """
    return jobs.publish(task.name, *args)
