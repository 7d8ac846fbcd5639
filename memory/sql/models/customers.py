"""Tables of the customers area: customers, their identities and their facts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memory.sql.models.base import Base, BigId
from memory.sql.types import UTCDateTime


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Identity(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_identities_channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    linked_by: Mapped[str | None] = mapped_column(String(200))


class FactObservation(Base):
    """Every value ever observed for a fact key: the history."""

    __tablename__ = "fact_observations"
    __table_args__ = (
        Index("ix_fact_observations_history", "customer_id", "key", "observed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(200))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confidence: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CurrentFact(Base):
    """Points at the newest observation of each (customer, key): the profile.

    Keeping it separate makes a profile read one primary-key range scan, whatever
    the size of the history.
    """

    __tablename__ = "current_facts"
    __table_args__ = {"sqlite_with_rowid": False}

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("fact_observations.id"))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
