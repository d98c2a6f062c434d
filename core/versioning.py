"""One versioned save for everything edited in a form: an area's answer with
its indicator values, an action plan, an action and a period report.

Each editable thing is read as a *snapshot*: a dict from its form's field names
to the values stored. The form carries the version it was read at and that
snapshot (the *base*). Saving compares three snapshots:

- the stored version is still the form's version: the user's values are written;
- someone saved in between, but the two edits touched different fields: the
  user's changed fields are written on top of theirs (a merge), without asking;
- both changed the same field differently: nothing is written and the caller
  shows both versions (a conflict), until the user keeps theirs or theirs is
  kept on purpose with `keep_mine` naming the version that was shown.

Every write is recorded by django-simple-history, so a version saved over is
still in the history.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

SAVED, MERGED, CONFLICT = "saved", "merged", "conflict"


def plain(value: Any) -> Any:
    """A stored or typed value as JSON compares it: 85.00 and 85 alike, dates as
    ISO text, a set of goals as its sorted ids, a model as its id."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize())
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset, models.QuerySet)):
        return sorted(plain(v) for v in value)
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


def plain_dict(values: dict) -> dict:
    return {name: plain(value) for name, value in values.items()}


@dataclass
class Outcome:
    """What a versioned save did.

    `stored` is the snapshot now stored (after a save or a merge) or theirs (on
    a conflict); `theirs_applied` names the fields a merge took from the other
    edit, `differing` the fields that differ on a conflict; `by` and `at` say
    who made the other edit in a conflict or a merge. True unless a conflict.
    """

    state: str
    version: int
    stored: dict
    stored_plain: dict
    theirs_applied: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)
    by: Any = None
    at: datetime.datetime | None = None
    same_user: bool = False

    def __bool__(self) -> bool:
        return self.state != CONFLICT

    @property
    def conflict(self) -> bool:
        return self.state == CONFLICT


def _last_edit(row: models.Model) -> tuple[Any, datetime.datetime | None]:
    """Who saved the row last and when: its own columns, or else its history."""
    if getattr(row, "updated_by_id", None) is not None:
        return row.updated_by, row.updated_at
    record = row.history.order_by("-history_date", "-history_id").first() if row.pk else None
    return (record.history_user, record.history_date) if record else (None, None)


def versioned_save(
    *,
    lock: Callable[[], models.Model],
    read: Callable[[models.Model], dict],
    write: Callable[[models.Model, dict], None],
    values: dict,
    base: dict | None,
    version: int,
    user,
    keep_mine: int | None = None,
) -> Outcome:
    """Save `values` (a snapshot of the fields the form edits) on the row `lock()`
    returns (locked with SELECT FOR UPDATE, or new and unsaved with version 0).

    `read(row)` gives the row's snapshot; `write(row, changes)` sets and saves
    the changed fields (the row's version, `updated_at` and `updated_by` and
    the history user are already set). `base` is the snapshot the form was read
    from (plain values, as the form posts it); `keep_mine` the version shown in
    a conflict that the user chose to save over.
    """
    with transaction.atomic():
        row = lock()
        stored_version = row.version
        by, at = None, None
        theirs = read(row)
        mine_plain, theirs_plain = plain_dict(values), plain_dict(theirs)
        applied: list[str] = []
        if version == stored_version or (keep_mine is not None and keep_mine == stored_version):
            changes = {f: values[f] for f in values if mine_plain[f] != theirs_plain.get(f)}
            state = SAVED
        else:
            by, at = _last_edit(row)  # the other edit's, named in the conflict or the merge
            base = base if isinstance(base, dict) else None
            mine_changed = {f for f in values if base is None or mine_plain[f] != base.get(f)}
            theirs_changed = {f for f in theirs_plain if base is None or theirs_plain[f] != base.get(f)}
            clash = [f for f in mine_changed & theirs_changed if mine_plain[f] != theirs_plain.get(f)]
            if base is None or clash:
                return Outcome(
                    state=CONFLICT,
                    version=stored_version,
                    stored=theirs,
                    stored_plain=theirs_plain,
                    differing=[f for f in values if mine_plain[f] != theirs_plain.get(f)],
                    by=by,
                    at=at,
                    same_user=by is not None and by == user,
                )
            changes = {f: values[f] for f in values if f in mine_changed and mine_plain[f] != theirs_plain.get(f)}
            applied = sorted(theirs_changed - mine_changed)
            state = MERGED
        # A save that changes nothing writes nothing, except the first: it says the
        # row was looked at and stands as it is (a period report "as before" is reported).
        if changes or row.pk is None or getattr(row, "updated_at", False) is None:
            row.version = stored_version + 1
            if hasattr(row, "updated_by_id"):
                row.updated_by, row.updated_at = user, timezone.now()
            row._history_user = user
            write(row, changes)
        stored = read(row)
        merged_with = by if state == MERGED else user
        return Outcome(
            state=state,
            version=row.version,
            stored=stored,
            stored_plain=plain_dict(stored),
            theirs_applied=applied,
            by=merged_with,
            at=timezone.now(),
            same_user=merged_with is not None and merged_with == user,
        )


# --- Showing it -------------------------------------------------------------------


def display(field: forms.Field, value: Any) -> str:
    """A snapshot value as the user reads it: a choice's label, yes or no, a
    localised number or date, "–" for nothing."""
    if value is None or value == "" or value == [] or (isinstance(value, models.QuerySet) and not value.exists()):
        return "–"
    if isinstance(field, forms.ModelMultipleChoiceField):
        ids = plain(value)
        return "; ".join(field.label_from_instance(obj) for obj in field.queryset.filter(pk__in=ids)) or "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    choices = getattr(field, "choices", None)
    if choices:
        labels = {str(key): label for key, label in choices}
        wanted = str(plain(value)) if isinstance(value, Decimal) else str(value)
        for key, label in labels.items():
            if key == wanted or (isinstance(value, Decimal) and key and Decimal(key) == value):
                return str(label)
    if isinstance(value, Decimal):
        return formats.localize(Decimal(plain(value)))
    if isinstance(value, datetime.date):
        return formats.date_format(value, "Y-m-d")
    return str(value)


@dataclass
class Difference:
    name: str
    label: str
    theirs: str
    mine: str


def differences(form: forms.Form, outcome: Outcome, mine: dict) -> list[Difference]:
    """Every field that differs between the stored version and the user's, in the form's order."""
    wanted = set(outcome.differing)
    return [
        Difference(
            name=name,
            label=str(f.label),
            theirs=display(f, outcome.stored.get(name)),
            mine=display(f, mine.get(name)),
        )
        for name, f in form.fields.items()
        if name in wanted
    ]


def form_data(form: forms.Form, values: dict, names: Iterable[str]) -> dict:
    """Snapshot values as the browser puts them in the form's fields (a number
    with a decimal comma, a checkbox as true or false, several choices as a
    list), for the page to show what a merge took from the other edit."""
    out: dict = {}
    for name in names:
        f = form.fields.get(name)
        if f is None:
            continue
        value = values.get(name)
        if isinstance(f.widget, forms.CheckboxInput):
            out[name] = bool(value)
        elif isinstance(f, forms.ModelMultipleChoiceField):
            out[name] = [str(v) for v in plain(value or [])]
        else:
            prepared = f.prepare_value(value)
            if isinstance(prepared, Decimal):
                prepared = Decimal(plain(prepared))
            shown = f.widget.format_value(prepared)
            if isinstance(shown, list):  # a radio or select widget gives its chosen values
                shown = shown[0] if shown else ""
            out[name] = "" if shown is None else str(shown)
    return out


def form_initial(snapshot: dict, version: int) -> dict:
    """A form's initial data: the snapshot, the version it was read at and the snapshot as the base."""
    shown = {name: Decimal(plain(v)) if isinstance(v, Decimal) else v for name, v in snapshot.items()}
    return {**shown, "version": version, "base": plain_dict(snapshot)}


def keep_mine(data) -> int | None:
    """The version a user chose to save over ("Keep my version"), if posted."""
    try:
        return int(data.get("keep_mine", ""))
    except ValueError:
        return None


def _who(outcome: Outcome) -> str:
    return str(outcome.by) if outcome.by is not None else _("someone else")


def saved_message(outcome: Outcome) -> str:
    """ "Saved 14:32", and whose changes in other fields came along in a merge."""
    time = timezone.localtime(outcome.at or timezone.now()).strftime("%H:%M")
    if outcome.state != MERGED:
        return _("Saved %(time)s") % {"time": time}
    if outcome.same_user:
        return _("Saved %(time)s, together with what you saved in another window in other fields.") % {"time": time}
    return _("Saved %(time)s, together with the changes %(who)s saved in other fields.") % {
        "time": time,
        "who": _who(outcome),
    }


def conflict_message(outcome: Outcome) -> str:
    """ "Not saved": who saved the same fields in between, and what to do."""
    if outcome.same_user:
        return _("Not saved: you saved this in another window while you were writing here. Compare and choose.")
    return _("Not saved: %(who)s saved this while you were writing. Compare and choose.") % {"who": _who(outcome)}


def conflict_context(form: forms.Form, outcome: Outcome, mine: dict) -> dict:
    """What the conflict partial (`_conflict.html`) shows: who saved, when, and
    every field that differs side by side."""
    return {"outcome": outcome, "differences": differences(form, outcome, mine)}


def autosave_response(
    request: HttpRequest,
    *,
    state: str,
    form: forms.Form | None = None,
    outcome: Outcome | None = None,
    mine: dict | None = None,
    message: str = "",
) -> HttpResponse:
    """The answer to an autosave: the status text for the page's status region,
    with the new version and base, the fields a merge changed, the fields in
    error, or the conflict to show (`_autosave_result.html`)."""
    context: dict = {"state": state, "message": message, "now": timezone.localtime(), "outcome": outcome}
    if form is not None and form.is_bound:
        context["errors"] = {
            (form[name].html_name if name in form.fields else name): [str(e) for e in errs]
            for name, errs in form.errors.items()
        }
    context["errors_json"] = json.dumps(context.get("errors", {}), ensure_ascii=False)
    if outcome is not None and form is not None:
        if outcome.conflict:
            context["conflict"] = conflict_context(form, outcome, mine or {})
            context["conflict_text"] = conflict_message(outcome)
        else:
            context["apply_json"] = json.dumps(
                form_data(form, outcome.stored, outcome.theirs_applied), ensure_ascii=False
            )
            context["base_json"] = json.dumps(outcome.stored_plain, ensure_ascii=False)
            context["saved_text"] = saved_message(outcome)
    return HttpResponse(render_to_string("_autosave_result.html", context, request=request))
