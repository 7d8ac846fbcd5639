"""Satisfaction area on SQL: one row per reading."""
from __future__ import annotations

from typing import Any

from memory.api.satisfaction import SatisfactionReading
from memory.sql.base import SqlBase, source_of
from memory.sql.unit_of_work import UnitOfWork


def reading_view(row) -> SatisfactionReading:
    return SatisfactionReading(
        row.id, row.customer_id, row.level, source_of(row), row.created_at, row.comment
    )


class SqlSatisfaction(SqlBase):
    async def _record_satisfaction(
        self, customer_id: str, values: dict[str, Any]
    ) -> SatisfactionReading:
        values.update(values.pop("source").as_dict(), created_at=self._now())

        def add(uow: UnitOfWork) -> SatisfactionReading:
            live_id = uow.customers.resolve(customer_id, lock=True)
            row = uow.satisfaction.get(uow.satisfaction.add({"customer_id": live_id, **values}))
            uow.commit()
            return reading_view(row)

        return await self._write(add)

    async def satisfaction(self, customer_id: str) -> list[SatisfactionReading]:
        def read(uow: UnitOfWork) -> list[SatisfactionReading]:
            live_id = uow.customers.resolve(customer_id)
            return [reading_view(r) for r in uow.satisfaction.for_customer(live_id)]

        return await self._read(read)
