"""Log-out ends the session in every process of a production install."""

import pytest

from accounts.models import Role
from tests.factories import PASSWORD, member
from tests.gunicorn_server import Client, answers_from_every_worker, compose_cache_url, with_real_password_hash

pytestmark = pytest.mark.gunicorn


def test_after_log_out_the_old_session_cookie_is_refused_by_every_gunicorn_worker(start_portal, redis_server):
    admin = member(Role.CITY_ADMIN, email="admin@example.se")
    with_real_password_hash(admin)
    cache_url = compose_cache_url(redis_server)
    server = start_portal(cache_url=cache_url)
    browser = Client(server)
    browser.log_in(admin.email, PASSWORD)
    old_cookies = dict(browser.cookies)

    # Every worker has read (and so may have cached) the session.
    before = answers_from_every_worker(server, lambda: Client(server, old_cookies).get("/organisation/"))
    assert {pid: {a.status for a in answers} for pid, answers in before.items()} == {pid: {200} for pid in before}
    assert any("django.contrib.sessions" in key for key in redis_server.keys(cache_url)), "sessions are not in Redis"

    assert browser.post("/logout/", {}, token_from="/organisation/").status == 302

    after = answers_from_every_worker(server, lambda: Client(server, old_cookies).get("/organisation/"))
    statuses = {pid: sorted({(a.status, a.location) for a in answers}) for pid, answers in after.items()}
    assert statuses == {pid: [(302, "/login/?next=/organisation/")] for pid in after}
