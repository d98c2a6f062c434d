"""Celery tasks: thin adapters that take ids and call the services."""

from celery import shared_task

from dashboards import reports, summaries
from followup.models import Cycle


@shared_task
def refresh_summaries(cycle_id: int | None = None) -> int:
    """Bring marked schools' summaries up to date: one cycle, or every cycle with marks."""
    if cycle_id is None:
        return summaries.refresh_all_marked()
    return summaries.refresh(cycle_id)


@shared_task
def rebuild_summaries() -> int:
    """Nightly: every cycle's summaries recomputed from the answers."""
    return sum(summaries.rebuild(cycle) for cycle in Cycle.objects.all())


@shared_task(bind=True)
def build_yearly_report(self, report_id: int) -> str:
    """Build the yearly report's files; safe to run twice (the report is claimed first)."""
    return reports.report_build(report_id=report_id, task_id=self.request.id)
