"""What every area of the fake relies on: state, clock, customer resolution, amendments."""
from __future__ import annotations

import dataclasses
from datetime import datetime

from memory import errors
from memory.api.provenance import Change, FieldChange, Source
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

    def _amended(self, view, changes: list[Change], actor: str, source: Source | None):
        """`view` (a need or complaint) with the changes made and one history entry each."""
        at = self._now()
        history = tuple(
            FieldChange(name, old, new, at, actor, source) for name, old, new in changes
        )
        return dataclasses.replace(
            view, **{name: new for name, _, new in changes}, changes=(*view.changes, *history)
        )
