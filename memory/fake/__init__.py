"""InMemoryProfileStore: the profile store in plain Python, for tests and demos.

It passes the same contract tests as the SQL store, so code tested against it
behaves the same on SQLite and PostgreSQL. Nothing is persisted. One mixin per area
(memory.fake.<area>) implements that area's storage steps; the staff and handoff fakes
are stores of their own.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from memory.api.store import ProfileStore
from memory.api.value import ValuePolicy
from memory.config import FactCatalog, load_fact_catalog
from memory.fake.channels import FakeChannels
from memory.fake.complaints import FakeComplaints
from memory.fake.conversations import FakeConversations
from memory.fake.customers import FakeCustomers
from memory.fake.handoffs import InMemoryHandoffStore
from memory.fake.needs import FakeNeeds
from memory.fake.offers import FakeOffers
from memory.fake.privacy import FakePrivacy
from memory.fake.satisfaction import FakeSatisfaction
from memory.fake.staff import InMemoryStaffStore
from memory.fake.state import State
from memory.fake.value import FakeValue

__all__ = ["InMemoryHandoffStore", "InMemoryProfileStore", "InMemoryStaffStore"]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class InMemoryProfileStore(
    FakeCustomers,
    FakeConversations,
    FakeNeeds,
    FakeComplaints,
    FakeSatisfaction,
    FakeOffers,
    FakeValue,
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
