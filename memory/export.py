"""The data-access export: one JSON-serialisable document built from the public API.

Both store implementations use this, so an export looks the same whatever the backend.
"""
from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memory.interface import ProfileStore

EXPORT_FORMAT = 1


def plain(value: Any) -> Any:
    """Views, enums, datetimes and decimals as JSON-friendly values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


async def build_export(store: "ProfileStore", customer_id: str) -> dict[str, Any]:
    profile = await store.profile(customer_id)
    customer_id = profile.customer_id
    interactions = []
    for interaction in await store.interactions(customer_id):
        messages = await store.transcript(interaction.conversation_id, limit=1_000_000)
        interactions.append({**plain(interaction), "messages": plain(messages)})
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "customer_id": customer_id,
        "identities": plain(await store.identities(customer_id)),
        "profile": plain(profile.facts),
        "fact_history": plain(await store.fact_history(customer_id)),
        "interactions": interactions,
        "needs": plain(await store.needs(customer_id)),
        "complaints": plain(await store.complaints(customer_id, limit=1_000_000)),
        "follow_ups": plain(
            await store.follow_ups(customer_id, include_done=True, limit=1_000_000)
        ),
        "satisfaction": plain(await store.satisfaction(customer_id)),
        "consents": plain(await store.consents(customer_id)),
        "offer_events": plain(await store.offer_events(customer_id)),
        "purchases": plain(await store.purchases(customer_id)),
    }
    return document
