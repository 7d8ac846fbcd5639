"""The handoff service: queues conversations for staff and routes customer turns during one.

`Handoffs` is what `bot.conversations.Conversations` consults on every turn:
- `intercept` takes a turn whose conversation has an open handoff away from the bot: the
  message (already in the transcript) goes live to the staff screens, never to the paused
  engine's dialogue, so the bot stays silent; after the turn, the NLU alone reads it for
  complaints, needs and facts to suggest to the agent (bot.handoff.capture);
- `after_engine` notices the bot's handoff payload (or a configured trigger), strips it
  from what the customer sees, and queues the conversation, or, outside staffed hours,
  records a complaint and promises a follow-up.
Agent actions (claim, reply, notes, transfer, resolve, hand back) live in
`bot.handoff.actions`, which extends this class.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from memory import MessageView, ProfileStore, Source, errors
from memory.api.handoffs import AFTER_HOURS, WAITING, HandoffStore, HandoffView, iso
from memory.api.staff import StaffStore

from bot.delivery import Delivery, Undeliverable
from bot.engine.client import EngineClient, EngineUnavailable, Reply
from bot.handoff import notices
from bot.handoff.capture import Capture
from bot.handoff.customers import QueueContext, queue_context
from bot.handoff.pubsub import QUEUE_TOPIC, Broker, conversation_topic
from bot.handoff.responses import DOMAIN_PATH, LiveResponses
from bot.handoff.rules import HandoffRules
from bot.handoff.suggestions import Vocabulary
from bot.handoff.triggers import Triggers
from bot.handoff.unhanded import Unhanded

logger = logging.getLogger(__name__)

HANDOFF_KEY = "handoff"  # the custom payload actions/handoff.py emits
GATEWAY_ACTOR = "gateway:handoff"
MAX_REASON = 100
ONLINE_CACHE_SECONDS = 15.0

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def handoff_reason(reply: Reply) -> str | None:
    """The reason in a reply's handoff payload, or None if the reply carries none."""
    payload = reply.custom.get(HANDOFF_KEY) if isinstance(reply.custom, dict) else None
    if payload is None:
        return None
    reason = payload.get("reason") if isinstance(payload, dict) else None
    return reason[:MAX_REASON] if isinstance(reason, str) and reason.strip() else "customer_asked"


def message_event(message: MessageView, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message", "conversation_id": message.conversation_id, "id": message.id,
        "sender": message.sender, "text": message.text, "created_at": iso(message.created_at),
        **({"agent": message.payload.get("agent")} if message.payload and "agent" in message.payload else {}),
        **extra,
    }


class Handoffs:
    def __init__(
        self,
        *,
        store: HandoffStore,
        profiles: ProfileStore,
        engine: EngineClient,
        delivery: Delivery,
        broker: Broker,
        rules: HandoffRules,
        accounts: StaffStore,
        satisfaction_question: Reply | Callable[[], Reply | None] | None = None,
        vocabulary: Vocabulary | None = None,
        clock: Clock = utc_now,
        wording: notices.Wording | None = None,
    ) -> None:
        self.store, self.profiles, self.engine = store, profiles, engine
        self.delivery, self.broker, self.rules, self.accounts = delivery, broker, rules, accounts
        self.satisfaction_question = satisfaction_question
        self.triggers = Triggers(rules, profiles, store)
        self.clock = clock
        # What the gateway says itself comes from the live responses (shipped ones in tests).
        self.wording = wording or LiveResponses(lambda: None, DOMAIN_PATH)
        self.notifier = notices.QueueNotifier(update_every=rules.update_every, clock=clock,
                                              wording=self.wording)
        self._names: dict[int, str] = {}
        self._online: tuple[float, int] = (0.0, 1)
        self._resume_pending: set[str] = set()
        self.unhanded = Unhanded()
        self.capture = Capture(engine=engine, store=store, profiles=profiles, broker=broker,
                               clock=clock, vocabulary=vocabulary)

    async def close(self) -> None:
        await self.notifier.close()
        await self.capture.close()

    # --- routing (bot.conversations.HandoffRouter) -------------------------------------

    async def intercept(self, turn, message: MessageView | None) -> list[Reply] | None:
        """None: the bot handles the turn. Otherwise what to answer (often nothing)."""
        handoff = await self._open_handoff(turn.conversation_id)
        if handoff is None:
            if turn.conversation_id in self._resume_pending:
                await self._resume(turn.conversation_id)
            return None
        # The message is in the transcript already (Conversations recorded it); it goes to
        # staff screens, not to the engine, which stays paused until the hand-back.
        if message is not None:
            await self.broker.publish(conversation_topic(turn.conversation_id), message_event(message))
            self.capture.read(handoff, message)  # in the background: the turn does not wait
        if handoff.status != WAITING or not self.notifier.may_repeat(handoff.id):
            return []
        position, wait = await self.place(handoff)
        self.notifier.told(handoff.id, position)
        return [Reply(text=notices.still_waiting(self.wording, position, wait))]

    async def _open_handoff(self, conversation_id: str) -> HandoffView | None:
        if conversation_id in self.unhanded:
            return None
        generation = self.unhanded.generation
        handoff = await self.store.open_for_conversation(conversation_id)
        if handoff is None:
            self.unhanded.remember(conversation_id, generation)
        return handoff

    async def after_engine(self, turn, replies: list[Reply]) -> list[Reply]:
        """Strip the bot's handoff payload from its replies and act on it (or on a trigger)."""
        shown: list[Reply] = []
        reason = None
        for reply in replies:
            asked = handoff_reason(reply)
            if asked is None:
                shown.append(reply)
                continue
            reason = reason or asked
            if reply.text or reply.buttons:
                custom = {k: v for k, v in reply.custom.items() if k != HANDOFF_KEY}
                shown.append(Reply(text=reply.text, buttons=reply.buttons, custom=custom))
        if reason is None:
            trigger = await self.triggers.first_met(turn)
            if trigger is None:
                return shown
            reason = trigger.reason
            if trigger.message:
                shown.append(Reply(text=trigger.message))
        return shown + await self.request(
            conversation_id=turn.conversation_id, customer_id=turn.customer_id,
            channel=turn.channel, reason=reason, words=turn.text,
        )

    # --- the queue -----------------------------------------------------------------------

    async def request(
        self, *, conversation_id: str, customer_id: str, channel: str, reason: str, words: str = ""
    ) -> list[Reply]:
        """Queue the conversation for a person and say where the customer stands."""
        now = self.clock()
        try:
            context = await queue_context(self.profiles, customer_id)
        except errors.ProfileStoreError as error:
            logger.warning("queueing without the customer's context: %s", type(error).__name__)
            context = QueueContext(None, None, (), None)
        detail = {
            "name": context.name, "value_tier": context.value_tier, "severity": context.severity,
            "complaint": context.open_complaint, "words": words[:500] or None,
        }
        if not self.rules.hours.is_open(now):
            return [Reply(text=await self._after_hours(
                conversation_id, customer_id, channel, reason, words, context, detail, now))]
        priority = self.rules.priority(reason, context.severity, context.value_tier)
        handoff, created = await self.store.open(
            conversation_id=conversation_id, customer_id=customer_id, channel=channel,
            reason=reason, priority=priority, detail=detail, now=now,
        )
        self.unhanded.forget(conversation_id)
        if created:
            logger.info("conversation %s queued for staff (%s, priority %s)", conversation_id, reason, priority)
            try:
                await self.engine.pause(conversation_id)
            except EngineUnavailable:
                logger.warning("could not pause the engine for %s; the gateway keeps it silent", conversation_id)
            await self.publish(handoff)
        position, wait = await self.place(handoff)
        self.notifier.told(handoff.id, position)
        return [Reply(text=notices.queued(self.wording, position, wait))]

    async def _after_hours(self, conversation_id, customer_id, channel, reason, words, context, detail, now) -> str:
        reference = context.open_complaint
        if reference is None:
            try:
                complaint = await self.profiles.open_complaint(
                    customer_id, category="service",
                    description=words or f"Asked for a person outside staffed hours ({reason}).",
                    severity="high" if reason == "completely_dissatisfied" else "medium",
                    source=Source(channel, conversation_id, actor=GATEWAY_ACTOR), actor=GATEWAY_ACTOR,
                )
                reference = complaint.reference
            except errors.ProfileStoreError as error:
                logger.error("could not record an after-hours complaint: %s", type(error).__name__)
        opening = self.rules.hours.next_opening(now)
        if reference is not None:
            try:
                await self.profiles.schedule_follow_up(
                    reference, due_at=(opening or now + timedelta(days=1)).astimezone(timezone.utc),
                    actor=GATEWAY_ACTOR, note=f"Asked for a person outside staffed hours ({reason}).",
                )
            except errors.ProfileStoreError as error:
                logger.error("could not schedule the promised follow-up: %s", type(error).__name__)
        await self.store.record_closed(
            conversation_id=conversation_id, customer_id=customer_id, channel=channel, reason=reason,
            detail={**detail, "complaint": reference, "follow_up_from": iso(opening)},
            outcome=AFTER_HOURS, now=now,
        )
        when = notices.opening_phrase(now.astimezone(self.rules.hours.zone), opening)
        logger.info("handoff for %s outside staffed hours; follow-up promised", conversation_id)
        return notices.after_hours(self.wording, self.rules.hours.describe(), when, reference)

    async def place(self, handoff: HandoffView) -> tuple[int, int]:
        """(place in the queue, estimated wait in minutes) of a waiting handoff."""
        position = await self.store.position(handoff) or 1
        return position, self.rules.estimated_wait_minutes(position, await self.online_agents())

    async def online_agents(self) -> int:
        checked_at, count = self._online
        if time.monotonic() - checked_at > ONLINE_CACHE_SECONDS:
            count = max(1, await self.accounts.online(self.clock() - timedelta(minutes=10), ("agent", "admin")))
            self._online = (time.monotonic(), count)
        return count

    def queue_moved(self) -> None:
        async def load():
            return await self.store.waiting_order(), await self.online_agents()

        self.notifier.queue_moved(load, self.rules.estimated_wait_minutes, self.tell_quietly)

    # --- telling people ------------------------------------------------------------------

    async def agent_name(self, agent_id: int | None) -> str | None:
        if agent_id is None:
            return None
        if agent_id not in self._names:
            member = await self.accounts.account(agent_id)
            self._names[agent_id] = member.display_name if member else f"agent {agent_id}"
        return self._names[agent_id]

    async def summary(self, handoff: HandoffView) -> dict[str, Any]:
        return {**handoff.to_json(), "agent_name": await self.agent_name(handoff.agent_id)}

    async def publish(self, handoff: HandoffView) -> None:
        event = {"type": "handoff", "handoff": await self.summary(handoff)}
        await self.broker.publish(QUEUE_TOPIC, event)
        await self.broker.publish(conversation_topic(handoff.conversation_id), event)

    async def tell(self, conversation_id: str, text: str, *, sender: str = "bot",
                   buttons=(), payload: dict[str, Any] | None = None) -> MessageView | None:
        """Record a message to the customer, push it to their channel and to staff screens."""
        message = None
        try:
            message = await self.profiles.record_message(
                conversation_id, sender=sender, text=text, payload=payload,
            )
        except errors.ProfileStoreError as error:
            logger.error("could not record a message to %s: %s", conversation_id, type(error).__name__)
        reply = Reply(text=text, buttons=tuple(buttons), custom={"sender": sender})
        try:
            await self.delivery.deliver(conversation_id, reply)
        except Undeliverable as error:
            logger.warning("could not deliver to %s: %s", conversation_id, error)
            raise
        finally:
            if message is not None:
                await self.broker.publish(conversation_topic(conversation_id), message_event(message))
        return message

    async def tell_quietly(self, conversation_id: str, text: str, **options: Any) -> None:
        """`tell`, for courtesy messages whose failure must not stop an agent's action."""
        try:
            await self.tell(conversation_id, text, **options)
        except Undeliverable:
            pass

    async def _resume(self, conversation_id: str) -> bool:
        try:
            await self.engine.resume(conversation_id)
        except EngineUnavailable:
            logger.warning("could not resume the engine for %s; retrying on the next turn", conversation_id)
            self._resume_pending.add(conversation_id)
            return False
        self._resume_pending.discard(conversation_id)
        return True
