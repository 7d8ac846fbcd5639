"""Routes one customer turn: record it, ask the engine (or a person, during a handoff),
record and return the replies."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from memory import MessageView, NewMessage, ProfileStore, errors

from bot.commands import as_plain_text, looks_like_command, offered_payloads
from bot.engine.client import EngineClient, EngineUnavailable, Reply

logger = logging.getLogger(__name__)

T = TypeVar("T")

APOLOGY = Reply(
    text="Sorry, something went wrong on our side. Your message is saved; please try again in a moment."
)


class InvalidMessage(ValueError):
    """The customer's message cannot be accepted; the text says why."""


class MessageNotStored(RuntimeError):
    """The message could not be stored, so the customer must be told it failed."""

    def __init__(self, message: str, *, retry_after: int = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds to wait before sending it again; 0: soon


class Overloaded(MessageNotStored):
    """The gateway is working on as many turns as it takes: this one is shed, not stored."""


OVERLOAD_RETRY_AFTER = 5


@dataclass(frozen=True)
class Turn:
    customer_id: str
    channel: str
    conversation_id: str
    text: str
    message_id: str | None = None
    # The channel's own command (Telegram's /start greets with /greet), not customer text.
    channel_command: bool = False


def new_conversation_id(channel: str) -> str:
    """Conversation ids carry their channel, so every process can tell it without a lookup."""
    return f"{channel}.{uuid.uuid4().hex}"


def clean_text(text: object, *, max_chars: int) -> str:
    """Validate a customer's message, or raise InvalidMessage with a reason fit to show them."""
    if not isinstance(text, str):
        raise InvalidMessage("'text' must be a string.")
    stripped = text.strip()
    if not stripped:
        raise InvalidMessage("The message is empty.")
    if len(stripped) > max_chars:
        raise InvalidMessage(f"The message is too long ({len(stripped)} characters; the limit is {max_chars}).")
    if any(unicodedata.category(ch) == "Cs" for ch in stripped):
        raise InvalidMessage("The message is not valid UTF-8 text.")
    if "\x00" in stripped:
        # The profile store refuses NUL (PostgreSQL cannot hold it): a "retry" would never
        # work, so say so now (found by fuzzing the REST API).
        raise InvalidMessage("The message contains a NUL character, which is not text.")
    return stripped


class HandoffRouter(Protocol):
    """Takes turns away from the bot while a person has the conversation (bot.handoff)."""

    async def intercept(self, turn: Turn, message: MessageView | None) -> list[Reply] | None:
        """None: the bot answers. A list: the bot stays silent and these are the replies."""

    async def after_engine(self, turn: Turn, replies: list[Reply]) -> list[Reply]:
        """The bot's replies as the customer should see them (handoff payloads acted on)."""


class BoundedSet(Generic[T]):
    """A set that forgets its oldest members beyond a maximum size."""

    def __init__(self, maximum: int) -> None:
        self._items: OrderedDict[T, None] = OrderedDict()
        self._maximum = maximum

    def __contains__(self, item: T) -> bool:
        return item in self._items

    def add(self, item: T) -> None:
        self._items[item] = None
        if len(self._items) > self._maximum:
            self._items.popitem(last=False)

    def first_sight(self, item: T) -> bool:
        """Add `item`; True unless it was already a member."""
        if item in self._items:
            return False
        self.add(item)
        return True

    def discard(self, item: T) -> None:
        self._items.pop(item, None)


ReplyFilter = Callable[[Turn, list[Reply]], Awaitable[list[Reply]]]
"""Rewrites the bot's replies before the customer sees them (bot.linking turns link payloads
into links)."""

# How far back the replies to a retried message are looked for.
RECENT_MESSAGES = 50


class Conversations:
    """The front door every channel uses to hand a turn to the bot."""

    def __init__(self, store: ProfileStore, engine: EngineClient, *, max_in_flight: int = 0) -> None:
        self._store = store
        self._engine = engine
        # Past this many turns at once, more would only queue until they time out: shed them
        # at the door, before anything is stored, and tell the customer when to resend.
        self._max_in_flight = max_in_flight
        self.in_flight = 0
        self._handoffs: HandoffRouter | None = None
        self._reply_filters: list[ReplyFilter] = []
        # Conversations this process has already started: saves a write on every later turn.
        self._started = BoundedSet(100_000)
        # The bot's replies are stored after the customer has them: one pending write per
        # conversation, which the conversation's next turn waits for to keep the order.
        self._reply_writes: dict[str, asyncio.Task[None]] = {}

    def route_handoffs_to(self, router: HandoffRouter | None) -> None:
        self._handoffs = router

    def filter_replies_with(self, reply_filter: ReplyFilter) -> None:
        """Run `reply_filter` on every turn's replies from the bot, after the handoff router."""
        self._reply_filters.append(reply_filter)

    async def handle(self, turn: Turn) -> list[Reply]:
        """The replies to `turn`, to send at once; they are stored in the background (see
        `settled`), so the customer does not wait for that write."""
        if self._max_in_flight and self.in_flight >= self._max_in_flight:
            logger.warning("%d turns in flight: shedding a turn in %s", self.in_flight, turn.conversation_id)
            raise Overloaded(
                f"We're very busy right now and could not take your message. "
                f"Please send it again in {OVERLOAD_RETRY_AFTER} seconds.",
                retry_after=OVERLOAD_RETRY_AFTER,
            )
        self.in_flight += 1
        try:
            return await self._handle(turn)
        finally:
            self.in_flight -= 1

    async def _handle(self, turn: Turn) -> list[Reply]:
        await self.settled(turn.conversation_id)
        try:
            message = await self._record_customer_message(turn)
        except errors.ProfileStoreError as error:
            logger.error("could not store a message in %s: %s", turn.conversation_id, type(error).__name__)
            raise MessageNotStored("Your message could not be saved. Please try again.") from error
        if message.duplicate:
            # A retried delivery (same message id): it was, or is being, answered already.
            logger.info("message %s in %s was taken before; not sent to the engine again",
                        turn.message_id, turn.conversation_id)
            return await self._earlier_replies(turn, message)

        if self._handoffs is not None:
            routed = await self._handoffs.intercept(turn, message)
            if routed is not None:
                # A person has (or is about to have) the conversation: the bot stays silent.
                self._record_replies_later(turn, routed)
                return routed

        try:
            replies = await self._engine.send(
                turn.conversation_id,
                await self._engine_text(turn, message),
                channel=turn.channel,
                metadata={"message_id": turn.message_id} if turn.message_id else None,
            )
        except EngineUnavailable:
            replies = []
        if self._handoffs is not None:
            replies = await self._handoffs.after_engine(turn, replies)
        for reply_filter in self._reply_filters:
            replies = await reply_filter(turn, replies)
        if not any(reply.text or reply.buttons for reply in replies):
            # The engine swallows action-server failures and answers nothing: never leave
            # the customer without an answer.
            logger.warning("no reply for %s; answering with an apology", turn.conversation_id)
            replies = [APOLOGY]

        self._record_replies_later(turn, replies)
        return replies

    async def settled(self, conversation_id: str | None = None, *, timeout: float | None = None) -> None:
        """Wait until the replies already given (in one conversation, or in all) are stored."""
        if conversation_id is None:
            pending = list(self._reply_writes.values())
        else:
            pending = [self._reply_writes[conversation_id]] if conversation_id in self._reply_writes else []
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    async def _record_customer_message(self, turn: Turn) -> MessageView:
        if turn.conversation_id not in self._started:
            await self._store.start_interaction(turn.customer_id, turn.channel, turn.conversation_id)
            self._started.add(turn.conversation_id)
        record = dict(sender="customer", text=turn.text, message_id=turn.message_id)
        try:
            return await self._store.record_message(turn.conversation_id, **record)
        except errors.UnknownConversation:
            # Erased, or started by another gateway's store that is gone: start it again.
            await self._store.start_interaction(turn.customer_id, turn.channel, turn.conversation_id)
            return await self._store.record_message(turn.conversation_id, **record)

    async def _engine_text(self, turn: Turn, message: MessageView) -> str:
        """The text the engine gets: a command (bot.commands) only when the channel sent it
        or it is a button of the bot's last reply; otherwise the customer's plain words."""
        if turn.channel_command or not looks_like_command(turn.text):
            return turn.text
        try:
            recent = await self._store.transcript(turn.conversation_id, limit=RECENT_MESSAGES)
        except errors.ProfileStoreError as error:
            logger.error("could not read %s: %s", turn.conversation_id, type(error).__name__)
            recent = []
        if turn.text.strip() in offered_payloads(recent, message.id):
            return turn.text
        logger.info("text like a command in %s was not a button offered; sent as plain text",
                    turn.conversation_id)
        return as_plain_text(turn.text)

    async def _earlier_replies(self, turn: Turn, message: MessageView) -> list[Reply]:
        """The bot's replies recorded after `message`: what the first delivery was answered."""
        try:
            recent = await self._store.transcript(turn.conversation_id, limit=RECENT_MESSAGES)
        except errors.ProfileStoreError as error:
            logger.error("could not read %s: %s", turn.conversation_id, type(error).__name__)
            return []
        later = [m for m in recent if m.id > message.id]
        answered = []
        for earlier in later:
            if earlier.sender == "customer":
                break
            if earlier.sender == "bot":
                buttons = (earlier.payload or {}).get("buttons")
                answered.append(Reply.from_json({"text": earlier.text, "buttons": buttons}))
        return answered

    def _record_replies_later(self, turn: Turn, replies: list[Reply]) -> None:
        if not replies:
            return
        conversation_id = turn.conversation_id
        # Two tabs' turns can overlap: each write waits for the one before, so waiting for
        # the latest is waiting for all of them.
        earlier = self._reply_writes.get(conversation_id)
        task = asyncio.create_task(self._record_replies(turn, replies, after=earlier))
        self._reply_writes[conversation_id] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._reply_writes.get(conversation_id) is done:
                del self._reply_writes[conversation_id]

        task.add_done_callback(forget)

    async def _record_replies(self, turn: Turn, replies: list[Reply], *,
                              after: asyncio.Task[None] | None) -> None:
        if after is not None:
            await asyncio.wait([after])
        messages = [
            NewMessage("bot", reply.text,
                       payload={"buttons": [b.to_json() for b in reply.buttons]} if reply.buttons else None)
            for reply in replies
        ]
        try:
            await self._store.record_messages(turn.conversation_id, messages)
        except errors.ProfileStoreError as error:
            logger.error("could not store the bot's replies in %s: %s", turn.conversation_id, type(error).__name__)
