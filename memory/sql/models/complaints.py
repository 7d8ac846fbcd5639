"""Tables of the complaints area: complaints, their transitions, amendments and follow-ups."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId, ChangeColumns, SourceColumns
from memory.sql.types import UTCDateTime


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
