import logging
import smtplib
import socket

from celery import shared_task

logger = logging.getLogger(__name__)

# Options of tasks that send mail: a mail server that is down or refuses for a
# while is tried again, waiting longer each time, for about two hours.
MAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task
def ping() -> dict:
    """Round trip through the broker: proves a worker is consuming the queue."""
    return {"pong": True, "worker_host": socket.gethostname()}


def enqueue(task, *args) -> bool:
    """Queue a task without letting a broker that is down break the request.

    False when the broker could not take it; the caller's own records decide
    whether the work is tried again.
    """
    try:
        task.apply_async(args=args, retry=False)
    except Exception as exc:  # kombu raises several types for a broker that is down
        logger.warning("broker unavailable, task not queued", extra={"task": task.name, "error": str(exc)})
        return False
    return True
