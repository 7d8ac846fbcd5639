"""ORM models of needs, complaints, satisfaction, consent, offers and purchases."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models import Base, BigId
from memory.sql.types import JSONDocument, UTCDateTime


class SourceColumns:
    """Where the row's information came from (see memory.Source)."""

    channel: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(200))


class Need(SourceColumns, Base):
    __tablename__ = "needs"
    __table_args__ = (Index("ix_needs_customer", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    category: Mapped[str] = mapped_column(String(100))
    product: Mapped[str | None] = mapped_column(String(200))
    budget: Mapped[str | None] = mapped_column(String(100))
    timeframe: Mapped[str | None] = mapped_column(String(100))
    words: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set by the first amendment: a read looks for history only where there is some.
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChangeColumns:
    """One amended field: old and new value, when, by whom, and the new value's source."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(200))
    source_actor: Mapped[str | None] = mapped_column(String(200))


class NeedChange(ChangeColumns, Base):
    __tablename__ = "need_changes"
    __table_args__ = (Index("ix_need_changes_need", "need_id", "id"),)

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"))


class Complaint(SourceColumns, Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_customer", "customer_id", "created_at"),
        Index("ix_complaints_status", "status", "created_at"),
        Index("ix_complaints_owner", "owner", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    category: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(200))
    product_ref: Mapped[str | None] = mapped_column(String(200))
    order_ref: Mapped[str | None] = mapped_column(String(200))
    related_to: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # as needs.amended_at


class ComplaintTransitionRow(Base):
    __tablename__ = "complaint_transitions"
    __table_args__ = (Index("ix_complaint_transitions_complaint", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class ComplaintChange(ChangeColumns, Base):
    __tablename__ = "complaint_changes"
    __table_args__ = (Index("ix_complaint_changes_complaint", "complaint_id", "id"),)

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))


class ComplaintFollowUp(Base):
    __tablename__ = "complaint_follow_ups"
    __table_args__ = (
        Index("ix_complaint_follow_ups_customer", "customer_id", "due_at"),
        Index("ix_complaint_follow_ups_queue", "done_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(200))


class SatisfactionRow(SourceColumns, Base):
    __tablename__ = "satisfaction_readings"
    __table_args__ = (Index("ix_satisfaction_readings_customer", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    level: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


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


class Purchase(SourceColumns, Base):
    """Amounts in minor units (cents): exact on every backend."""

    __tablename__ = "purchases"
    __table_args__ = (Index("ix_purchases_customer", "customer_id", "purchased_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    product: Mapped[str] = mapped_column(String(200))
    purchased_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reference: Mapped[str | None] = mapped_column(String(200), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
