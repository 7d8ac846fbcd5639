"""Repositories of the handoffs area: what the profile store does with a customer's handoffs.

Each takes the unit of work's connection, queries with select() and never commits.
"""
from __future__ import annotations

from sqlalchemy import Connection, delete, select, update

from memory.sql.models.handoffs import Handoff, HandoffNote


class HandoffRows:
    """A customer's handoffs hold their name and first words, and notes about them:
    moved to the kept customer on merge, deleted with the customer on erasure."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def move(self, from_id: str, to_id: str) -> None:
        self._c.execute(update(Handoff).where(Handoff.customer_id == from_id).values(customer_id=to_id))

    def delete_all(self, customer_id: str) -> int:
        ids = select(Handoff.id).where(Handoff.customer_id == customer_id)
        self._c.execute(delete(HandoffNote).where(HandoffNote.handoff_id.in_(ids)))
        return self._c.execute(delete(Handoff).where(Handoff.customer_id == customer_id)).rowcount
