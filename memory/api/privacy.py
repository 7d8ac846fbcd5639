"""Privacy area: the data-access export, audited erasure and the audit log.

The export is built from the public API, so it looks the same whatever the backend.
The interface checks every input once, then calls the storage step that the fake and
SQL stores implement.
"""
from __future__ import annotations

import abc
import dataclasses
import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from memory.api import validation

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


async def build_export(store: Any, customer_id: str) -> dict[str, Any]:
    """The export document, read through `store`'s public methods (a ProfileStore)."""
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


class PrivacyStore(abc.ABC):
    """Data-access and erasure requests."""

    @abc.abstractmethod
    async def export(self, customer_id: str) -> dict[str, Any]:
        """Everything held about the customer, JSON-serialisable (see ProfileStore)."""

    async def erase(self, customer_id: str, *, actor: str, reason: str) -> None:
        """Delete everything personal about the customer, leaving an audit record."""
        await self._erase(
            customer_id, actor=validation.name("actor", actor),
            reason=validation.text("reason", reason, validation.MAX_LONG_TEXT),
        )

    @abc.abstractmethod
    async def audit_log(self, customer_id: str) -> list[dict[str, Any]]:
        """Audit records about the customer (links, merges, erasure), oldest first."""

    @abc.abstractmethod
    async def _erase(self, customer_id: str, *, actor: str, reason: str) -> None:
        """Delete the customer's data and audit it; actor and reason are checked."""
