"""Background jobs as rows: one claim-and-sweep mechanism for every kind.

A job (a yearly report, a mail in the outbox) is a database row with a state.
The row, not the broker's queue, is the truth:

- publishing a task is only a hint that a job is waiting; when the broker is
  down the row stays pending and the sweep publishes it later;
- a worker *claims* the row with a conditional UPDATE that writes a fresh
  token; only the holder of the token may finish it, so a worker whose claim
  was taken over cannot overwrite the new holder's work;
- a claim older than the kind's timeout is taken again, whether its worker
  died, its message was lost or it was never queued; a message redelivered
  after its worker process died (same task id) takes its own claim back at
  once, without waiting for the timeout;
- `sweep()`, run every minute by beat (`core.tasks.sweep_jobs`), publishes
  every pending job and every job whose claim has expired.

Apps declare their kinds with `register(JobKind(...))` in their AppConfig's
`ready()`; core imports none of them.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    """How one model's rows are claimed, finished and swept.

    The model has a state field (`state_field`) with a pending and a running
    value, a `claimed_at` datetime, a `claim_token` UUID and an `attempts`
    counter. `task` is the name of the Celery task that takes the row's id
    (and the claim is checked inside it); `timeout` gives the claim timeout in
    seconds, read when used so tests and settings can change it.
    """

    name: str
    model: type[models.Model]
    task: str
    timeout: Callable[[], int]
    state_field: str = "status"
    pending: str = "pending"
    running: str = "running"
    extra: Q = field(default_factory=Q)  # further condition on due rows, e.g. "has a recipient"

    def stale_before(self) -> datetime.datetime:
        return timezone.now() - datetime.timedelta(seconds=self.timeout())

    def due(self) -> models.QuerySet:
        """Rows waiting for a worker: pending, or claimed longer ago than the timeout."""
        running = Q(**{self.state_field: self.running}) & Q(claimed_at__lt=self.stale_before())
        return self.model.objects.filter(Q(**{self.state_field: self.pending}) | running).filter(self.extra)

    def claim(self, pk: int, *, task_id: str | None = None, **updates) -> uuid.UUID | None:
        """Take the row: a conditional UPDATE, so only one claim wins. Returns the
        claim's token, or None when someone else holds a live claim or it is finished.

        `task_id` is the Celery task's id: a message redelivered because the
        process running it died carries the same id, and takes its claim back.
        """
        token = uuid.uuid4()
        claimable = Q(**{self.state_field: self.pending}) | (
            Q(**{self.state_field: self.running}) & Q(claimed_at__lt=self.stale_before())
        )
        if task_id:
            claimable |= Q(**{self.state_field: self.running}) & Q(claimed_by_task=task_id)
        won = self.model.objects.filter(claimable, pk=pk).update(
            **{self.state_field: self.running},
            claimed_at=timezone.now(),
            claim_token=token,
            claimed_by_task=task_id or "",
            attempts=F("attempts") + 1,
            **updates,
        )
        return token if won else None

    def holds(self, pk: int, token: uuid.UUID) -> models.QuerySet:
        """The row, if this token still holds its claim (empty otherwise)."""
        return self.model.objects.filter(pk=pk, claim_token=token, **{self.state_field: self.running})

    def finish(self, pk: int, token: uuid.UUID, *, state: str, **updates) -> bool:
        """End the claim with `state`; False when the claim was taken over meanwhile."""
        return bool(self.holds(pk, token).update(**{self.state_field: state}, claim_token=None, **updates))

    def release(self, pk: int, token: uuid.UUID, **updates) -> bool:
        """Give the row back as pending (a temporary failure): the sweep sends it out again."""
        return self.finish(pk, token, state=self.pending, claimed_at=None, **updates)

    def publish(self, pk: int) -> bool:
        return publish(self.task, pk)

    def publish_on_commit(self, pk: int) -> None:
        transaction.on_commit(lambda: self.publish(pk))


_KINDS: dict[str, JobKind] = {}
# Other periodic catch-up work that is not one row per job (e.g. the dashboards'
# summary backlog): a callable that publishes whatever is waiting and returns a count.
_SWEEPERS: dict[str, Callable[[], int]] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def register_sweeper(name: str, sweeper: Callable[[], int]) -> None:
    _SWEEPERS[name] = sweeper


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


def publish(task_name: str, *args) -> bool:
    """Queue a task by name without letting a broker that is down hold up the caller.

    No retries and a short connect timeout (settings), no result kept; False
    when the broker could not take it, and the row stays for the sweep.
    """
    try:
        _task(task_name).apply_async(args=args, retry=False, ignore_result=True)
    except Exception as exc:  # kombu raises several types for a broker that is down
        logger.warning("broker unavailable, task not queued", extra={"task": task_name, "error": str(exc)})
        return False
    return True


def _task(name: str):
    """The task by name, importing its module if the web process has not yet."""
    from celery import current_app

    if name not in current_app.tasks:
        importlib.import_module(name.rsplit(".", 1)[0])
    return current_app.tasks[name]


def sweep(limit: int = 1000) -> dict[str, int]:
    """Publish every due job of every kind (and run the other sweepers).

    Stops publishing a kind at the first failure: the broker is down, and the
    next sweep tries again.
    """
    counts: dict[str, int] = {}
    for name, kind in _KINDS.items():
        queued = 0
        for pk in kind.due().order_by("pk").values_list("pk", flat=True)[:limit]:
            if not kind.publish(pk):
                break
            queued += 1
        counts[name] = queued
    for name, sweeper in _SWEEPERS.items():
        counts[name] = sweeper()
    return counts
