"""The abstract API for needs, complaints, satisfaction, consent, offers and value.

Part of `ProfileStore` (see memory.interface); same rules: every method is one
unit of work, unknown customers raise `UnknownCustomer`, lists are newest first.
"""
from __future__ import annotations

import abc
from datetime import datetime
from decimal import Decimal
from typing import Any

from memory.crm_views import (
    ComplaintView,
    ConsentView,
    CustomerValue,
    FollowUpView,
    NeedView,
    OfferEventView,
    OfferView,
    PurchaseView,
    SatisfactionReading,
    SatisfactionTrend,
    UNCHANGED,
    Unchanged,
)
from memory.views import Source


class NeedsAndComplaints(abc.ABC):
    @abc.abstractmethod
    async def add_need(
        self,
        customer_id: str,
        *,
        category: str,
        words: str,
        source: Source,
        product: str | None = None,
        budget: str | None = None,
        timeframe: str | None = None,
    ) -> NeedView:
        """Record a need found out in conversation, with the customer's own words."""

    @abc.abstractmethod
    async def amend_need(
        self,
        need_id: int,
        *,
        source: Source,
        category: str | Unchanged = UNCHANGED,
        product: str | None | Unchanged = UNCHANGED,
        budget: str | None | Unchanged = UNCHANGED,
        timeframe: str | None | Unchanged = UNCHANGED,
        words: str | Unchanged = UNCHANGED,
    ) -> NeedView:
        """Change the fields given (None clears an optional one) and keep the old values:
        one FieldChange per changed field in `NeedView.changes`. A value equal to the
        current one is no change, so a call that changes nothing returns the need as it
        is. Same checks as add_need; an unknown id raises UnknownNeed."""

    @abc.abstractmethod
    async def needs(self, customer_id: str) -> list[NeedView]: ...

    @abc.abstractmethod
    async def open_complaint(
        self,
        customer_id: str,
        *,
        category: str,
        description: str,
        source: Source,
        severity: str = "medium",
        product_ref: str | None = None,
        order_ref: str | None = None,
        related_to: str | None = None,
        owner: str | None = None,
        actor: str | None = None,
    ) -> ComplaintView:
        """Open a complaint; it gets a reference like "C-000123". `related_to` names an
        earlier complaint of the same customer (a repeat complaint)."""

    @abc.abstractmethod
    async def amend_complaint(
        self,
        reference: str,
        *,
        actor: str,
        source: Source | None = None,
        category: str | Unchanged = UNCHANGED,
        severity: str | Unchanged = UNCHANGED,
        order_ref: str | None | Unchanged = UNCHANGED,
        product_ref: str | None | Unchanged = UNCHANGED,
        description: str | Unchanged = UNCHANGED,
    ) -> ComplaintView:
        """Change the fields given, as amend_need does, and bump `updated_at` when
        anything changed; the old values are in `ComplaintView.changes`. Same checks as
        open_complaint. A resolved complaint takes only order_ref and description;
        changing anything else raises ComplaintResolved (reopen it first)."""

    @abc.abstractmethod
    async def transition_complaint(
        self, reference: str, status: str, *, actor: str, note: str | None = None
    ) -> ComplaintView:
        """Move along open -> in_progress -> resolved (resolved -> reopened); InvalidTransition
        otherwise. Every transition is kept with its time and actor."""

    @abc.abstractmethod
    async def assign_complaint(self, reference: str, owner: str, *, actor: str) -> ComplaintView: ...

    @abc.abstractmethod
    async def complaint(self, reference: str) -> ComplaintView: ...

    @abc.abstractmethod
    async def complaints(
        self,
        customer_id: str | None = None,
        *,
        status: str | None = None,
        owner: str | None = None,
        limit: int = 200,
    ) -> list[ComplaintView]:
        """One customer's complaints, or everybody's (customer_id None) for the console."""

    @abc.abstractmethod
    async def schedule_follow_up(
        self, reference: str, *, due_at: datetime, actor: str, note: str | None = None
    ) -> FollowUpView:
        """Promise to get back to the customer about a complaint by `due_at`."""

    @abc.abstractmethod
    async def complete_follow_up(self, follow_up_id: int, *, actor: str) -> FollowUpView: ...

    @abc.abstractmethod
    async def follow_ups(
        self,
        customer_id: str | None = None,
        *,
        due_before: datetime | None = None,
        include_done: bool = False,
        limit: int = 200,
    ) -> list[FollowUpView]:
        """Follow-ups, soonest due first: one customer's, or the whole work queue."""

    @abc.abstractmethod
    async def record_satisfaction(
        self, customer_id: str, level: str, *, source: Source, comment: str | None = None
    ) -> SatisfactionReading: ...

    @abc.abstractmethod
    async def satisfaction(self, customer_id: str) -> list[SatisfactionReading]: ...

    @abc.abstractmethod
    async def satisfaction_trend(self, customer_id: str, *, last: int = 5) -> SatisfactionTrend:
        """The latest level, the mean score (1-5) and the direction over the last readings."""


class ConsentAndOffers(abc.ABC):
    @abc.abstractmethod
    async def grant_consent(
        self,
        customer_id: str,
        purpose: str,
        *,
        channel: str,
        wording: str,
        source: Source | None = None,
    ) -> ConsentView:
        """Record explicit permission for one purpose, with the exact wording shown."""

    @abc.abstractmethod
    async def revoke_consent(
        self, customer_id: str, purpose: str, *, source: Source | None = None
    ) -> int:
        """Revoke every active consent for the purpose; returns how many were active."""

    @abc.abstractmethod
    async def has_consent(self, customer_id: str, purpose: str) -> bool: ...

    @abc.abstractmethod
    async def consents(self, customer_id: str) -> list[ConsentView]: ...

    @abc.abstractmethod
    async def upsert_offer(
        self,
        offer_id: str,
        *,
        title: str,
        description: str = "",
        purpose: str | None = "offers",
        active: bool = True,
        attributes: dict[str, Any] | None = None,
    ) -> OfferView:
        """Create or replace a catalogue offer. `purpose` is the consent it needs (None: none)."""

    @abc.abstractmethod
    async def offer(self, offer_id: str) -> OfferView: ...

    @abc.abstractmethod
    async def offers(self, *, include_inactive: bool = False) -> list[OfferView]: ...

    @abc.abstractmethod
    async def record_offer_event(
        self, customer_id: str, offer_id: str, kind: str, *, source: Source
    ) -> OfferEventView:
        """shown / accepted / declined. Showing a catalogued offer whose purpose the
        customer has not consented to raises ConsentRequired."""

    @abc.abstractmethod
    async def offer_events(
        self, customer_id: str, offer_id: str | None = None
    ) -> list[OfferEventView]: ...

    @abc.abstractmethod
    async def last_declined(self, customer_id: str, offer_id: str) -> datetime | None: ...

    @abc.abstractmethod
    async def record_purchase(
        self,
        customer_id: str,
        *,
        amount: Decimal | str | int,
        currency: str,
        product: str,
        source: Source,
        purchased_at: datetime | None = None,
        reference: str | None = None,
    ) -> PurchaseView:
        """Record or import a purchase. A repeated `reference` returns the first, stored once."""

    @abc.abstractmethod
    async def purchases(self, customer_id: str) -> list[PurchaseView]: ...

    @abc.abstractmethod
    async def value(self, customer_id: str) -> CustomerValue:
        """Spend in the policy window, potential from stated budgets, tier and drift."""
