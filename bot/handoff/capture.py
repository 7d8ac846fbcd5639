"""Capture during a handoff: the bot is silent, but the NLU still reads what the customer types.

Each customer message routed to a person is parsed by the engine's NLU (stateless: nothing
reaches the paused conversation's tracker) in a task of its own, after the turn has been
answered, so the customer never waits for it. What the parse names becomes a suggestion on
the handoff, pushed live to the console; a failed or slow parse just means no suggestion.

Recording one writes to the profile store through its public API with the agent as the
source, exactly once: the suggestion is claimed (pending -> recording) before the write and
marked recorded after it, so a double click, or two agents' clicks, record it once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from memory import MessageView, ProfileStore, Source, errors
from memory.api.handoffs import (
    DISMISSED, PENDING, RECORDED, RECORDING, HandoffStore, HandoffView, iso,
)
from memory.api.staff import StaffMember

from bot.engine.client import EngineUnavailable
from bot.handoff import suggestions as found
from bot.handoff.models import HandoffError, HandoffNotFound, InvalidAction
from bot.handoff.pubsub import Broker, conversation_topic
from bot.handoff.suggestions import COMPLAINT, FACT, NEED, Vocabulary

logger = logging.getLogger(__name__)

MAX_PARSES_IN_FLIGHT = 64
# A claim older than this was left by a gateway that died mid-write: it may be taken again.
RECORDING_STALE = timedelta(seconds=60)


class Capture:
    def __init__(self, *, engine: Any, store: HandoffStore, profiles: ProfileStore, broker: Broker,
                 clock: Callable[[], datetime], vocabulary: Vocabulary | None = None) -> None:
        self.engine, self.store, self.profiles, self.broker, self.clock = engine, store, profiles, broker, clock
        self.vocabulary = vocabulary or Vocabulary()
        self._reading: set[asyncio.Task[None]] = set()

    # --- reading ---------------------------------------------------------------------------

    def read(self, handoff: HandoffView, message: MessageView) -> None:
        """Parse a customer's message in the background; never waits, never raises."""
        if len(self._reading) >= MAX_PARSES_IN_FLIGHT:
            logger.warning("no suggestions for a message in %s: %d parses already waiting",
                           handoff.conversation_id, len(self._reading))
            return
        task = asyncio.create_task(self._read(handoff, message), name="handoff-capture")
        self._reading.add(task)
        task.add_done_callback(self._reading.discard)

    async def _read(self, handoff: HandoffView, message: MessageView) -> None:
        try:
            parse = await self.engine.parse(message.text)
        except EngineUnavailable as error:
            logger.warning("no suggestions for a message in %s: %s", handoff.conversation_id, error)
            return
        try:
            kinds = await self._new(handoff, found.read_parse(parse, message.text, self.vocabulary))
            if not kinds:
                return
            now = iso(self.clock())
            made = [found.new_suggestion(kind, fields, message_id=message.id, created_at=now) for kind, fields in kinds]
            await self.store.add_suggestions(handoff.id, made)
        except Exception as error:  # noqa: BLE001 - a suggestion is a bonus; log the kind only, never the words
            logger.error("could not keep suggestions for %s: %s", handoff.conversation_id, type(error).__name__)
            return
        logger.info("%d suggestion(s) for handoff %s", len(made), handoff.id)
        for suggestion in made:
            await self._publish(handoff, suggestion)

    async def _new(self, handoff: HandoffView, kinds: list[tuple[str, dict[str, str]]]):
        """Leave out facts the profile already holds with that very value."""
        if not any(kind == FACT for kind, _ in kinds):
            return kinds
        profile = await self.profiles.profile(handoff.customer_id)
        return [(kind, fields) for kind, fields in kinds
                if kind != FACT or profile.get(fields["key"]) != fields["value"]]

    async def idle(self) -> None:
        """Wait for the parses under way (tests, shutdown)."""
        while self._reading:
            await asyncio.gather(*self._reading, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._reading):
            task.cancel()
        await asyncio.gather(*self._reading, return_exceptions=True)

    async def _publish(self, handoff: HandoffView, suggestion: dict[str, Any]) -> None:
        event = {"type": "suggestion", "handoff_id": handoff.id, "suggestion": suggestion}
        await self.broker.publish(conversation_topic(handoff.conversation_id), event)

    # --- deciding --------------------------------------------------------------------------

    async def record(self, handoff: HandoffView, member: StaffMember, suggestion_id: object,
                     edits: object = None) -> dict[str, Any]:
        """Record a suggestion (with the agent's edits) in the profile; a repeat is a no-op."""
        current = await self._suggestion(handoff, suggestion_id)
        now = self.clock()
        if not _claimable(current, now):
            if current["status"] == DISMISSED:
                raise HandoffError("This suggestion was dismissed.")
            return current  # recorded, or being recorded by the click before
        fields = found.edited(current, edits, self.vocabulary)

        def claim(suggestion: dict[str, Any]) -> dict[str, Any] | None:
            if not _claimable(suggestion, now):
                return None
            return {**suggestion, "status": RECORDING, "fields": fields, "label": found.label(suggestion["kind"], fields),
                    "decided_by": member.id, "decided_at": iso(now)}

        after, claimed = await self.store.change_suggestion(handoff.id, current["id"], claim)
        if not claimed:
            if after is not None and after["status"] == DISMISSED:
                raise HandoffError("This suggestion was dismissed.")
            return after or current
        try:
            result = await self._write(handoff, member, after)
        except BaseException:
            await self._release(handoff, after["id"])
            raise
        recorded, _ = await self.store.change_suggestion(
            handoff.id, after["id"], lambda s: {**s, "status": RECORDED, "result": result})
        logger.info("suggestion %s of handoff %s recorded by agent %s", after["id"], handoff.id, member.id)
        await self._publish(handoff, recorded)
        await self.broker.publish(conversation_topic(handoff.conversation_id), {"type": "profile"})
        return recorded

    async def _release(self, handoff: HandoffView, suggestion_id: str) -> None:
        """The write failed: the suggestion is pending again, for another try."""
        try:
            await self.store.change_suggestion(handoff.id, suggestion_id, lambda s: {
                **s, "status": PENDING, "decided_by": None, "decided_at": None} if s["status"] == RECORDING else None)
        except errors.ProfileStoreError as error:
            logger.warning("suggestion %s stays claimed until it is stale: %s", suggestion_id, type(error).__name__)

    async def dismiss(self, handoff: HandoffView, member: StaffMember, suggestion_id: object) -> dict[str, Any]:
        current = await self._suggestion(handoff, suggestion_id)
        after, dismissed = await self.store.change_suggestion(handoff.id, current["id"], lambda s: {
            **s, "status": DISMISSED, "decided_by": member.id, "decided_at": iso(self.clock())
        } if s["status"] == PENDING else None)
        if not dismissed and after is not None and after["status"] != DISMISSED:
            raise HandoffError("This suggestion is already recorded.")
        if dismissed:
            await self._publish(handoff, after)
        return after or current

    async def _suggestion(self, handoff: HandoffView, suggestion_id: object) -> dict[str, Any]:
        wanted = next((s for s in await self.store.suggestions(handoff.id) if s["id"] == suggestion_id), None)
        if wanted is None:
            raise HandoffNotFound("There is no such suggestion.")
        return wanted

    async def _write(self, handoff: HandoffView, member: StaffMember, suggestion: dict[str, Any]) -> dict[str, Any]:
        fields, customer_id = suggestion["fields"], handoff.customer_id
        source = Source(channel="agent", conversation_id=handoff.conversation_id, actor=member.actor)
        try:
            if suggestion["kind"] == COMPLAINT:
                complaint = await self.profiles.open_complaint(
                    customer_id, category=fields["category"], description=fields["description"],
                    severity=fields["severity"], order_ref=fields.get("order_ref"), source=source, actor=member.actor,
                )
                return {"reference": complaint.reference}
            if suggestion["kind"] == NEED:
                need = await self.profiles.add_need(
                    customer_id, category=fields["category"], words=fields.get("words", ""), source=source,
                    product=fields.get("product"), budget=fields.get("budget"), timeframe=fields.get("timeframe"),
                )
                return {"need_id": need.id}
            fact = await self.profiles.remember(customer_id, fields["key"], fields["value"], source=source)
            return {"key": fact.key, "value": fact.value}
        except (errors.InvalidInput, errors.UnknownFactKey) as error:
            raise InvalidAction(str(error)) from None


def _claimable(suggestion: dict[str, Any], now: datetime) -> bool:
    if suggestion["status"] == PENDING:
        return True
    decided_at = suggestion.get("decided_at")
    return suggestion["status"] == RECORDING and bool(decided_at) and (
        now - datetime.fromisoformat(decided_at) > RECORDING_STALE)


def pending_and_recorded(suggestions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the console shows: everything not dismissed, oldest first."""
    return [s for s in suggestions if s["status"] != DISMISSED]
