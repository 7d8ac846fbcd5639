"""Tables of the satisfaction area: one row per reading."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId, SourceColumns
from memory.sql.types import UTCDateTime


class SatisfactionRow(SourceColumns, Base):
    __tablename__ = "satisfaction_readings"
    __table_args__ = (Index("ix_satisfaction_readings_customer", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    level: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
