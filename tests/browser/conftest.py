"""Fixtures shared by the browser tests: the self-assessment and the action plan
of their own modules, for tests that use both; and a watch on the
Content-Security-Policy for every browser test."""

import pytest
from playwright.sync_api import Page

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
