"""What the Telegram channel knows about each chat: its customer, conversation and past updates.

Conversation ids are `telegram.<chat id>.<update id>`: a /start begins a new one, every other
update continues the chat's newest. Both are read from the profile store, so any gateway
behind a load balancer agrees. Each update is handled once: a bounded in-process set catches
concurrent duplicates, and the store's per-message idempotency (message id `tg-<update id>`)
catches redeliveries after a restart.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.telegram.replies import ButtonPayloads
from bot.conversations import BoundedSet, Conversations
from bot.linking import LinkRefused
from bot.ratelimit import ALLOW, Decision
from memory import ProfileStore, errors

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
# How far back a redelivered update is looked for; Telegram redelivers in order, so it is
# always among a chat's latest messages.
RECENT_MESSAGES = 50


Throttle = Callable[[str], Awaitable[Decision]]
"""`(telegram chat id)`: spend one message from the chat's rate limit (bot.ratelimit)."""

TOO_FAST = (
    "You're sending messages faster than I can read them, so I didn't take the last ones. "
    "Please wait {seconds} seconds and send them again."
)


async def never_throttle(chat_id: str) -> Decision:
    return ALLOW


LinkStart = Callable[[str, str], Awaitable[None]]
"""`(telegram chat id, token)`: attach the chat to the customer the token names, or LinkRefused."""


async def refuse_links(chat_id: str, token: str) -> None:
    """Until cross-channel linking is wired in, no token can be verified, so none is trusted."""
    raise LinkRefused("Sorry, that link isn't valid any more. Let's carry on here.")


def message_key(update_id: int) -> str:
    return f"tg-{update_id}"


def conversation_id_for(chat_id: int, update_id: int) -> str:
    return f"{CHANNEL}.{chat_id}.{update_id}"


def chat_of(conversation_id: str) -> int:
    """The chat a Telegram conversation id belongs to; ValueError for anything else."""
    channel, chat, _ = (conversation_id.split(".", 2) + ["", ""])[:3]
    if channel != CHANNEL:
        raise ValueError(f"{conversation_id!r} is not a Telegram conversation")
    return int(chat)


class TelegramChats:
    """The channel's memory of chats, kept in the profile store so it survives restarts."""

    def __init__(
        self,
        store: ProfileStore,
        conversations: Conversations,
        *,
        max_chars: int,
        link_start: LinkStart = refuse_links,
        throttle: Throttle = never_throttle,
        recent_updates: int = 10_000,
    ) -> None:
        self.store = store
        self.conversations = conversations
        self.max_chars = max_chars
        self.link_start = link_start
        self.buttons = ButtonPayloads()
        self._recent: BoundedSet[int] = BoundedSet(recent_updates)
        self._throttle = throttle
        self._told_until: OrderedDict[int, float] = OrderedDict()  # chats told to slow down
        self._max_told = recent_updates

    async def too_fast(self, chat_id: int) -> str | None:
        """None when the chat may send this message; else what to tell the customer, once
        per wait (a flood must not make the bot flood Telegram with refusals)."""
        decision = await self._throttle(str(chat_id))
        if decision.allowed:
            return None
        now = time.monotonic()
        if self._told_until.get(chat_id, 0.0) > now:
            return ""
        self._told_until[chat_id] = now + decision.retry_after_seconds
        self._told_until.move_to_end(chat_id)
        while len(self._told_until) > self._max_told:
            self._told_until.popitem(last=False)
        return TOO_FAST.format(seconds=decision.retry_after_seconds)

    def first_sight(self, update_id: int) -> bool:
        """True the first time this process sees `update_id`."""
        return self._recent.first_sight(update_id)

    async def customer(self, chat_id: int) -> str:
        return await self.store.identify(CHANNEL, str(chat_id))

    async def conversation(self, chat_id: int, customer_id: str, update_id: int) -> str:
        """The chat's newest conversation, or a new one begun by this update."""
        prefix = f"{CHANNEL}.{chat_id}."
        for interaction in await self.store.interactions(customer_id):
            if interaction.conversation_id.startswith(prefix):
                return interaction.conversation_id
        return conversation_id_for(chat_id, update_id)

    async def already_handled(self, conversation_id: str, update_id: int) -> bool:
        """True when the store already holds this update's message (a redelivery)."""
        key = message_key(update_id)
        try:
            recent = await self.store.transcript(conversation_id, limit=RECENT_MESSAGES)
        except errors.UnknownConversation:
            return False
        except errors.ProfileStoreError:
            return False  # recording will fail too, and the customer is told so then
        return any(message.message_id == key for message in recent)

    async def button_payload(self, conversation_id: str, data: str) -> str | None:
        """The payload of a pressed button; hashed ones unknown here are found in the transcript."""
        payload = self.buttons.payload(data)
        if payload is None:
            try:
                recent = await self.store.transcript(conversation_id, limit=RECENT_MESSAGES)
            except errors.ProfileStoreError:
                return None
            payload = self.buttons.payload(data, reversed(recent))
        return payload

    async def note(
        self,
        customer_id: str,
        conversation_id: str,
        *,
        sender: str,
        text: str,
        payload: dict[str, Any],
        update_id: int | None = None,
    ) -> None:
        """Keep something the engine does not see (an edit, a photo, a block) in the transcript."""
        await self.store.start_interaction(customer_id, CHANNEL, conversation_id)
        await self.store.record_message(
            conversation_id,
            sender=sender,
            text=text,
            message_id=message_key(update_id) if update_id is not None else None,
            payload=payload,
        )

    async def note_undeliverable(self, conversation_id: str, reason: str) -> None:
        """Mark the conversation so staff see replies are not reaching the customer."""
        logger.warning("telegram refused delivery to a chat: %s", reason)
        try:
            await self.store.record_message(
                conversation_id,
                sender="system",
                text=f"Replies cannot reach this customer on Telegram ({reason}).",
                payload={"telegram": {"undeliverable": reason}},
            )
        except errors.ProfileStoreError as error:
            logger.error("could not mark a conversation undeliverable: %s", type(error).__name__)
