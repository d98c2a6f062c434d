"""Fixtures shared by the browser tests: the self-assessment and the action plan
of their own modules, for tests that use both; a watch on the
Content-Security-Policy for every browser test. Every page the browser tests
open is kept and, at the end of the run, checked by the Nu HTML checker: any
error fails the run."""

import contextlib
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error, Page

from tests.browser.nu_checker import nu_errors
from tests.browser.test_action_plan import plan  # noqa: F401
from tests.browser.test_self_assessment import assessment  # noqa: F401


@pytest.fixture(autouse=True)
def csp_violations(page: Page) -> list[str]:
    """Every Content-Security-Policy violation the browser reports on the
    console during a browser test; any one fails the test."""
    reported: list[str] = []
    page.on(
        "console",
        lambda message: (
            reported.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    yield reported
    assert reported == [], "\n".join(reported)


_pages: dict[str, str] = {}


def _is_portal_page(response, base_url: str) -> bool:
    if response.request.resource_type != "document" or not response.url.startswith(base_url):
        return False
    # Django's own admin is not the portal's markup.
    if urlsplit(response.url).path.startswith(("/admin/", "/saml2/", "/oidc/")):
        return False
    return "text/html" in (response.headers.get("content-type") or "")


def _keep(url: str, html: str) -> None:
    path = urlsplit(url)
    url = f"{path.path}?{path.query}" if path.query else path.path
    # A page seen as several users or in several states: keep a few of its versions.
    for variant in range(1, 4):
        key = f"{url} ({variant})"
        if key not in _pages:
            _pages[key] = html
            return


@pytest.fixture
def context(context, live_server):
    def finished(request):
        response = request.response()
        if response is None or not _is_portal_page(response, live_server.url):
            return
        with contextlib.suppress(Error):  # the page was left before its body could be read
            _keep(response.url, response.text())

    context.on("requestfinished", finished)
    return context


@pytest.fixture(scope="session", autouse=True)
def _nu_html_checker():
    yield
    print(f"\nThe Nu HTML checker: {len(_pages)} pages")
    errors = nu_errors(_pages)
    assert not errors, f"The Nu HTML checker found {len(errors)} errors:\n" + "\n".join(errors)
