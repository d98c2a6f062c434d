"""Every form of the portal, posted with hostile values, answers without a 500.

The URL conf is walked through the permission table (which has a row for every
URL and the objects it needs). The forms are found by reading every page the
personas can open; each URL that accepts POST is then posted, by every persona
allowed to post it, with: every field empty; every field 100,000 characters;
values of the wrong type (text where a number, date or choice is expected, and
numbers too big for the database); markup; a NUL character; and for each field
in turn the form as rendered (its valid values) with that one field empty or
wrong (for the first persona allowed). Any 500 fails the test, with the URL, persona, payload and exception.
"""

import traceback
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.accounts.test_permissions import PERSONAS, TABLE, school_people, yearly_report  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow  # every form, persona and payload: minutes

LONG = "x" * 100_000
MARKUP = '<script>alert("x")</script><b onmouseover=alert(1)>&amp; \' " </b>'
WRONG = "inte-ett-tal"
TOO_BIG = "9" * 30


class FormParser(HTMLParser):
    """The POST forms of a page: action and fields, each with the value it is rendered with."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = (a.get("action") or "", {})
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._select[1].append((a.get("value", ""), "selected" in a))
            return
        fields = self._form[1]
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"} and name != "csrfmiddlewaretoken":
                if kind == "submit" and a.get("value") is not None:
                    fields.setdefault(name, []).append(a.get("value"))
                return
            if name == "csrfmiddlewaretoken":
                return
            if kind in {"checkbox", "radio"}:
                fields.setdefault(name, [])
                if "checked" in a or not fields[name]:
                    fields[name] = [a.get("value", "on")] if kind == "radio" else [*fields[name], a.get("value", "on")]
                return
            fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            fields.setdefault(name, [""])
        elif tag == "select":
            self._select = (name, [])

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[1][self._textarea] = [data.strip()]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _s in options if v][:1] or [""]
            self._form[1][name] = chosen
            self._select = None


def url_name_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def log_in_as(client, org, persona):
    client.logout()
    if persona != "anonymous":
        client.force_login(getattr(org, persona))


def find_forms(client, org, urls) -> dict[str, dict[str, list[str]]]:
    """url name -> the fields of the forms that post to it, with rendered values."""
    found: dict[str, dict[str, list[str]]] = {}
    for persona in PERSONAS:
        log_in_as(client, org, persona)
        for name, url in urls.items():
            if TABLE[name][0] != "get":
                continue
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser()
            parser.feed(response.content.decode())
            for action, fields in parser.forms:
                target = url_name_of(action or url)
                if target:
                    merged = found.setdefault(target, {})
                    for field, values in fields.items():
                        merged.setdefault(field, values)
    return found


def describe(response) -> str:
    """The exception behind a 500 and the portal's own line that raised it."""
    if not response.exc_info:
        return "500"
    _type, exc, tb = response.exc_info
    frames = [f for f in traceback.extract_tb(tb) if "/.venv/" not in f.filename and "site-packages" not in f.filename]
    where = f"{frames[-1].filename.rsplit('/', 2)[-2:]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}: {str(exc)[:200]} {where}"


def payloads(fields: dict[str, list[str]], *, field_by_field: bool):
    names = list(fields)
    yield "every field empty", dict.fromkeys(names, "")
    yield "every field 100,000 characters", dict.fromkeys(names, LONG)
    yield "every field of the wrong type", dict.fromkeys(names, WRONG)
    yield "every field a number too big", dict.fromkeys(names, TOO_BIG)
    yield "every field markup", dict.fromkeys(names, MARKUP)
    yield "every field with a NUL character", dict.fromkeys(names, "a\x00b")
    yield "every field a list of values", {name: [WRONG, LONG] for name in names}
    if not field_by_field:
        return
    for name in names:
        for label, value in (("empty", ""), ("wrong", WRONG), ("too big", TOO_BIG), ("long", LONG)):
            yield f"as rendered, {name} {label}", {**fields, name: value}


@pytest.fixture
def urls(org, school_people, cycle_a, plan_a, yearly_report):  # noqa: F811
    result = {}
    for name, (_method, kwargs, _expected) in TABLE.items():
        kwargs = kwargs(org)
        query = kwargs.pop("?", "")
        result[name] = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
    return result


def test_no_form_of_the_portal_answers_hostile_values_with_a_500(org, urls):
    client = Client(raise_request_exception=False)
    forms = find_forms(client, org, urls)
    failures, posted = [], set()
    for name, url in urls.items():
        fields = forms.get(name, {})
        for persona in PERSONAS:
            with transaction.atomic():
                log_in_as(client, org, persona)
                # Allowed to post: the form as rendered is not refused.
                probe = client.post(url, fields)
                refused = probe.status_code in (403, 404, 405) or (
                    persona == "anonymous"
                    and probe.status_code == 302
                    and probe["Location"].startswith(reverse("login"))
                )
                if probe.status_code == 500:
                    failures.append(f"{persona} POST {name} (nothing): {describe(probe)}")
                transaction.set_rollback(True)
            if refused:
                continue
            # Field by field for the first persona allowed; whole-form payloads for every one.
            first = name not in posted
            posted.add(name)
            for label, data in payloads(fields, field_by_field=first):
                with transaction.atomic():
                    log_in_as(client, org, persona)
                    response = client.post(url, data)
                    if response.status_code == 500:
                        failures.append(f"{persona} POST {name} ({label}): {describe(response)}")
                    transaction.set_rollback(True)
    assert failures == [], "\n".join(failures)
    # Every URL the portal posts a form to was reached by someone allowed to post it
    # (the Django admin's own forms are Django's, and outside the table).
    assert {name for name in forms if not name.startswith("admin:")} <= posted
