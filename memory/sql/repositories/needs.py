"""Repositories of the needs area: needs and their amendment history.

Each takes the unit of work's connection, queries with select() and never commits.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from memory.sql.models.needs import Need, NeedChange
from memory.sql.repositories.base import ChangeLog, CustomerRows


class NeedRepository(CustomerRows):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, Need, Need.created_at)
        self.changes = ChangeLog(connection, NeedChange, NeedChange.need_id)

    def get_for_update(self, need_id: int) -> Row[Any] | None:
        statement = select(Need).where(Need.id == need_id).with_for_update()
        return self._c.execute(statement).first()

    def delete_all(self, customer_id: str) -> int:
        self.changes.delete_for(select(Need.id).where(Need.customer_id == customer_id))
        return super().delete_all(customer_id)
