"""Tables of the privacy area: the audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId
from memory.sql.types import JSONDocument, UTCDateTime


class AuditRecord(Base):
    """Who did what to which customer. Holds ids and reasons, never personal values.

    No foreign key on purpose: the record outlives an erased customer's data.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_customer", "customer_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    customer_id: Mapped[str] = mapped_column(String(32))
    other_customer_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
