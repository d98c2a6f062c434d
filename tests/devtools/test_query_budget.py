"""Every main page reads the database a fixed, small number of times, whatever
the size of the city: the same count on a city of six schools and on one four
times larger with an extra year, and never more than the page's budget."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from devtools import benchmark, scale

pytestmark = pytest.mark.slow

SMALLER = scale.Scale(committees=2, schools_per_committee=3, years=2)
LARGER = scale.Scale(committees=4, schools_per_committee=6, years=3)

# (warm, cold): queries per page with the cache warm, and on the first view
# after the cache was emptied (the session, the user's roles and the summaries
# read again). At or below what the pages take today; lower them when a page gets
# cheaper. With the cache warm every page reads the user and then only its own data:
# the roles come from the cache under the version on the user row, and committee
# staff's own committee comes with them. The city's dashboard reads its computed
# indicators in two queries more when it is drawn (the indicators with their targets,
# then one row per committee counted by the database), a committee's in one.
BUDGET = {
    "dashboard, city": (3, 9),
    "dashboard, committee": (3, 10),
    "dashboard, school": (4, 10),  # the school is read with the committee its assessment records
    "principal's form page": (5, 10),
    "self-assessment": (4, 9),
    "follow-up list": (3, 6),  # the city office's counts from the cache until a status changes
    "follow-up, who has handed in": (6, 8),
    "organisation": (2, 4),
    "committee": (4, 6),
    "action plans": (3, 5),
    "action plan": (7, 9),
}


def queries_per_page(size: scale.Scale) -> dict[str, int]:
    scale.generate(size, seed=1, say=lambda _message: None)
    analyst, editor, principal = benchmark._user(0), benchmark._user(2), benchmark._user(3)
    counted = {}
    clients: dict[int, Client] = {}
    for name, user, method, path, data, headers in benchmark.main_pages(analyst, editor, principal):
        client = clients.setdefault(user.pk, Client())
        client.force_login(user)
        for warm in (False, True):
            if not warm:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = getattr(client, method)(path, data=data, headers=headers or {})
            assert response.status_code == 200, (name, response.status_code)
            counted[name if warm else f"{name}, cold cache"] = len(queries)
    return counted


def test_every_main_page_keeps_its_query_budget_and_the_count_does_not_grow_with_the_city(db):
    with transaction.atomic():  # the smaller city, then gone again
        smaller = queries_per_page(SMALLER)
        transaction.set_rollback(True)
    cache.clear()
    larger = queries_per_page(LARGER)

    assert set(smaller) == {*BUDGET, *(f"{name}, cold cache" for name in BUDGET)}
    for name, (warm, cold) in BUDGET.items():
        assert larger[name] <= warm, (name, larger[name], warm)
        assert larger[f"{name}, cold cache"] <= cold, (name, larger[f"{name}, cold cache"], cold)
    assert larger == smaller
