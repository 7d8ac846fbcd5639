"""Consent, the offer catalogue, offer events, purchases and value on SQL."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from memory import crm_input, errors, validation
from memory.crm_views import (
    ConsentView,
    CustomerValue,
    OfferEventView,
    OfferView,
    PurchaseView,
    ValuePolicy,
)
from memory.rules import value_summary
from memory.sql.base import SqlBase
from memory.sql.crm import source_of
from memory.sql.models_crm import Consent, OfferEvent, Purchase
from memory.sql.unit_of_work import UnitOfWork
from memory.views import Source

CENT = Decimal("0.01")


def consent_view(row) -> ConsentView:
    return ConsentView(row.id, row.customer_id, row.purpose, row.channel, row.wording,
                       row.granted_at, row.revoked_at)


def offer_view(row) -> OfferView:
    return OfferView(row.offer_id, row.title, row.description, row.purpose, bool(row.active),
                     dict(row.attributes or {}))


def event_view(row) -> OfferEventView:
    return OfferEventView(row.id, row.customer_id, row.offer_id, row.kind, source_of(row),
                          row.created_at)


def purchase_view(row) -> PurchaseView:
    return PurchaseView(row.id, row.customer_id, (Decimal(row.amount_minor) * CENT),
                        row.currency, row.product, row.purchased_at, row.reference,
                        source_of(row))


def _active(purpose: str):
    return (Consent.purpose == purpose, Consent.revoked_at.is_(None))


class SqlMarketing(SqlBase):
    _value_policy: ValuePolicy

    async def grant_consent(self, customer_id, purpose, *, channel, wording,
                            source: Source | None = None) -> ConsentView:
        values = crm_input.consent(purpose, channel, wording)
        if source is not None:
            validation.source(source)
        values["granted_at"] = self._now()

        def grant(uow: UnitOfWork) -> ConsentView:
            live_id = uow.customers.resolve(customer_id, lock=True)
            row = uow.consents.get(uow.consents.add({"customer_id": live_id, **values}))
            uow.commit()
            return consent_view(row)

        return await self._write(grant)

    async def revoke_consent(self, customer_id, purpose, *, source: Source | None = None) -> int:
        purpose = validation.text("purpose", purpose, crm_input.MAX_LABEL)
        if source is not None:
            validation.source(source)
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

    async def upsert_offer(self, offer_id, *, title, description="", purpose="offers",
                           active=True, attributes=None) -> OfferView:
        values = crm_input.offer(offer_id, title, description, purpose, active, attributes)

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

    async def record_offer_event(self, customer_id, offer_id, kind, *,
                                 source: Source) -> OfferEventView:
        values = crm_input.offer_event(offer_id, kind, source)
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

    async def record_purchase(self, customer_id, *, amount, currency, product, source,
                              purchased_at=None, reference=None) -> PurchaseView:
        now = self._now()
        values = crm_input.purchase(amount, currency, product, source, purchased_at, reference,
                                    now)
        values.update(values.pop("source").as_dict(), recorded_at=now,
                      amount_minor=int(values.pop("amount") / CENT))

        def record(uow: UnitOfWork) -> PurchaseView:
            live_id = uow.customers.resolve(customer_id, lock=True)
            if values["reference"] is not None:
                existing = uow.purchases.first(Purchase.reference == values["reference"])
                if existing is not None:
                    return purchase_view(existing)
            row = uow.purchases.get(uow.purchases.add({"customer_id": live_id, **values}))
            uow.commit()
            return purchase_view(row)

        return await self._write(record)

    async def purchases(self, customer_id: str) -> list[PurchaseView]:
        def read(uow: UnitOfWork) -> list[PurchaseView]:
            live_id = uow.customers.resolve(customer_id)
            return [purchase_view(r) for r in uow.purchases.for_customer(live_id)]

        return await self._read(read)

    async def value(self, customer_id: str) -> CustomerValue:
        def read(uow: UnitOfWork):
            live_id = uow.customers.resolve(customer_id)
            return (
                live_id,
                uow.customers.created_at(live_id),
                [purchase_view(r) for r in uow.purchases.for_customer(live_id)],
                [(r.created_at, r.budget) for r in uow.needs.for_customer(live_id)],
            )

        live_id, created_at, purchases, budgets = await self._read(read)
        return value_summary(policy=self._value_policy, customer_id=live_id,
                             created_at=created_at, purchases=purchases, need_budgets=budgets,
                             now=self._now())
