"""Offers area on SQL: consents, the offer catalogue and offer events."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from memory import errors
from memory.api.offers import ConsentView, OfferEventView, OfferView
from memory.sql.base import SqlBase, source_of
from memory.sql.models.offers import Consent, OfferEvent
from memory.sql.unit_of_work import UnitOfWork


def consent_view(row) -> ConsentView:
    return ConsentView(row.id, row.customer_id, row.purpose, row.channel, row.wording,
                       row.granted_at, row.revoked_at)


def offer_view(row) -> OfferView:
    return OfferView(row.offer_id, row.title, row.description, row.purpose, bool(row.active),
                     dict(row.attributes or {}))


def event_view(row) -> OfferEventView:
    return OfferEventView(row.id, row.customer_id, row.offer_id, row.kind, source_of(row),
                          row.created_at)


def _active(purpose: str):
    return (Consent.purpose == purpose, Consent.revoked_at.is_(None))


class SqlOffers(SqlBase):
    async def _grant_consent(self, customer_id: str, values: dict[str, Any]) -> ConsentView:
        values["granted_at"] = self._now()

        def grant(uow: UnitOfWork) -> ConsentView:
            live_id = uow.customers.resolve(customer_id, lock=True)
            row = uow.consents.get(uow.consents.add({"customer_id": live_id, **values}))
            uow.commit()
            return consent_view(row)

        return await self._write(grant)

    async def _revoke_consent(self, customer_id: str, purpose: str) -> int:
        now = self._now()

        def revoke(uow: UnitOfWork) -> int:
            live_id = uow.customers.resolve(customer_id, lock=True)
            revoked = uow.consents.update(
                {"revoked_at": now}, Consent.customer_id == live_id, *_active(purpose)
            )
            uow.commit()
            return revoked

        return await self._write(revoke)

    async def has_consent(self, customer_id: str, purpose: str) -> bool:
        def read(uow: UnitOfWork) -> bool:
            live_id = uow.customers.resolve(customer_id)
            return bool(uow.consents.for_customer(live_id, *_active(purpose)))

        return await self._read(read)

    async def consents(self, customer_id: str) -> list[ConsentView]:
        def read(uow: UnitOfWork) -> list[ConsentView]:
            live_id = uow.customers.resolve(customer_id)
            return [consent_view(r) for r in uow.consents.for_customer(live_id)]

        return await self._read(read)

    async def _upsert_offer(self, values: dict[str, Any]) -> OfferView:
        def upsert(uow: UnitOfWork) -> OfferView:
            uow.offers.upsert(values, self._now())
            row = uow.offers.get(values["offer_id"])
            uow.commit()
            return offer_view(row)

        return await self._write(upsert)

    async def offer(self, offer_id: str) -> OfferView:
        def read(uow: UnitOfWork) -> OfferView:
            row = uow.offers.get(offer_id)
            if row is None:
                raise errors.UnknownOffer(str(offer_id))
            return offer_view(row)

        return await self._read(read)

    async def offers(self, *, include_inactive: bool = False) -> list[OfferView]:
        return await self._read(
            lambda uow: [offer_view(r) for r in uow.offers.all(include_inactive)]
        )

    async def _record_offer_event(
        self, customer_id: str, values: dict[str, Any]
    ) -> OfferEventView:
        values.update(values.pop("source").as_dict(), created_at=self._now())

        def record(uow: UnitOfWork) -> OfferEventView:
            live_id = uow.customers.resolve(customer_id, lock=True)
            offer = uow.offers.get(values["offer_id"])
            if values["kind"] == "shown" and offer is not None and offer.purpose is not None:
                if not uow.consents.for_customer(live_id, *_active(offer.purpose)):
                    raise errors.ConsentRequired(offer.purpose)
            row = uow.offer_events.get(uow.offer_events.add({"customer_id": live_id, **values}))
            uow.commit()
            return event_view(row)

        return await self._write(record)

    async def offer_events(self, customer_id, offer_id=None) -> list[OfferEventView]:
        def read(uow: UnitOfWork) -> list[OfferEventView]:
            live_id = uow.customers.resolve(customer_id)
            conditions = () if offer_id is None else (OfferEvent.offer_id == offer_id,)
            return [event_view(r) for r in uow.offer_events.for_customer(live_id, *conditions)]

        return await self._read(read)

    async def last_declined(self, customer_id: str, offer_id: str) -> datetime | None:
        def read(uow: UnitOfWork) -> datetime | None:
            live_id = uow.customers.resolve(customer_id)
            rows = uow.offer_events.for_customer(
                live_id, OfferEvent.offer_id == offer_id, OfferEvent.kind == "declined"
            )
            return rows[0].created_at if rows else None

        return await self._read(read)
