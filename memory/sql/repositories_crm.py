"""Repositories for needs, complaints, satisfaction, consent, offers and purchases.

Most of these tables are "rows that belong to a customer": one generic repository
serves them. Complaints and the offer catalogue have their own.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Connection, Row, delete, insert, select, update

from memory.sql.dialect import upsert_insert
from memory.sql.models_crm import (
    Complaint,
    ComplaintChange,
    ComplaintFollowUp,
    ComplaintTransitionRow,
    Need,
    NeedChange,
    Offer,
)


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


class OfferRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def upsert(self, values: dict[str, Any], at: datetime) -> None:
        statement = upsert_insert(self._c.dialect.name, Offer).values(**values, updated_at=at)
        changes = {name: statement.excluded[name] for name in (*values, "updated_at")}
        changes.pop("offer_id")
        statement = statement.on_conflict_do_update(
            index_elements=[Offer.offer_id], set_=changes
        )
        self._c.execute(statement)

    def get(self, offer_id: str) -> Row[Any] | None:
        return self._c.execute(select(Offer).where(Offer.offer_id == offer_id)).first()

    def all(self, include_inactive: bool) -> Sequence[Row[Any]]:
        statement = select(Offer).order_by(Offer.offer_id)
        if not include_inactive:
            statement = statement.where(Offer.active.is_(True))
        return self._c.execute(statement).all()
