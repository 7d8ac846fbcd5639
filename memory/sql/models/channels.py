"""Tables of the channels area: integrations' API keys, idempotent requests, link tokens.

The schema changes only through the Alembic revision `0006_channels`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, PrimaryKeyConstraint, String, text
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId
from memory.sql.types import JSONDocument, UTCDateTime

ACTIVE_KEY = "revoked_at IS NULL"


class ApiKey(Base):
    """A REST integration's key: only its SHA-256 and a short prefix (to tell keys apart).

    At most one active key per integration, enforced by a partial unique index.
    """

    __tablename__ = "api_keys"
    __table_args__ = (
        Index(
            "uq_api_keys_active_integration", "integration", unique=True,
            sqlite_where=text(ACTIVE_KEY), postgresql_where=text(ACTIVE_KEY),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    integration: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(200))


class IdempotentRequest(Base):
    """One idempotency key of one integration: pending while claimed, then its response.

    The response quotes the bot's replies, so the row belongs to the customer (moved on
    merge, deleted on erasure).
    """

    __tablename__ = "idempotent_requests"
    __table_args__ = (PrimaryKeyConstraint("scope", "request_key", name="pk_idempotent_requests"),)

    scope: Mapped[str] = mapped_column(String(200))
    request_key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(200))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LinkToken(Base):
    """The server half of a signed link token: whose it is, where it may be used, and once."""

    __tablename__ = "link_tokens"

    jti: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    source_channel: Mapped[str] = mapped_column(String(200))
    target_channel: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
