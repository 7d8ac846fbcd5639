"""Needs area on SQL: needs, and amending them with one history row per changed field."""
from __future__ import annotations

from typing import Any

from memory import errors
from memory.api.needs import NeedView
from memory.api.provenance import FieldChange, Source, field_changes
from memory.sql.base import SqlBase, changes_by_owner, history_rows, source_of
from memory.sql.models.needs import Need
from memory.sql.unit_of_work import UnitOfWork


def need_view(row, changes: tuple[FieldChange, ...] = ()) -> NeedView:
    return NeedView(
        row.id, row.customer_id, row.category, row.product, row.budget, row.timeframe,
        row.words, source_of(row), row.created_at, changes,
    )


def need_views(uow: UnitOfWork, rows) -> list[NeedView]:
    changes = changes_by_owner(uow.needs.changes, [r.id for r in rows if r.amended_at])
    return [need_view(row, changes.get(row.id, ())) for row in rows]


class SqlNeeds(SqlBase):
    async def _add_need(self, customer_id: str, values: dict[str, Any]) -> NeedView:
        values.update(values.pop("source").as_dict(), created_at=self._now())

        def add(uow: UnitOfWork) -> NeedView:
            live_id = uow.customers.resolve(customer_id, lock=True)
            row = uow.needs.get(uow.needs.add({"customer_id": live_id, **values}))
            uow.commit()
            return need_view(row)

        return await self._write(add)

    async def needs(self, customer_id: str) -> list[NeedView]:
        def read(uow: UnitOfWork) -> list[NeedView]:
            return need_views(uow, uow.needs.for_customer(uow.customers.resolve(customer_id)))

        return await self._read(read)

    async def _amend_need(
        self, need_id: int, source: Source, actor: str, wanted: dict[str, Any]
    ) -> NeedView:
        at = self._now()

        def amend(uow: UnitOfWork) -> NeedView:
            row = uow.needs.get_for_update(need_id)
            if row is None:
                raise errors.UnknownNeed(need_id)
            changes = field_changes(row, wanted)
            if changes:
                uow.needs.update({**{name: new for name, _, new in changes}, "amended_at": at},
                                 Need.id == need_id)
                uow.needs.changes.add(need_id, history_rows(changes, at, actor, source))
                row = uow.needs.get(need_id)
            [view] = need_views(uow, [row])
            uow.commit()
            return view

        return await self._write(amend)
