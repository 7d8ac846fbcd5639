"""Tables of the offers area: consents, the offer catalogue and offer events."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId, SourceColumns
from memory.sql.types import JSONDocument, UTCDateTime


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_customer", "customer_id", "purpose"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    purpose: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(200))
    wording: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Offer(Base):
    __tablename__ = "offers"

    offer_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OfferEvent(SourceColumns, Base):
    """No foreign key to offers: events may name offers defined outside the store."""

    __tablename__ = "offer_events"
    __table_args__ = (Index("ix_offer_events_customer", "customer_id", "offer_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    offer_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
