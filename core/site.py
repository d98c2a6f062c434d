"""The portal's own address, for the links that leave the browser (emails).

`SITE_URL` names it. When it is unset, a request names it: the address the
request came in on (scheme and host, the host checked against ALLOWED_HOSTS),
so a portal run on another port links to that port. A mail written while a
request is answered keeps that address with it (the outbox stores it in the
mail's params and builds the mail with it, wherever and whenever it is sent).
A mail a worker writes on its own (the daily reminders) has no request: there
`SITE_URL` is needed (`bin/demo` passes its own address), and without it the
link falls back to the local demo's address.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

LOCAL_DEMO = "http://127.0.0.1:8000"

_request_site: contextvars.ContextVar[str] = contextvars.ContextVar("request_site", default="")


def site_url() -> str:
    """The address links in emails start with, without a trailing slash."""
    return settings.SITE_URL or _request_site.get() or LOCAL_DEMO


def request_site() -> str:
    """The address of the request being answered, or "" outside a request."""
    return _request_site.get()


@contextmanager
def serving(site: str) -> Iterator[None]:
    """Build links as if answering a request that came in on `site` ("" changes nothing)."""
    token = _request_site.set(site or _request_site.get())
    try:
        yield
    finally:
        _request_site.reset(token)


class RequestSiteMiddleware:
    """Remember, while a request is answered, the address it came in on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with serving(request.build_absolute_uri("/").rstrip("/")):
            return self.get_response(request)
