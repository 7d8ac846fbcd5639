"""Repositories several areas share: rows owned by a customer, and amendment history.

Each takes the unit of work's connection, queries with select() and never commits.
"""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Connection, Row, delete, insert, select, update


class CustomerRows:
    """Rows of one table owned by a customer, listed newest first."""

    _orders: dict = {}  # model -> ORDER BY clauses, built once

    def __init__(self, connection: Connection, model, newest_by) -> None:
        self._c = connection
        self._model = model
        order = self._orders.get(model)
        if order is None:
            order = self._orders[model] = (newest_by.desc(), model.id.desc())
        self._order = order

    def add(self, values: dict[str, Any]) -> int:
        statement = insert(self._model).values(**values).returning(self._model.id)
        return self._c.execute(statement).scalar_one()

    def get(self, row_id: int) -> Row[Any]:
        return self._c.execute(select(self._model).where(self._model.id == row_id)).one()

    def for_customer(self, customer_id: str, *conditions) -> Sequence[Row[Any]]:
        statement = (
            select(self._model)
            .where(self._model.customer_id == customer_id, *conditions)
            .order_by(*self._order)
        )
        return self._c.execute(statement).all()

    def first(self, *conditions) -> Row[Any] | None:
        return self._c.execute(select(self._model).where(*conditions)).first()

    def update(self, values: dict[str, Any], *conditions) -> int:
        return self._c.execute(update(self._model).where(*conditions).values(**values)).rowcount

    def move(self, from_id: str, to_id: str) -> None:
        self.update({"customer_id": to_id}, self._model.customer_id == from_id)

    def delete_all(self, customer_id: str) -> int:
        return self._c.execute(
            delete(self._model).where(self._model.customer_id == customer_id)
        ).rowcount


class ChangeLog:
    """The amendment history of one table's rows (needs or complaints), oldest first."""

    def __init__(self, connection: Connection, model, owner_column) -> None:
        self._c = connection
        self._model = model
        self._owner = owner_column
        self.owner_key = owner_column.key

    def add(self, owner_id: int, rows: list[dict[str, Any]]) -> None:
        self._c.execute(insert(self._model), [{self.owner_key: owner_id, **row} for row in rows])

    def for_owners(self, owner_ids: list[int]) -> Sequence[Row[Any]]:
        if not owner_ids:
            return []
        statement = (
            select(self._model).where(self._owner.in_(owner_ids)).order_by(self._model.id)
        )
        return self._c.execute(statement).all()

    def delete_for(self, owner_ids) -> None:
        self._c.execute(delete(self._model).where(self._owner.in_(owner_ids)))
