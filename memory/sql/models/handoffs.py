"""Tables of the handoffs area: the handoff queue and internal notes.

The schema changes only through the Alembic revision `0004_staff`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId
from memory.sql.types import JSONDocument, UTCDateTime

OPEN_HANDOFF = "status <> 'closed'"


class Handoff(Base):
    """One request for a person in one conversation: waiting, active (claimed) or closed.

    At most one open (not closed) handoff per conversation, enforced by a partial unique
    index; claiming is a conditional UPDATE on status, so only one agent can win it.
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        Index(
            "uq_handoffs_open_conversation", "conversation_id", unique=True,
            sqlite_where=text(OPEN_HANDOFF), postgresql_where=text(OPEN_HANDOFF),
        ),
        Index("ix_handoffs_queue", "status", "priority", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # No foreign key to interactions: an erased customer's interactions go, the record stays.
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HandoffNote(Base):
    """An internal note on a handoff; staff only, never sent to the customer."""

    __tablename__ = "handoff_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
