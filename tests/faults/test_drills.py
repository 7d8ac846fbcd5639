"""The fault drills that fit a test's time (the rest run with `make drill`): SQLite locked by
another writer, kill -9 of the action server, and 5x overload, each under a short load of
scripted customers against the real stack. Nothing accepted is lost or recorded twice, and
the stack recovers by itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import Stack
from tests.faults.drill import drill, drill_stack, kill, lock_sqlite, overload

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = drill_stack(tmp_path_factory.mktemp("drill-stack"))
    running.start()
    yield running
    running.stop()


def assert_nothing_lost(result: dict) -> None:
    assert result["sent"] > 0 and result["stored"] == result["sent"], result
    assert result["lost"] == 0 and result["recorded_twice"] == 0, result
    assert result["answered"] + result["told_failed"] == result["sent"], result
    assert result["recover_seconds"] is not None, result  # answered properly after the fault


async def test_sqlite_locked_by_another_writer(stack):
    result = await drill(stack, "sqlite-locked", lock_sqlite, customers=4, load_seconds=12, think=1.0)
    assert_nothing_lost(result)


async def test_kill_9_of_the_action_server(stack):
    result = await drill(stack, "kill-actions", lambda s: kill(s, "actions"), customers=4,
                         load_seconds=25, think=1.0)
    assert_nothing_lost(result)
    assert any("actions is ready again" in line for line in stack.output)


async def test_overload_at_5x_sheds_with_retry_after_and_loses_nothing(stack):
    result = await drill(stack, "overload-5x", overload, customers=40, load_seconds=8, think=0.0,
                         fault_after=0.0)
    assert_nothing_lost(result)
    assert result["shed_with_retry_after"] > 0, result  # it did shed, and said when to come back
    assert result["gateway_rss_mb"] < 400, result  # memory stays bounded
