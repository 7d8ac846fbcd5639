"""Repositories of the offers area: the offer catalogue (consents and offer events are
CustomerRows).

Each takes the unit of work's connection, queries with select() and never commits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Connection, Row, select

from memory.sql.dialect import upsert_insert
from memory.sql.models.offers import Offer


class OfferRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def upsert(self, values: dict[str, Any], at: datetime) -> None:
        statement = upsert_insert(self._c.dialect.name, Offer).values(**values, updated_at=at)
        changes = {name: statement.excluded[name] for name in (*values, "updated_at")}
        changes.pop("offer_id")
        statement = statement.on_conflict_do_update(
            index_elements=[Offer.offer_id], set_=changes
        )
        self._c.execute(statement)

    def get(self, offer_id: str) -> Row[Any] | None:
        return self._c.execute(select(Offer).where(Offer.offer_id == offer_id)).first()

    def all(self, include_inactive: bool) -> Sequence[Row[Any]]:
        statement = select(Offer).order_by(Offer.offer_id)
        if not include_inactive:
            statement = statement.where(Offer.active.is_(True))
        return self._c.execute(statement).all()
