"""The cache is an accelerator, never the truth: with Redis gone, a production
install reads sessions from the database and keeps answering."""

import pytest

from tests.factories import PASSWORD
from tests.gunicorn_server import Client, answers_from_every_worker, compose_cache_url, with_real_password_hash

pytestmark = pytest.mark.gunicorn


def test_with_redis_stopped_pages_log_out_and_log_in_keep_working_on_every_worker(
    start_portal, redis_server, cycle_a, org
):
    admin = org.admin
    with_real_password_hash(admin)
    # Pages that read the cache: the session, a follow-up's questions, the rendered dashboard.
    pages = [
        "/organisation/",
        f"/follow-up/{cycle_a.pk}/",
        f"/assessments/{org.assessment_a.pk}/",
        f"/dashboard/?cycle={cycle_a.pk}",
    ]
    cache_url = compose_cache_url(redis_server)
    server = start_portal(cache_url=cache_url)
    browser = Client(server)
    browser.log_in(admin.email, PASSWORD)
    for path in pages:
        assert browser.get(path).status == 200, path
    assert redis_server.keys(cache_url), "nothing was cached in Redis"

    redis_server.stop()

    # The session that was cached in Redis is read from the database, by every worker.
    answers = answers_from_every_worker(server, lambda: Client(server, browser.cookies).get("/organisation/"))
    assert {a.status for worker in answers.values() for a in worker} == {200}
    # One request at a time, on every worker in turn. That no request waits on
    # Redis (one attempt per cache operation, no retries, short timeouts) is
    # counted in tests/core/test_sessions.py.
    for _ in range(3):
        for path in pages:
            assert browser.get(path).status == 200, path

    # Log-out ends the session; the old cookie is refused by every worker.
    old_cookies = dict(browser.cookies)
    assert browser.post("/logout/", {}, token_from="/organisation/").status == 302
    refused = answers_from_every_worker(server, lambda: Client(server, old_cookies).get("/organisation/"))
    assert {a.status for worker in refused.values() for a in worker} == {302}

    # A new log-in works, and its pages answer.
    again = Client(server)
    again.log_in(admin.email, PASSWORD)
    for path in pages:
        assert again.get(path).status == 200, path
