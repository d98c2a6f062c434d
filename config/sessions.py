"""Sessions kept in the database, the truth, and read through the shared cache,
whose copy of a session lives a few minutes at most.

Django's `cached_db` keeps a session in the cache as long as the session lasts.
A change the cache missed while Redis was unreachable (a log-out deleting the
session, a session saved anew) would then be undone by the stale copy when Redis
comes back with its data, for hours; capped, for `SESSION_CACHE_TIMEOUT`
seconds at most.
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db


class _ShortLived:
    """The session cache with every timeout cut to `seconds`."""

    def __init__(self, cache, seconds: int):
        self._cache = cache
        self._seconds = seconds

    def _timeout(self, timeout):
        return self._seconds if timeout is None else min(timeout, self._seconds)

    def set(self, key, value, timeout=None, version=None):
        return self._cache.set(key, value, self._timeout(timeout), version=version)

    async def aset(self, key, value, timeout=None, version=None):
        return await self._cache.aset(key, value, self._timeout(timeout), version=version)

    def __contains__(self, key):
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _ShortLived(self._cache, settings.SESSION_CACHE_TIMEOUT)
