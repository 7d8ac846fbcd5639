"""Immutable values the store hands out: facts, profiles, conversations and messages.

Views are plain frozen dataclasses so callers can keep them, compare them and pass
them across tasks without touching the database again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a piece of information came from."""

    channel: str
    conversation_id: str | None = None
    message_id: str | None = None
    actor: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "channel": self.channel,
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "actor": self.actor,
        }


@dataclass(frozen=True)
class FactView:
    key: str
    value: str
    source: Source
    observed_at: datetime
    confidence: float
    stale: bool = False


@dataclass(frozen=True)
class Profile:
    """The current view of one customer: the latest value of every fact key."""

    customer_id: str
    facts: dict[str, FactView] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        fact = self.facts.get(key)
        return fact.value if fact is not None else None

    def knows(self, key: str) -> bool:
        """True when the value is held and fresh: the bot must not ask for it."""
        fact = self.facts.get(key)
        return fact is not None and not fact.stale

    def needs_confirmation(self, key: str) -> bool:
        """True when a value is held but stale: confirm it rather than ask again."""
        fact = self.facts.get(key)
        return fact is not None and fact.stale


@dataclass(frozen=True)
class InteractionView:
    conversation_id: str
    customer_id: str
    channel: str
    started_at: datetime
    ended_at: datetime | None
    summary: str | None


MESSAGE_SENDERS = ("customer", "bot", "agent", "system")


@dataclass(frozen=True)
class MessageView:
    id: int
    conversation_id: str
    sender: str
    text: str
    message_id: str | None
    payload: dict[str, Any] | None
    created_at: datetime
    # True when record_message found this (conversation, message_id) already stored: a
    # retried delivery, which callers must not act on twice.
    duplicate: bool = False


@dataclass(frozen=True)
class NewMessage:
    """One message for record_messages."""

    sender: str
    text: str
    message_id: str | None = None
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class IdentityView:
    channel: str
    external_id: str
    customer_id: str
    linked_at: datetime
    linked_by: str | None
