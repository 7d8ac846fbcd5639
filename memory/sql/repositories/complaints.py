"""Repositories of the complaints area: complaints, transitions, amendments, follow-ups.

Each takes the unit of work's connection, queries with select() and never commits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Connection, Row, delete, insert, select, update

from memory.sql.models.complaints import (
    Complaint,
    ComplaintChange,
    ComplaintFollowUp,
    ComplaintTransitionRow,
)
from memory.sql.repositories.base import ChangeLog, CustomerRows


class ComplaintRepository(CustomerRows):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, Complaint, Complaint.created_at)
        self.changes = ChangeLog(connection, ComplaintChange, ComplaintChange.complaint_id)

    def add_transition(self, complaint_id: int, values: dict[str, Any]) -> None:
        self._c.execute(
            insert(ComplaintTransitionRow).values(complaint_id=complaint_id, **values)
        )

    def transitions(self, complaint_ids: list[int]) -> Sequence[Row[Any]]:
        if not complaint_ids:
            return []
        statement = (
            select(ComplaintTransitionRow)
            .where(ComplaintTransitionRow.complaint_id.in_(complaint_ids))
            .order_by(ComplaintTransitionRow.id)
        )
        return self._c.execute(statement).all()

    def get_for_update(self, complaint_id: int) -> Row[Any] | None:
        statement = select(Complaint).where(Complaint.id == complaint_id).with_for_update()
        return self._c.execute(statement).first()

    def search(
        self, customer_id: str | None, status: str | None, owner: str | None, limit: int
    ) -> Sequence[Row[Any]]:
        statement = select(Complaint)
        if customer_id is not None:
            statement = statement.where(Complaint.customer_id == customer_id)
        if status is not None:
            statement = statement.where(Complaint.status == status)
        if owner is not None:
            statement = statement.where(Complaint.owner == owner)
        statement = statement.order_by(*self._order).limit(limit)
        return self._c.execute(statement).all()

    def add_follow_up(self, values: dict[str, Any]) -> Row[Any]:
        statement = insert(ComplaintFollowUp).values(**values).returning(ComplaintFollowUp.id)
        new_id = self._c.execute(statement).scalar_one()
        return self.follow_up(new_id)

    def follow_up(self, follow_up_id: int) -> Row[Any] | None:
        statement = (
            select(ComplaintFollowUp, Complaint.id.label("number"))
            .join(Complaint, Complaint.id == ComplaintFollowUp.complaint_id)
            .where(ComplaintFollowUp.id == follow_up_id)
        )
        return self._c.execute(statement).first()

    def complete_follow_up(self, follow_up_id: int, at: datetime, by: str) -> None:
        self._c.execute(
            update(ComplaintFollowUp)
            .where(ComplaintFollowUp.id == follow_up_id, ComplaintFollowUp.done_at.is_(None))
            .values(done_at=at, done_by=by)
        )

    def follow_ups(
        self, customer_id: str | None, due_before: datetime | None, include_done: bool, limit: int
    ) -> Sequence[Row[Any]]:
        statement = select(ComplaintFollowUp)
        if customer_id is not None:
            statement = statement.where(ComplaintFollowUp.customer_id == customer_id)
        if due_before is not None:
            statement = statement.where(ComplaintFollowUp.due_at < due_before)
        if not include_done:
            statement = statement.where(ComplaintFollowUp.done_at.is_(None))
        statement = statement.order_by(ComplaintFollowUp.due_at, ComplaintFollowUp.id)
        return self._c.execute(statement.limit(limit)).all()

    def move(self, from_id: str, to_id: str) -> None:
        self._c.execute(
            update(ComplaintFollowUp)
            .where(ComplaintFollowUp.customer_id == from_id)
            .values(customer_id=to_id)
        )
        super().move(from_id, to_id)

    def delete_all(self, customer_id: str) -> int:
        ids = select(Complaint.id).where(Complaint.customer_id == customer_id)
        self._c.execute(
            delete(ComplaintTransitionRow).where(ComplaintTransitionRow.complaint_id.in_(ids))
        )
        self.changes.delete_for(ids)
        self._c.execute(
            delete(ComplaintFollowUp).where(ComplaintFollowUp.customer_id == customer_id)
        )
        # Another customer's repeat complaint may point at one of these; unlink it first.
        self._c.execute(
            update(Complaint).where(Complaint.related_to.in_(ids)).values(related_to=None)
        )
        return super().delete_all(customer_id)
