"""Versions of what the portal caches: a name ("organisation", "assessments") whose
version changes whenever what it names changes, and is part of the key of
everything cached from it, so nothing cached outlives a change.

A version is a fresh random value in the cache, not a counter: lost with the
cache, it is simply made anew, and no version is ever given twice.
"""

import uuid

from django.core.cache import cache
from django.db import transaction


def _key(name: str) -> str:
    return f"version:{name}"


def current(name: str) -> str:
    """The version of `name` now (a new one when the cache has none, or cannot be reached)."""
    return cache.get_or_set(_key(name), lambda: uuid.uuid4().hex, None) or uuid.uuid4().hex


def changed(name: str) -> None:
    """`name` has changed: a new version now, for this transaction's own reads, and another once
    it is committed, in case another request cached what it read before the commit."""
    cache.set(_key(name), uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(_key(name), uuid.uuid4().hex, None))
