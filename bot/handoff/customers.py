"""What staff see about a customer, read through the profile store API, as JSON-ready dicts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from memory import ProfileStore, errors
from memory.api.handoffs import iso

from bot.handoff.rules import worst_severity

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueContext:
    """The little the queue needs: who, how valuable, how bad."""

    name: str | None
    value_tier: str | None
    open_severities: tuple[str, ...]
    open_complaint: str | None  # the newest open complaint's reference

    @property
    def severity(self) -> str | None:
        return worst_severity(self.open_severities)


async def queue_context(store: ProfileStore, customer_id: str) -> QueueContext:
    profile = await store.profile(customer_id)
    name = " ".join(v for v in (profile.get("first_name"), profile.get("last_name")) if v) or None
    tier, open_ones = await value_and_open_complaints(store, customer_id)
    return QueueContext(
        name=name, value_tier=tier, open_severities=tuple(c.severity for c in open_ones),
        open_complaint=open_ones[0].reference if open_ones else None,
    )


async def value_and_open_complaints(store: ProfileStore, customer_id: str):
    tier = (await store.value(customer_id)).tier
    open_ones = [c for c in await store.complaints(customer_id) if c.is_open]
    return tier, open_ones


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _source(source) -> dict[str, Any]:
    return {"channel": source.channel, "conversation_id": source.conversation_id, "actor": source.actor}


async def panel(store: ProfileStore, customer_id: str) -> dict[str, Any]:
    """The profile panel: facts with sources, needs, complaints, consents, value, satisfaction,
    interactions on every channel and the channels the customer is known on."""
    profile = await store.profile(customer_id)
    value = await store.value(customer_id)
    trend = await store.satisfaction_trend(customer_id, last=10)
    return {
        "customer_id": customer_id,
        "facts": [
            {"key": f.key, "value": f.value, "source": _source(f.source),
             "observed_at": iso(f.observed_at), "stale": f.stale, "confidence": f.confidence}
            for f in sorted(profile.facts.values(), key=lambda f: f.key)
        ],
        "needs": [
            {"id": n.id, "category": n.category, "product": n.product, "budget": n.budget,
             "timeframe": n.timeframe, "words": n.words, "created_at": iso(n.created_at),
             "source": _source(n.source)}
            for n in (await store.needs(customer_id))[:20]
        ],
        "complaints": [
            {"reference": c.reference, "category": c.category, "description": c.description,
             "severity": c.severity, "status": c.status, "owner": c.owner, "order_ref": c.order_ref,
             "related_to": c.related_to, "created_at": iso(c.created_at), "updated_at": iso(c.updated_at),
             "resolution": next((t.note for t in reversed(c.transitions) if t.note), None),
             "open": c.is_open}
            for c in (await store.complaints(customer_id))[:20]
        ],
        "consents": [
            {"purpose": c.purpose, "channel": c.channel, "wording": c.wording,
             "granted_at": iso(c.granted_at), "revoked_at": iso(c.revoked_at), "active": c.active}
            for c in await store.consents(customer_id)
        ],
        "value": {
            "tier": value.tier, "potential": _plain(value.potential), "currency": value.currency,
            "spend_in_window": _plain(value.spend_in_window), "lifetime_spend": _plain(value.lifetime_spend),
            "window_days": value.window_days, "drifting": value.drifting,
            "last_purchase_at": iso(value.last_purchase_at),
        },
        "satisfaction": {
            "latest": trend.latest, "average": trend.average, "direction": trend.direction,
            "readings": [{"level": r.level, "at": iso(r.created_at), "channel": r.source.channel}
                         for r in trend.readings],
        },
        "follow_ups": [
            {"complaint": f.complaint_reference, "due_at": iso(f.due_at), "note": f.note,
             "done_at": iso(f.done_at), "created_by": f.created_by}
            for f in await store.follow_ups(customer_id, include_done=True, limit=20)
        ],
        "interactions": [
            {"conversation_id": i.conversation_id, "channel": i.channel, "started_at": iso(i.started_at),
             "ended_at": iso(i.ended_at), "summary": i.summary}
            for i in (await store.interactions(customer_id))[:30]
        ],
        "identities": sorted({i.channel for i in await store.identities(customer_id)}),
    }


async def safe_panel(store: ProfileStore, customer_id: str) -> dict[str, Any] | None:
    try:
        return await panel(store, customer_id)
    except errors.ProfileStoreError as error:
        logger.warning("could not read the profile panel: %s", type(error).__name__)
        return None
