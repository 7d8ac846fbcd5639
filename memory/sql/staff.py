"""ORM models of the staff side: accounts, sessions, login throttling, the handoff queue, notes.

They share the profile store's database and `Base` (so customers and staff join with real
foreign keys) but belong to the gateway: bot.accounts and bot.handoff are their only
users. The schema changes only through the Alembic revision `0004_staff`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, delete, select, text, update
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models import Base, BigId
from memory.sql.types import JSONDocument, UTCDateTime

OPEN_HANDOFF = "status <> 'closed'"


class StaffAccount(Base):
    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Stored lower-cased, so "Ann" and "ann" are one account.
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginThrottle(Base):
    """Failed logins per key ("account|ip" or "*|ip") and the lockout they earned."""

    __tablename__ = "staff_login_throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


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


class HandoffRows:
    """A customer's handoffs hold their name and first words, and notes about them:
    moved to the kept customer on merge, deleted with the customer on erasure."""

    def __init__(self, connection) -> None:
        self._c = connection

    def move(self, from_id: str, to_id: str) -> None:
        self._c.execute(update(Handoff).where(Handoff.customer_id == from_id).values(customer_id=to_id))

    def delete_all(self, customer_id: str) -> int:
        ids = select(Handoff.id).where(Handoff.customer_id == customer_id)
        self._c.execute(delete(HandoffNote).where(HandoffNote.handoff_id.in_(ids)))
        return self._c.execute(delete(Handoff).where(Handoff.customer_id == customer_id)).rowcount
