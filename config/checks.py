"""Start-up checks of the portal's own configuration (run by `manage.py check`,
`migrate` and `runserver`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Caches that live in one process's memory: each gunicorn worker and each Celery
# worker would have its own, so a log-out or a change seen by one is not seen by
# the others.
PER_PROCESS_BACKENDS = {"django.core.cache.backends.locmem.LocMemCache"}
CACHED_SESSION_ENGINES = {
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
    "config.sessions",
}


@register(Tags.caches)
def shared_cache_check(app_configs, **kwargs) -> list[Error]:
    """In production every cache must be shared by all processes: sessions and
    everything else cached (a follow-up's questions, rendered dashboards) would
    otherwise be stale in every process but the one that changed them."""
    if settings.DEBUG:
        return []
    errors = []
    for alias, config in settings.CACHES.items():
        if config["BACKEND"] not in PER_PROCESS_BACKENDS:
            continue
        holds_sessions = settings.SESSION_ENGINE in CACHED_SESSION_ENGINES and alias == settings.SESSION_CACHE_ALIAS
        errors.append(
            Error(
                f"CACHE_URL: the {alias!r} cache{' (sessions)' if holds_sessions else ''} is a memory cache of its "
                "own in each process, so a log-out in one process is not seen by the others; with DJANGO_DEBUG=false "
                "set CACHE_URL to a Redis database that every process shares, e.g. redis://redis:6379/2.",
                id="portal.E001",
            )
        )
    return errors
