"""ProfileStore: the one API the gateway, actions and back office use, composed of areas.

There are two implementations: `memory.sql.store.SqlProfileStore` (SQLite or PostgreSQL)
and `memory.fake.InMemoryProfileStore`. The same contract tests run against both. Every
method is a single unit of work: it either happens completely or not at all.
"""
from __future__ import annotations

import abc
from typing import Any

from memory.api.channels import ChannelStore
from memory.api.complaints import ComplaintStore
from memory.api.conversations import ConversationStore
from memory.api.customers import CustomerStore
from memory.api.needs import NeedStore
from memory.api.offers import OfferStore
from memory.api.privacy import PrivacyStore, build_export
from memory.api.satisfaction import SatisfactionStore
from memory.api.value import ValueStore


class ProfileStore(
    CustomerStore,
    ConversationStore,
    NeedStore,
    ComplaintStore,
    SatisfactionStore,
    OfferStore,
    ValueStore,
    ChannelStore,
    PrivacyStore,
    abc.ABC,
):
    """The whole store. Close it when done."""

    async def export(self, customer_id: str) -> dict[str, Any]:
        """Everything held about the customer, JSON-serialisable, read through every area."""
        return await build_export(self, customer_id)

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections. The store cannot be used afterwards."""

    async def __aenter__(self) -> "ProfileStore":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
