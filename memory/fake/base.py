"""Shared plumbing of the in-memory fake: state, clock and customer resolution."""
from __future__ import annotations

from datetime import datetime

from memory import errors
from memory.config import FactCatalog
from memory.fake.state import State


class FakeBase:
    _state: State
    _catalog: FactCatalog

    def _now(self) -> datetime:
        raise NotImplementedError

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        """Merge hook: each area moves its rows, then calls super()."""

    def _erase_customer_data(self, customer_id: str) -> dict[str, int]:
        """Erasure hook: each area deletes its rows, counts them, then calls super()."""
        return {}

    def _resolve(self, customer_id: str) -> str:
        row = self._state.customers.get(customer_id) if isinstance(customer_id, str) else None
        if row is None or row.erased_at is not None:
            raise errors.UnknownCustomer(customer_id)
        if row.merged_into is not None:
            return self._resolve(row.merged_into)
        return customer_id
