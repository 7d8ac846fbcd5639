"""Needs area in memory: needs, and amending them with one history entry per changed field."""
from __future__ import annotations

import dataclasses
from typing import Any

from memory import errors
from memory.api.needs import NeedView
from memory.api.provenance import Source, field_changes
from memory.fake.base import FakeBase


class FakeNeeds(FakeBase):
    async def _add_need(self, customer_id: str, values: dict[str, Any]) -> NeedView:
        customer_id = self._resolve(customer_id)
        need = NeedView(id=self._state.next_id(), customer_id=customer_id,
                        created_at=self._now(), **values)
        self._state.needs.setdefault(customer_id, []).append(need)
        return need

    async def needs(self, customer_id: str) -> list[NeedView]:
        customer_id = self._resolve(customer_id)
        return sorted(self._state.needs.get(customer_id, []),
                      key=lambda n: (n.created_at, n.id), reverse=True)

    async def _amend_need(
        self, need_id: int, source: Source, actor: str, wanted: dict[str, Any]
    ) -> NeedView:
        for needs in self._state.needs.values():
            for index, need in enumerate(needs):
                if need.id == need_id:
                    changes = field_changes(need, wanted)
                    if changes:
                        needs[index] = need = self._amended(need, changes, actor, source)
                    return need
        raise errors.UnknownNeed(need_id)

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        state = self._state
        moved = [dataclasses.replace(r, customer_id=to_id) for r in state.needs.pop(from_id, [])]
        state.needs.setdefault(to_id, []).extend(moved)
        super()._move_customer_data(from_id, to_id)

    def _erase_customer_data(self, customer_id: str) -> dict[str, int]:
        return {
            "needs": len(self._state.needs.pop(customer_id, [])),
            **super()._erase_customer_data(customer_id),
        }
