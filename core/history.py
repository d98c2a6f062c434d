"""The change lists shown on history pages, read from django-simple-history's
records of several models at once (an assessment with its answers, a plan with
its actions and reports)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass
class Change:
    when: datetime.datetime
    who: object | None  # the user who made the change, if known
    what: str
    changes: list[tuple[str, str, str]]


def _display(record, field_name: str, value) -> str:
    """A recorded value as a person reads it: labels, names and local times, not ids."""
    if value in (None, ""):
        return "–"
    model_field = record.instance._meta.get_field(field_name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else "–"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def changes(sources: Iterable[tuple[object, Callable[[object], str]]]) -> list[Change]:
    """Recorded changes of several histories, each a (history queryset, label
    of a record) pair, newest first. Ids, versions and bookkeeping fields are left out."""
    hidden = {
        "id",
        "assessment",
        "area",
        "indicator",
        "cycle",
        "school",
        "version",
        "updated_at",
        "updated_by",
        "plan",
        "report",
        "action",
        "committee",
        "strategy",
    }
    found = []
    for records, label in sources:
        records = list(records.select_related("history_user").order_by("history_date"))
        previous_by_object: dict[int, object] = {}
        for record in records:
            before = previous_by_object.get(record.id)
            previous_by_object[record.id] = record
            if before is None:
                fields = [
                    (f.verbose_name, "–", _display(record, f.name, getattr(record, f.attname)))
                    for f in record.instance._meta.concrete_fields
                    if f.name not in hidden
                    and hasattr(record, f.attname)  # a field the history does not record
                    and getattr(record, f.attname) not in (None, "", False)
                ]
            else:
                delta = record.diff_against(before)
                fields = [
                    (
                        record.instance._meta.get_field(c.field).verbose_name,
                        _display(record, c.field, c.old),
                        _display(record, c.field, c.new),
                    )
                    for c in delta.changes
                    if c.field not in hidden and not record.instance._meta.get_field(c.field).many_to_many
                ]
            if fields:
                found.append(
                    Change(when=record.history_date, who=record.history_user, what=label(record), changes=fields)
                )
    found.sort(key=lambda c: c.when, reverse=True)
    return found
