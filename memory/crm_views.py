"""Views and vocabularies for needs, complaints, satisfaction, consent, offers and value.

Statuses, levels and kinds are plain strings in views (easy to compare, format and
serialise); the Enums below name the allowed values and are accepted as input.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from memory.views import Source


class Satisfaction(str, enum.Enum):
    """The five levels; each has its own course of action in the bot."""

    COMPLETELY_DISSATISFIED = "completely_dissatisfied"
    DISSATISFIED = "dissatisfied"
    NEUTRAL = "neutral"
    SATISFIED = "satisfied"
    COMPLETELY_SATISFIED = "completely_satisfied"

    @property
    def score(self) -> int:
        return SATISFACTION_LEVELS.index(self.value) + 1


SATISFACTION_LEVELS = tuple(level.value for level in Satisfaction)


class ComplaintStatus(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REOPENED = "reopened"


COMPLAINT_STATUSES = tuple(status.value for status in ComplaintStatus)


class Severity(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITIES = tuple(severity.value for severity in Severity)


class OfferEventKind(str, enum.Enum):
    SHOWN = "shown"
    ACCEPTED = "accepted"
    DECLINED = "declined"


OFFER_EVENT_KINDS = tuple(kind.value for kind in OfferEventKind)


class Unchanged(enum.Enum):
    """The type of UNCHANGED: "leave this field as it is" in amend_need/amend_complaint,
    where None means "clear it"."""

    UNCHANGED = "unchanged"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class FieldChange:
    """One field of a need or complaint changed by an amendment: the history row.

    `actor` is who changed it (for a need: the source's actor, or "customer via
    <channel>"); `source` is where the new value came from (None when a staff member
    amended a complaint without one).
    """

    field: str
    old_value: str | None
    new_value: str | None
    at: datetime
    actor: str
    source: Source | None


@dataclass(frozen=True)
class NeedView:
    id: int
    customer_id: str
    category: str
    product: str | None
    budget: str | None
    timeframe: str | None
    words: str
    source: Source
    created_at: datetime
    # Every amendment, oldest first: the current values are the fields above.
    changes: tuple[FieldChange, ...] = ()

    @property
    def updated_at(self) -> datetime:
        """When the need last changed (created_at if it never did)."""
        return self.changes[-1].at if self.changes else self.created_at


@dataclass(frozen=True)
class ComplaintTransition:
    from_status: str | None
    to_status: str
    at: datetime
    actor: str
    note: str | None


@dataclass(frozen=True)
class ComplaintView:
    id: int
    reference: str
    customer_id: str
    category: str
    description: str
    severity: str
    status: str
    owner: str | None
    product_ref: str | None
    order_ref: str | None
    related_to: str | None
    source: Source
    created_at: datetime
    updated_at: datetime
    transitions: tuple[ComplaintTransition, ...] = ()
    # Every amendment of its fields, oldest first (status moves are in `transitions`).
    changes: tuple[FieldChange, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintStatus.RESOLVED.value


@dataclass(frozen=True)
class FollowUpView:
    """A promise to get back to the customer about a complaint by `due_at`."""

    id: int
    complaint_reference: str
    customer_id: str
    due_at: datetime
    created_at: datetime
    created_by: str
    note: str | None
    done_at: datetime | None = None
    done_by: str | None = None


@dataclass(frozen=True)
class SatisfactionReading:
    id: int
    customer_id: str
    level: str
    source: Source
    created_at: datetime
    comment: str | None = None

    @property
    def score(self) -> int:
        return SATISFACTION_LEVELS.index(self.level) + 1


@dataclass(frozen=True)
class SatisfactionTrend:
    latest: str | None
    average: float | None
    direction: str  # "improving", "declining", "steady" or "unknown"
    readings: tuple[SatisfactionReading, ...] = ()


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


@dataclass(frozen=True)
class PurchaseView:
    id: int
    customer_id: str
    amount: Decimal
    currency: str
    product: str
    purchased_at: datetime
    reference: str | None
    source: Source


@dataclass(frozen=True)
class ValuePolicy:
    """Thresholds for value tiers; amounts are in `currency`, other currencies are ignored.

    The gateway sets `currency` from RAPPORT_CURRENCY (bot.settings); GBP, the
    catalogue's currency, by default.
    """

    currency: str = "GBP"
    window_days: int = 365
    top_spend: Decimal = Decimal("1000")
    new_customer_days: int = 90
    drift_after_days: int = 180


@dataclass(frozen=True)
class CustomerValue:
    customer_id: str
    currency: str
    window_days: int
    spend_in_window: Decimal
    lifetime_spend: Decimal
    purchases_in_window: int
    last_purchase_at: datetime | None
    potential: Decimal
    tier: str  # "top", "standard" or "new"
    drifting: bool
