"""Repositories of the privacy area: the audit log.

Each takes the unit of work's connection, queries with select() and never commits.
"""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Connection, Row, insert, select, update

from memory.sql.models.privacy import AuditRecord


class AuditRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, **values: Any) -> None:
        self._c.execute(insert(AuditRecord).values(**values))

    def redact(self, customer_id: str) -> None:
        """Drop free-text details (reasons may quote the person) from earlier records."""
        self._c.execute(
            update(AuditRecord)
            .where(
                (AuditRecord.customer_id == customer_id)
                | (AuditRecord.other_customer_id == customer_id)
            )
            .values(detail={"redacted": "erasure"})
        )

    def for_customer(self, customer_id: str) -> Sequence[Row[Any]]:
        statement = (
            select(AuditRecord)
            .where(
                (AuditRecord.customer_id == customer_id)
                | (AuditRecord.other_customer_id == customer_id)
            )
            .order_by(AuditRecord.id)
        )
        return (self._c.execute(statement)).all()
