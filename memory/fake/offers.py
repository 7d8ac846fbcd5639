"""Offers area in memory: consents, the offer catalogue and offer events."""
from __future__ import annotations

import copy
import dataclasses
from datetime import datetime
from typing import Any

from memory import errors
from memory.api.offers import ConsentView, OfferEventView, OfferView
from memory.fake.base import FakeBase


class FakeOffers(FakeBase):
    async def _grant_consent(self, customer_id: str, values: dict[str, Any]) -> ConsentView:
        customer_id = self._resolve(customer_id)
        consent = ConsentView(id=self._state.next_id(), customer_id=customer_id,
                              granted_at=self._now(), revoked_at=None, **values)
        self._state.consents.setdefault(customer_id, []).append(consent)
        return consent

    async def _revoke_consent(self, customer_id: str, purpose: str) -> int:
        customer_id = self._resolve(customer_id)
        consents = self._state.consents.get(customer_id, [])
        now = self._now()
        revoked = 0
        for index, consent in enumerate(consents):
            if consent.purpose == purpose and consent.revoked_at is None:
                consents[index] = dataclasses.replace(consent, revoked_at=now)
                revoked += 1
        return revoked

    async def has_consent(self, customer_id: str, purpose: str) -> bool:
        customer_id = self._resolve(customer_id)
        return self._consented(customer_id, purpose)

    def _consented(self, customer_id: str, purpose: str) -> bool:
        return any(c.purpose == purpose and c.revoked_at is None
                   for c in self._state.consents.get(customer_id, []))

    async def consents(self, customer_id: str) -> list[ConsentView]:
        customer_id = self._resolve(customer_id)
        return sorted(self._state.consents.get(customer_id, []),
                      key=lambda c: (c.granted_at, c.id), reverse=True)

    async def _upsert_offer(self, values: dict[str, Any]) -> OfferView:
        offer = OfferView(**values)
        self._state.offers[offer.offer_id] = offer
        return _copy(offer)

    async def offer(self, offer_id: str) -> OfferView:
        offer = self._state.offers.get(offer_id)
        if offer is None:
            raise errors.UnknownOffer(str(offer_id))
        return _copy(offer)

    async def offers(self, *, include_inactive: bool = False) -> list[OfferView]:
        return [_copy(o) for _, o in sorted(self._state.offers.items())
                if include_inactive or o.active]

    async def _record_offer_event(
        self, customer_id: str, values: dict[str, Any]
    ) -> OfferEventView:
        customer_id = self._resolve(customer_id)
        offer = self._state.offers.get(values["offer_id"])
        if values["kind"] == "shown" and offer is not None and offer.purpose is not None:
            if not self._consented(customer_id, offer.purpose):
                raise errors.ConsentRequired(offer.purpose)
        event = OfferEventView(id=self._state.next_id(), customer_id=customer_id,
                               created_at=self._now(), **values)
        self._state.offer_events.setdefault(customer_id, []).append(event)
        return event

    async def offer_events(self, customer_id, offer_id=None) -> list[OfferEventView]:
        customer_id = self._resolve(customer_id)
        events = [e for e in self._state.offer_events.get(customer_id, [])
                  if offer_id is None or e.offer_id == offer_id]
        return sorted(events, key=lambda e: (e.created_at, e.id), reverse=True)

    async def last_declined(self, customer_id: str, offer_id: str) -> datetime | None:
        declined = [e for e in await self.offer_events(customer_id, offer_id)
                    if e.kind == "declined"]
        return declined[0].created_at if declined else None

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        state = self._state
        for table in (state.consents, state.offer_events):
            moved = [dataclasses.replace(r, customer_id=to_id) for r in table.pop(from_id, [])]
            table.setdefault(to_id, []).extend(moved)
        super()._move_customer_data(from_id, to_id)

    def _erase_customer_data(self, customer_id: str) -> dict[str, int]:
        state = self._state
        return {
            "consents": len(state.consents.pop(customer_id, [])),
            "offer_events": len(state.offer_events.pop(customer_id, [])),
            **super()._erase_customer_data(customer_id),
        }


def _copy(offer: OfferView) -> OfferView:
    """Attributes are a mutable dict: callers must not change the catalogue through it."""
    return dataclasses.replace(offer, attributes=copy.deepcopy(offer.attributes))
