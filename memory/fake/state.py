"""The in-memory fake's tables: plain dicts and lists guarded by the event loop.

No method of the fake awaits in the middle of a change, so every operation is
atomic exactly like a committed transaction in the SQL store.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from memory.api.complaints import ComplaintView, FollowUpView
from memory.api.conversations import InteractionView, MessageView
from memory.api.customers import FactView
from memory.api.needs import NeedView
from memory.api.offers import ConsentView, OfferEventView, OfferView
from memory.api.satisfaction import SatisfactionReading
from memory.api.value import PurchaseView


@dataclass
class CustomerRow:
    created_at: datetime
    merged_into: str | None = None
    erased_at: datetime | None = None


@dataclass
class IdentityRow:
    customer_id: str
    linked_at: datetime
    linked_by: str | None
    seq: int


@dataclass
class ObservationRow:
    id: int
    customer_id: str
    fact: FactView


@dataclass
class State:
    customers: dict[str, CustomerRow] = field(default_factory=dict)
    identities: dict[tuple[str, str], IdentityRow] = field(default_factory=dict)
    # Both keyed by customer id, so a profile read does not scan everybody.
    observations: dict[str, list[ObservationRow]] = field(default_factory=dict)
    current: dict[str, dict[str, ObservationRow]] = field(default_factory=dict)
    interactions: dict[str, InteractionView] = field(default_factory=dict)
    messages: dict[str, list[MessageView]] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    needs: dict[str, list[NeedView]] = field(default_factory=dict)
    complaints: dict[int, ComplaintView] = field(default_factory=dict)
    follow_ups: dict[int, FollowUpView] = field(default_factory=dict)
    satisfaction: dict[str, list[SatisfactionReading]] = field(default_factory=dict)
    consents: dict[str, list[ConsentView]] = field(default_factory=dict)
    offers: dict[str, OfferView] = field(default_factory=dict)
    offer_events: dict[str, list[OfferEventView]] = field(default_factory=dict)
    purchases: dict[str, list[PurchaseView]] = field(default_factory=dict)
    # Channels (memory.fake.channels): API keys by hash, requests by (scope, key), tokens by id.
    api_keys: dict[str, Any] = field(default_factory=dict)
    requests: dict[tuple[str, str], Any] = field(default_factory=dict)
    link_tokens: dict[str, Any] = field(default_factory=dict)
    complaint_numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    sequence: itertools.count = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self.sequence)
