"""Under CI (CI=true) a test skipped because PostgreSQL or Redis is unreachable fails instead.

Locally a missing server skips its tests with a loud reason; in CI, where .ci/run starts both,
a skip would let a run pass with none of them run (issue 14 item 6)."""

from __future__ import annotations

import os
import re

import pytest

# The reasons the suite gives when a server cannot be reached (tests/memory/conftest.py,
# tests/memory/test_handoffs.py, tests/bot/handoff/test_handoff_pubsub.py).
SERVICE_UNAVAILABLE = re.compile(
    r"(postgres\w*|redis)\b.*\b(unavailable|not reachable|unreachable)"
    r"|(unavailable|not reachable|unreachable)\b.*\b(postgres\w*|redis)",
    re.IGNORECASE | re.DOTALL,
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not (report.skipped and in_ci()) or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    if SERVICE_UNAVAILABLE.search(reason):
        report.outcome = "failed"
        report.longrepr = f"CI=true, so a skip for a missing server is a failure: {reason}"
