"""Immutable values for what the channels keep in the store: API keys, requests, link tokens."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# What `claim_request` found: the caller now owns the request, another caller is still
# processing it, or it was completed and `response` is what it answered.
CLAIMED, PENDING, DONE = "claimed", "pending", "done"


@dataclass(frozen=True)
class ApiKeyView:
    """One REST integration's key. Only its SHA-256 is stored, never the key itself."""

    integration: str
    prefix: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class RequestClaim:
    state: str
    conversation_id: str
    response: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True)
class LinkRedemption:
    """A redeemed link token: the customer the identity now belongs to, and whom it absorbed."""

    customer_id: str
    source_channel: str
    merged_customer_id: str | None = None
