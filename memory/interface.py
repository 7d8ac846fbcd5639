"""The abstract profile store: the one API the gateway, actions and back office use.

There are two implementations: `memory.sql.SqlProfileStore` (SQLite or PostgreSQL)
and `memory.fake.InMemoryProfileStore`. The same contract tests run against both.
Every method is a single unit of work: it either happens completely or not at all.
"""
from __future__ import annotations

import abc
from datetime import datetime
from collections.abc import Sequence
from typing import Any

from memory.interface_channels import ChannelStore
from memory.interface_crm import ConsentAndOffers, NeedsAndComplaints
from memory.views import (
    FactView, IdentityView, InteractionView, MessageView, NewMessage, Profile, Source,
)


class CustomerStore(abc.ABC):
    """Customers, their channel identities and their facts."""

    @abc.abstractmethod
    async def identify(self, channel: str, external_id: str) -> str:
        """Get or create the customer attached to this identity. Race-safe."""

    @abc.abstractmethod
    async def find_customer(self, channel: str, external_id: str) -> str | None:
        """The customer attached to this identity, without creating one."""

    @abc.abstractmethod
    async def identities(self, customer_id: str) -> list[IdentityView]:
        """Every identity attached to the customer, oldest first."""

    @abc.abstractmethod
    async def link_identity(
        self, customer_id: str, channel: str, external_id: str, *, actor: str, reason: str
    ) -> None:
        """Attach a verified identity to a customer; audited. IdentityConflict if taken."""

    @abc.abstractmethod
    async def merge_customers(self, keep_id: str, absorb_id: str, *, actor: str) -> None:
        """Move everything of `absorb_id` into `keep_id`; newer facts win. Audited.

        The absorbed id keeps working afterwards: it resolves to `keep_id`.
        """

    @abc.abstractmethod
    async def remember(
        self,
        customer_id: str,
        key: str,
        value: str,
        *,
        source: Source,
        confidence: float = 1.0,
        observed_at: datetime | None = None,
    ) -> FactView:
        """Record one observation of a fact. The newest observation is the current value."""

    @abc.abstractmethod
    async def profile(self, customer_id: str) -> Profile:
        """The current value of every fact key held for the customer."""

    @abc.abstractmethod
    async def fact_history(self, customer_id: str, key: str | None = None) -> list[FactView]:
        """Every observation of `key` (of every key when None), newest first."""


class ConversationStore(abc.ABC):
    """Interactions (one per conversation) and their transcripts."""

    @abc.abstractmethod
    async def start_interaction(self, customer_id: str, channel: str, conversation_id: str) -> None:
        """Open the interaction for a conversation; repeating the call changes nothing."""

    @abc.abstractmethod
    async def end_interaction(self, conversation_id: str, summary: str | None) -> None:
        """Close the interaction and keep its summary."""

    @abc.abstractmethod
    async def customer_for_conversation(self, conversation_id: str) -> str | None:
        """The customer a conversation belongs to, or None."""

    @abc.abstractmethod
    async def interactions(self, customer_id: str) -> list[InteractionView]:
        """The customer's interactions, newest first."""

    async def record_message(
        self,
        conversation_id: str,
        *,
        sender: str,
        text: str,
        message_id: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> MessageView:
        """Append to the transcript. A repeated (conversation, message_id) is stored once:
        the repeat gets the first message back, with `duplicate=True`."""
        [view] = await self.record_messages(
            conversation_id, [NewMessage(sender, text, message_id, payload)]
        )
        return view

    @abc.abstractmethod
    async def record_messages(
        self, conversation_id: str, messages: Sequence[NewMessage]
    ) -> list[MessageView]:
        """Append several messages in order, all or none (a turn's replies: one write)."""

    @abc.abstractmethod
    async def transcript(self, conversation_id: str, *, limit: int = 200) -> list[MessageView]:
        """The latest `limit` messages of a conversation, oldest first."""


class PrivacyStore(abc.ABC):
    """Data-access and erasure requests."""

    @abc.abstractmethod
    async def export(self, customer_id: str) -> dict[str, Any]:
        """Everything held about the customer, JSON-serialisable."""

    @abc.abstractmethod
    async def erase(self, customer_id: str, *, actor: str, reason: str) -> None:
        """Delete everything personal about the customer, leaving an audit record."""

    @abc.abstractmethod
    async def audit_log(self, customer_id: str) -> list[dict[str, Any]]:
        """Audit records about the customer (links, merges, erasure), oldest first."""


class ProfileStore(
    CustomerStore,
    ConversationStore,
    NeedsAndComplaints,
    ConsentAndOffers,
    ChannelStore,
    PrivacyStore,
    abc.ABC,
):
    """The whole store. Close it when done."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections. The store cannot be used afterwards."""

    async def __aenter__(self) -> "ProfileStore":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
