import socket

from celery import shared_task


@shared_task
def ping() -> dict:
    """Round trip through the broker: proves a worker is consuming the queue."""
    return {"pong": True, "worker_host": socket.gethostname()}
