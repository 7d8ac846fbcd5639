"""Value area on SQL: purchases, and what value() works from."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from memory.api.value import PurchaseView, ValueInputs
from memory.sql.base import SqlBase, source_of
from memory.sql.models.value import Purchase
from memory.sql.unit_of_work import UnitOfWork

CENT = Decimal("0.01")


def purchase_view(row) -> PurchaseView:
    return PurchaseView(row.id, row.customer_id, (Decimal(row.amount_minor) * CENT),
                        row.currency, row.product, row.purchased_at, row.reference,
                        source_of(row))


class SqlValue(SqlBase):
    async def _record_purchase(
        self, customer_id: str, values: dict[str, Any], now: datetime
    ) -> PurchaseView:
        values.update(values.pop("source").as_dict(), recorded_at=now,
                      amount_minor=int(values.pop("amount") / CENT))

        def record(uow: UnitOfWork) -> PurchaseView:
            live_id = uow.customers.resolve(customer_id, lock=True)
            if values["reference"] is not None:
                existing = uow.purchases.first(Purchase.reference == values["reference"])
                if existing is not None:
                    return purchase_view(existing)
            row = uow.purchases.get(uow.purchases.add({"customer_id": live_id, **values}))
            uow.commit()
            return purchase_view(row)

        return await self._write(record)

    async def purchases(self, customer_id: str) -> list[PurchaseView]:
        def read(uow: UnitOfWork) -> list[PurchaseView]:
            live_id = uow.customers.resolve(customer_id)
            return [purchase_view(r) for r in uow.purchases.for_customer(live_id)]

        return await self._read(read)

    async def _value_inputs(self, customer_id: str) -> ValueInputs:
        def read(uow: UnitOfWork) -> ValueInputs:
            live_id = uow.customers.resolve(customer_id)
            return ValueInputs(
                live_id,
                uow.customers.created_at(live_id),
                [purchase_view(r) for r in uow.purchases.for_customer(live_id)],
                [(r.created_at, r.budget) for r in uow.needs.for_customer(live_id)],
            )

        return await self._read(read)
