"""Sessions: the database is the truth, the shared cache holds a short-lived copy."""

from django.contrib.sessions.models import Session

from tests.gunicorn_server import RedisServer


def redis_cache(server: RedisServer) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": server.url(2),
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
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
