"""Conversations area: interactions (one per conversation) and their transcripts.

The interface checks every input once, then calls the storage step that the fake and
SQL stores implement.
"""
from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memory.api import validation


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


def checked_message(message: NewMessage) -> NewMessage:
    """A message for the transcript, every field checked."""
    return NewMessage(
        validation.choice("sender", message.sender, MESSAGE_SENDERS),
        validation.text("text", message.text, validation.MAX_MESSAGE_LENGTH, allow_empty=True),
        validation.optional_text("message_id", message.message_id, validation.MAX_SHORT_TEXT),
        validation.payload(message.payload),
    )


class ConversationStore(abc.ABC):
    """Interactions (one per conversation) and their transcripts."""

    async def start_interaction(self, customer_id: str, channel: str, conversation_id: str) -> None:
        """Open the interaction for a conversation; repeating the call changes nothing."""
        await self._start_interaction(
            customer_id,
            validation.name("channel", channel),
            validation.name("conversation_id", conversation_id),
        )

    async def end_interaction(self, conversation_id: str, summary: str | None) -> None:
        """Close the interaction and keep its summary."""
        await self._end_interaction(
            conversation_id,
            validation.optional_text("summary", summary, validation.MAX_LONG_TEXT),
        )

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

    async def record_messages(
        self, conversation_id: str, messages: Sequence[NewMessage]
    ) -> list[MessageView]:
        """Append several messages in order, all or none (a turn's replies: one write)."""
        return await self._record_messages(
            conversation_id, [checked_message(message) for message in messages]
        )

    async def transcript(self, conversation_id: str, *, limit: int = 200) -> list[MessageView]:
        """The latest `limit` messages of a conversation, oldest first."""
        return await self._transcript(conversation_id, validation.check_limit(limit))

    # Storage steps: called with checked input only.

    @abc.abstractmethod
    async def _start_interaction(
        self, customer_id: str, channel: str, conversation_id: str
    ) -> None: ...

    @abc.abstractmethod
    async def _end_interaction(self, conversation_id: str, summary: str | None) -> None: ...

    @abc.abstractmethod
    async def _record_messages(
        self, conversation_id: str, messages: list[NewMessage]
    ) -> list[MessageView]:
        """Store checked messages; payloads are already fresh copies."""

    @abc.abstractmethod
    async def _transcript(self, conversation_id: str, limit: int) -> list[MessageView]: ...
