"""Offers area: consent per purpose, the offer catalogue, and offer events.

No offer is shown without consent to its purpose. The interface checks every input
once, then calls the storage step that the fake and SQL stores implement.
"""
from __future__ import annotations

import abc
import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from memory import errors
from memory.api import validation
from memory.api.provenance import Source


class OfferEventKind(str, enum.Enum):
    SHOWN = "shown"
    ACCEPTED = "accepted"
    DECLINED = "declined"


OFFER_EVENT_KINDS = tuple(kind.value for kind in OfferEventKind)


@dataclass(frozen=True)
class ConsentView:
    id: int
    customer_id: str
    purpose: str
    channel: str
    wording: str
    granted_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class OfferView:
    offer_id: str
    title: str
    description: str
    purpose: str | None
    active: bool
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OfferEventView:
    id: int
    customer_id: str
    offer_id: str
    kind: str
    source: Source
    created_at: datetime


class OfferStore(abc.ABC):
    """Consent and offers. Unknown customers raise UnknownCustomer; lists are newest first."""

    async def grant_consent(
        self, customer_id: str, purpose: str, *, channel: str, wording: str,
        source: Source | None = None,
    ) -> ConsentView:
        """Record explicit permission for one purpose, with the exact wording shown."""
        values = {
            "purpose": validation.text("purpose", purpose, validation.MAX_LABEL),
            "channel": validation.name("channel", channel),
            "wording": validation.text("wording", wording, validation.MAX_LONG_TEXT),
        }
        validation.optional_source(source)
        return await self._grant_consent(customer_id, values)

    async def revoke_consent(
        self, customer_id: str, purpose: str, *, source: Source | None = None
    ) -> int:
        """Revoke every active consent for the purpose; returns how many were active."""
        purpose = validation.text("purpose", purpose, validation.MAX_LABEL)
        validation.optional_source(source)
        return await self._revoke_consent(customer_id, purpose)

    @abc.abstractmethod
    async def has_consent(self, customer_id: str, purpose: str) -> bool: ...

    @abc.abstractmethod
    async def consents(self, customer_id: str) -> list[ConsentView]: ...

    async def upsert_offer(
        self, offer_id: str, *, title: str, description: str = "",
        purpose: str | None = "offers", active: bool = True,
        attributes: dict[str, Any] | None = None,
    ) -> OfferView:
        """Create or replace a catalogue offer. `purpose` is the consent it needs (None: none)."""
        if not isinstance(active, bool):
            raise errors.InvalidValue("active must be True or False")
        return await self._upsert_offer({
            "offer_id": validation.name("offer_id", offer_id),
            "title": validation.text("title", title, validation.MAX_SHORT_TEXT),
            "description": validation.text(
                "description", description, validation.MAX_LONG_TEXT, allow_empty=True
            ),
            "purpose": validation.optional_text("purpose", purpose, validation.MAX_LABEL) or None,
            "active": active,
            "attributes": validation.payload(attributes if attributes is not None else {}),
        })

    @abc.abstractmethod
    async def offer(self, offer_id: str) -> OfferView: ...

    @abc.abstractmethod
    async def offers(self, *, include_inactive: bool = False) -> list[OfferView]: ...

    async def record_offer_event(
        self, customer_id: str, offer_id: str, kind: str, *, source: Source
    ) -> OfferEventView:
        """shown / accepted / declined. Showing a catalogued offer whose purpose the
        customer has not consented to raises ConsentRequired."""
        return await self._record_offer_event(customer_id, {
            "offer_id": validation.name("offer_id", offer_id),
            "kind": validation.choice("kind", kind, OFFER_EVENT_KINDS),
            "source": validation.source(source),
        })

    @abc.abstractmethod
    async def offer_events(
        self, customer_id: str, offer_id: str | None = None
    ) -> list[OfferEventView]: ...

    @abc.abstractmethod
    async def last_declined(self, customer_id: str, offer_id: str) -> datetime | None: ...

    # Storage steps: called with checked input only (dicts keyed as the views' fields).

    @abc.abstractmethod
    async def _grant_consent(self, customer_id: str, values: dict[str, Any]) -> ConsentView: ...

    @abc.abstractmethod
    async def _revoke_consent(self, customer_id: str, purpose: str) -> int: ...

    @abc.abstractmethod
    async def _upsert_offer(self, values: dict[str, Any]) -> OfferView: ...

    @abc.abstractmethod
    async def _record_offer_event(
        self, customer_id: str, values: dict[str, Any]
    ) -> OfferEventView: ...
