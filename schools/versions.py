"""The organisation's version (core.versions): it changes whenever a committee or a
school unit is saved or deleted, and is part of the key of what is cached from them."""

from core import versions

NAME = "organisation"


def organisation_version() -> str:
    return versions.current(NAME)


def organisation_changed(sender=None, **kwargs) -> None:
    """Connected to every save and delete of a committee or a school unit (schools.apps)."""
    versions.changed(NAME)
