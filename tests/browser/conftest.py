"""Fixtures shared by the browser tests: the self-assessment and the action plan
of their own modules, for tests that use both."""

from tests.browser.test_action_plan import plan  # noqa: F401
from tests.browser.test_self_assessment import assessment  # noqa: F401
