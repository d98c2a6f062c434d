"""Sessions: the database is the truth, the shared cache holds a short-lived copy."""

import socket
import time

from django.contrib.sessions.models import Session
from django_redis.cache import RedisCache

from core import cache as core_cache
from tests.gunicorn_server import RedisServer


def redis_cache(server: RedisServer) -> dict:
    """The cache as production configures a Redis one (settings.REDIS_CACHE_OPTIONS)."""
    from django.conf import settings

    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": server.url(2),
            "OPTIONS": dict(settings.REDIS_CACHE_OPTIONS),
        }
    }


def test_a_session_is_kept_in_the_database_and_in_the_cache_for_five_minutes_at_most(
    client, org, settings, redis_server
):
    settings.CACHES = redis_cache(redis_server)
    client.force_login(org.admin)
    assert client.get("/organisation/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert Session.objects.filter(session_key=key).exists()
    from django.core.cache import cache

    cached = [k for k in redis_server.keys(redis_server.url(2)) if k.endswith(key)]
    assert len(cached) == 1
    assert 0 < cache.ttl(cached[0].split(":", 2)[2]) <= 5 * 60 < settings.SESSION_COOKIE_AGE


def test_with_the_cache_unreachable_a_session_is_read_from_the_database(client, org, settings, redis_server):
    settings.CACHES = redis_cache(redis_server)
    client.force_login(org.admin)
    redis_server.stop()

    assert client.get("/organisation/").status_code == 200
    client.post("/logout/")
    assert client.get("/organisation/").status_code == 302


def test_with_redis_stopped_a_page_tries_redis_once_and_then_not_for_a_while_and_never_waits_to_retry(
    client, org, cycle_a, settings, redis_server, monkeypatch
):
    """Bounded work instead of a stopwatch: with the cache gone, the first cache
    operation makes one connection attempt, refused at once or given up after the
    connect timeout; the page's other operations, and the next pages for
    `core.cache.RETRY_AFTER` seconds, miss without trying, and nothing sleeps
    between retries. A page therefore waits at most one connect timeout."""
    settings.CACHES = redis_cache(redis_server)
    pages = ["/organisation/", f"/follow-up/{cycle_a.pk}/", f"/assessments/{org.assessment_a.pk}/"]
    client.force_login(org.admin)
    for path in pages:
        assert client.get(path).status_code == 200
    redis_server.stop()

    attempts, operations, sleeps = [], [], []
    connect = socket.socket.connect
    now = [time.monotonic()]

    def counted_connect(sock, address):
        if isinstance(address, tuple) and address[1] == redis_server.port:
            attempts.append(address)
        return connect(sock, address)

    def counted(name):
        operation = getattr(RedisCache, name)

        def run(cache, *args, **kwargs):
            operations.append(name)
            return operation(cache, *args, **kwargs)

        return run

    monkeypatch.setattr(socket.socket, "connect", counted_connect)
    for name in ("get", "set", "add", "delete", "get_many", "set_many", "delete_many", "touch", "incr"):
        monkeypatch.setattr(RedisCache, name, counted(name))
    monkeypatch.setattr(time, "sleep", sleeps.append)
    monkeypatch.setattr(core_cache.time, "monotonic", lambda: now[0])
    for n, path in enumerate(pages * 2):
        attempts.clear()
        operations.clear()
        assert client.get(path).status_code == 200, path
        assert len(operations) >= 2, (path, operations)  # the session, the roles, the page's own
        assert len(attempts) == (1 if n in (0, len(pages)) else 0), (path, len(attempts))
        if n == len(pages) - 1:
            now[0] += core_cache.RETRY_AFTER  # then Redis is tried again, once
    assert sleeps == []
