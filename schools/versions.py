"""A version of the organisation: it changes whenever a committee or a school unit
is saved or deleted, and is part of the key of what is cached from them (the
organisation's table), so nothing cached outlives a change.

The version is a fresh random value in the cache, not a counter: lost with the
cache, it is simply made anew, and a version is never given twice.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

KEY = "schools:organisation-version"


def organisation_version() -> str:
    return cache.get_or_set(KEY, lambda: uuid.uuid4().hex, None) or uuid.uuid4().hex


def organisation_changed(sender=None, **kwargs) -> None:
    """Connected to every save and delete of a committee or a school unit (schools.apps). Changed
    now for this transaction's own reads, and again once it is committed, in case another request
    cached the organisation as it was before."""
    cache.set(KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(KEY, uuid.uuid4().hex, None))
