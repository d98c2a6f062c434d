"""Celery tasks: thin adapters that take ids and call the services."""

from celery import shared_task

from dashboards import reports, sections, summaries
from followup.models import Cycle


@shared_task
def refresh_summaries(cycle_id: int | None = None) -> int:
    """Bring marked schools' summaries up to date: one cycle, or every cycle with marks;
    then draw the city's dashboard of what changed, before anyone asks for it."""
    refreshed = summaries.refresh_all_marked() if cycle_id is None else summaries.refresh(cycle_id)
    if refreshed:
        sections.city_dashboards_warm(cycle_ids=[cycle_id] if cycle_id else None)
    return refreshed


@shared_task
def rebuild_summaries() -> int:
    """Nightly: every cycle's summaries recomputed from the answers."""
    rebuilt = sum(summaries.rebuild(cycle) for cycle in Cycle.objects.all())
    sections.city_dashboards_warm()
    return rebuilt


@shared_task
def warm_dashboards() -> int:
    """Every minute (the sweep): the city's dashboard drawn again once its drawing has expired."""
    return sections.city_dashboards_warm()


@shared_task(bind=True)
def build_yearly_report(self, report_id: int) -> str:
    """Build the yearly report's files; safe to run twice (the report is claimed first)."""
    return reports.report_build(report_id=report_id, task_id=self.request.id)
