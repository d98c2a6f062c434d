"""Celery tasks of the outbox: thin adapters that take ids."""

from celery import shared_task

from core.tasks import MAIL_RETRY
from outbox import services


@shared_task(bind=True, **MAIL_RETRY)
def send_mail(self, mail_id: int) -> str:
    """Send one mail from the outbox; safe to run twice (the row is claimed first)."""
    return services.mail_send(mail_id=mail_id, task_id=self.request.id)
