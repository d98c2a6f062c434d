"""Celery tasks: thin adapters over the reminder and event-mail services.

The schedules are declared in one place, CELERY_BEAT_SCHEDULE in
config/settings.py, and loaded into django-celery-beat by the beat process.
Mail itself is sent by `outbox.tasks.send_mail`, queued by the outbox.
"""

from celery import shared_task
from django.utils import timezone

from followup import notifications, reminders


@shared_task
def plan_and_dispatch_reminders() -> dict:
    """Daily: write today's reminders to the outbox (queued as they are written)."""
    return {"created": reminders.reminders_plan(today=timezone.localdate())}


@shared_task
def plan_handed_in_digests() -> int:
    """Daily: each committee editor's digest of the schools that handed in."""
    return notifications.handed_in_digests_plan(today=timezone.localdate())
