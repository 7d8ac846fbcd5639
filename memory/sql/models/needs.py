"""Tables of the needs area: needs and their amendment history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId, ChangeColumns, SourceColumns
from memory.sql.types import UTCDateTime


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


class NeedChange(ChangeColumns, Base):
    __tablename__ = "need_changes"
    __table_args__ = (Index("ix_need_changes_need", "need_id", "id"),)

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"))
