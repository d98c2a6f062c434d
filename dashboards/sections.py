"""The dashboards' tables and charts as HTML, rendered once per refresh of the
summaries and kept in the cache; and the city's dashboard rendered ahead of its
first view, by the worker, after each refresh and every minute.
"""

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from core import jobs
from dashboards import charts, figures
from followup.models import Cycle

WARM_TASK = "dashboards.tasks.warm_dashboards"

# A rendered dashboard is kept this long; its key changes with every refresh of the
# summaries, so this bounds only how long a change to an action plan takes to show.
RENDERED_TIMEOUT = 60


def sections_html(scope: figures.Scope) -> SafeString:
    """The dashboard's tables and charts: from the cache, or rendered and kept."""
    key = scope.cache_key()
    body = cache.get(key)
    if body is None:
        body = _render(scope)
        cache.set(key, body, RENDERED_TIMEOUT)
    return mark_safe(body)  # noqa: S308 - rendered by our template


def _render(scope: figures.Scope) -> str:
    board = scope.build()
    return render_to_string(
        "dashboards/_sections.html",
        {
            "headline": board.headline,
            "sections": [(t, charts.svg(t.chart) if t.chart and t.rows else None) for t in board.tables],
            "query": scope.query,
        },
    )


def city_dashboards_warm(*, cycle_ids: list[int] | None = None) -> int:
    """Render the city's dashboard (all school forms) in every language into the cache, where it is
    not there already: for the given follow-ups, and always the one the dashboard opens on. The
    first person to look after a refresh then finds it drawn. Returns how many were rendered."""
    cycles = Cycle.objects.select_related("summary")
    default = cycles.first()
    wanted = list(cycles.filter(pk__in=cycle_ids or [])) + ([default] if default else [])
    rendered = 0
    for cycle in {c.pk: c for c in wanted}.values():
        scope = figures.Scope(cycle)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                key = scope.cache_key()
                if cache.get(key) is None:
                    cache.set(key, _render(scope), RENDERED_TIMEOUT)
                    rendered += 1
    return rendered


def sweep() -> int:
    """The dashboards' part of the every-minute sweep (core.jobs): queue the warming."""
    return int(jobs.publish(WARM_TASK))
