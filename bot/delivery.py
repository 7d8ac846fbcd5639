"""Delivers replies to a customer on their own channel, outside a request (agents, follow-ups)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.engine.client import Reply

logger = logging.getLogger(__name__)

Sender = Callable[[str, Reply], Awaitable[None]]


class Undeliverable(RuntimeError):
    """No channel could take the reply (unknown channel, or the channel refused it)."""


def channel_of(conversation_id: str) -> str:
    """Conversation ids are '<channel>.<id>' (see bot.conversations.new_conversation_id)."""
    channel, dot, _ = conversation_id.partition(".")
    if not dot:
        raise Undeliverable(f"conversation id {conversation_id!r} names no channel")
    return channel


class Delivery:
    """Each channel registers how it pushes a reply into one of its conversations."""

    def __init__(self) -> None:
        self._senders: dict[str, Sender] = {}

    def register(self, channel: str, sender: Sender) -> None:
        self._senders[channel] = sender

    async def deliver(self, conversation_id: str, reply: Reply) -> None:
        channel = channel_of(conversation_id)
        sender = self._senders.get(channel)
        if sender is None:
            raise Undeliverable(f"no channel {channel!r} can push replies")
        await sender(conversation_id, reply)
