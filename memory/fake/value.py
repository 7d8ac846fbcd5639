"""Value area in memory: purchases, and what value() works from."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from memory.api.value import PurchaseView, ValueInputs
from memory.fake.base import FakeBase


class FakeValue(FakeBase):
    async def _record_purchase(
        self, customer_id: str, values: dict[str, Any], now: datetime
    ) -> PurchaseView:
        customer_id = self._resolve(customer_id)
        if values["reference"] is not None:
            for purchases in self._state.purchases.values():
                for purchase in purchases:
                    if purchase.reference == values["reference"]:
                        return purchase
        purchase = PurchaseView(id=self._state.next_id(), customer_id=customer_id, **values)
        self._state.purchases.setdefault(customer_id, []).append(purchase)
        return purchase

    async def purchases(self, customer_id: str) -> list[PurchaseView]:
        customer_id = self._resolve(customer_id)
        return sorted(self._state.purchases.get(customer_id, []),
                      key=lambda p: (p.purchased_at, p.id), reverse=True)

    async def _value_inputs(self, customer_id: str) -> ValueInputs:
        customer_id = self._resolve(customer_id)
        return ValueInputs(
            customer_id, self._state.customers[customer_id].created_at,
            self._state.purchases.get(customer_id, []),
            [(n.created_at, n.budget) for n in self._state.needs.get(customer_id, [])],
        )

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        table = self._state.purchases
        moved = [dataclasses.replace(r, customer_id=to_id) for r in table.pop(from_id, [])]
        table.setdefault(to_id, []).extend(moved)
        super()._move_customer_data(from_id, to_id)

    def _erase_customer_data(self, customer_id: str) -> dict[str, int]:
        return {
            "purchases": len(self._state.purchases.pop(customer_id, [])),
            **super()._erase_customer_data(customer_id),
        }
