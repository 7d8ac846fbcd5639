"""Tables of the value area: purchases."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId, SourceColumns
from memory.sql.types import UTCDateTime


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
