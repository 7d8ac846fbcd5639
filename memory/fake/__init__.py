"""InMemoryProfileStore: the profile store in plain Python, for tests and demos.

It passes the same contract tests as the SQL store, so code tested against it
behaves the same on SQLite and PostgreSQL. Nothing is persisted.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from memory.config import FactCatalog, load_fact_catalog
from memory.crm_views import ValuePolicy
from memory.fake.amendments import FakeAmendments
from memory.fake.channels import FakeChannels
from memory.fake.conversations import FakeConversations
from memory.fake.crm import FakeCrm
from memory.fake.customers import FakeCustomers
from memory.fake.marketing import FakeMarketing
from memory.fake.privacy import FakePrivacy
from memory.fake.state import State
from memory.interface import ProfileStore


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class InMemoryProfileStore(
    FakeCustomers,
    FakeConversations,
    FakeCrm,
    FakeAmendments,
    FakeMarketing,
    FakeChannels,
    FakePrivacy,
    ProfileStore,
):
    def __init__(
        self,
        facts_path: str | Path | None = None,
        *,
        catalog: FactCatalog | None = None,
        clock: Callable[[], datetime] = _utc_now,
        value_policy: ValuePolicy | None = None,
    ) -> None:
        self._value_policy = value_policy if value_policy is not None else ValuePolicy()
        self._catalog = catalog if catalog is not None else load_fact_catalog(facts_path)
        self._clock = clock
        self._state = State()

    def _now(self) -> datetime:
        return self._clock()

    async def close(self) -> None:
        """Nothing to release; kept for parity with the SQL store."""
