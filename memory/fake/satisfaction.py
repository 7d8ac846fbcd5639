"""Satisfaction area in memory: one entry per reading."""
from __future__ import annotations

import dataclasses
from typing import Any

from memory.api.satisfaction import SatisfactionReading
from memory.fake.base import FakeBase


class FakeSatisfaction(FakeBase):
    async def _record_satisfaction(
        self, customer_id: str, values: dict[str, Any]
    ) -> SatisfactionReading:
        customer_id = self._resolve(customer_id)
        reading = SatisfactionReading(id=self._state.next_id(), customer_id=customer_id,
                                      created_at=self._now(), **values)
        self._state.satisfaction.setdefault(customer_id, []).append(reading)
        return reading

    async def satisfaction(self, customer_id: str) -> list[SatisfactionReading]:
        customer_id = self._resolve(customer_id)
        return sorted(self._state.satisfaction.get(customer_id, []),
                      key=lambda r: (r.created_at, r.id), reverse=True)

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        table = self._state.satisfaction
        moved = [dataclasses.replace(r, customer_id=to_id) for r in table.pop(from_id, [])]
        table.setdefault(to_id, []).extend(moved)
        super()._move_customer_data(from_id, to_id)

    def _erase_customer_data(self, customer_id: str) -> dict[str, int]:
        return {
            "satisfaction": len(self._state.satisfaction.pop(customer_id, [])),
            **super()._erase_customer_data(customer_id),
        }
