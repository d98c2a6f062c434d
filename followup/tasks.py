"""Celery tasks: thin adapters that load by id and call the reminder services.

The schedules are declared in one place, CELERY_BEAT_SCHEDULE in
config/settings.py, and loaded into django-celery-beat by the beat process.
"""

from celery import shared_task
from django.utils import timezone

from core.tasks import MAIL_RETRY
from followup import reminders


@shared_task(**MAIL_RETRY)
def send_reminder(reminder_id: int) -> str:
    """Send one reminder; safe to run twice (the row is claimed before sending)."""
    return reminders.reminder_send(reminder_id=reminder_id)


@shared_task
def plan_and_dispatch_reminders() -> dict:
    """Daily: write today's reminders to the outbox and queue them."""
    created = reminders.reminders_plan(today=timezone.localdate())
    return {"created": created, "queued": reminders.dispatch_pending()}


@shared_task
def dispatch_pending_reminders() -> int:
    """Every few minutes: queue what is still pending, e.g. after Redis was down."""
    return reminders.dispatch_pending()
