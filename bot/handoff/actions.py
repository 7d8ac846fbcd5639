"""What agents do with a handed-off conversation: claim, reply, note, transfer, resolve, hand back,
update a complaint, record a fact, and record or dismiss what the NLU suggests. Every action
checks who holds the conversation."""

from __future__ import annotations

import logging
from typing import Any

from memory import Source, errors
from memory.api.handoffs import ACTIVE, HANDED_BACK, RESOLVED, WAITING, HandoffView, NoteView, iso
from memory.api.staff import ADMIN, AGENT, StaffMember

from bot.conversations import InvalidMessage, clean_text
from bot.delivery import Undeliverable
from bot.engine.client import EngineUnavailable
from bot.handoff import notices
from bot.handoff.capture import pending_and_recorded
from bot.handoff.models import HandoffError, HandoffNotFound, InvalidAction, NotYours
from bot.handoff.pubsub import conversation_topic
from bot.handoff.service import Handoffs, message_event

logger = logging.getLogger(__name__)

SATISFACTION_ACTION = "utter_ask_satisfaction"
MAX_NOTE_CHARS = 4000


class Undelivered(HandoffError):
    status = 502


def _text(value: object, what: str, max_chars: int) -> str:
    try:
        return clean_text(value, max_chars=max_chars)
    except InvalidMessage as error:
        raise InvalidAction(f"The {what} cannot be used: {error}") from None


class HandoffService(Handoffs):
    max_message_chars = 4000

    # --- reading ---------------------------------------------------------------------------

    async def get(self, handoff_id: int) -> HandoffView:
        handoff = await self.store.get(handoff_id)
        if handoff is None:
            raise HandoffNotFound("There is no such handoff.")
        return handoff

    async def queue(self) -> list[dict[str, Any]]:
        return [await self.summary(h) for h in await self.store.open_handoffs()]

    async def transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        try:
            messages = await self.profiles.transcript(conversation_id, limit=500)
        except errors.UnknownConversation:
            return []
        return [
            {k: v for k, v in message_event(m).items() if k != "type"}
            | ({"buttons": m.payload["buttons"]} if m.payload and m.payload.get("buttons") else {})
            for m in messages
        ]

    async def notes(self, conversation_id: str) -> list[dict[str, Any]]:
        return [note.to_json() for note in await self.store.notes(conversation_id)]

    async def _held(self, handoff_id: int, member: StaffMember, *, admin_may: bool = False) -> HandoffView:
        handoff = await self.get(handoff_id)
        if handoff.status == WAITING:
            raise NotYours("Claim the conversation first.")
        if handoff.status != ACTIVE:
            raise NotYours("This conversation is closed.")
        if handoff.agent_id != member.id and not (admin_may and member.role == ADMIN):
            raise NotYours(f"{await self.agent_name(handoff.agent_id)} is handling this conversation.")
        return handoff

    # --- taking and giving -----------------------------------------------------------------

    async def claim(self, handoff_id: int, member: StaffMember) -> HandoffView:
        await self.get(handoff_id)
        claimed = await self.store.claim(handoff_id, member.id, self.clock())
        if claimed is None:
            raise NotYours("Someone else has already taken this conversation.")
        logger.info("handoff %s claimed by agent %s", handoff_id, member.id)
        await self.publish(claimed)
        self.queue_moved()
        await self.tell_quietly(
            claimed.conversation_id, f"{member.display_name} from our team has joined the conversation.",
            sender="system",
        )
        return claimed

    async def transfer(self, handoff_id: int, member: StaffMember, to_agent_id: int | None) -> HandoffView:
        handoff = await self._held(handoff_id, member, admin_may=True)
        target = None
        if to_agent_id is not None:
            target = await self.accounts.account(to_agent_id)
            if target is None or not target.has_role(AGENT) or target.id == handoff.agent_id:
                raise InvalidAction("Choose another agent to transfer to.")
        holder = None if member.role == ADMIN else member.id
        moved = await self.store.transfer(handoff_id, holder, to_agent_id, self.clock())
        if moved is None:
            raise NotYours("The conversation changed hands meanwhile; reload it.")
        await self.publish(moved)
        if target is None:
            self.queue_moved()
            position, wait = await self.place(moved)
            self.notifier.told(moved.id, position)
            text = (f"{self.wording.say('utter_handoff_back_in_queue')} "
                    f"{notices.place_in_queue(self.wording, position, wait)}")
        else:
            text = self.wording.say("utter_handoff_transferred", agent=member.display_name,
                                    colleague=target.display_name)
        await self.tell_quietly(moved.conversation_id, text, sender="system")
        return moved

    async def resolve(self, handoff_id: int, member: StaffMember, summary: object = None) -> HandoffView:
        handoff = await self._held(handoff_id, member, admin_may=True)
        summary_text = _text(summary, "summary", 2000) if summary else None
        closed = await self.store.close(handoff_id, handoff.agent_id, RESOLVED, self.clock())
        if closed is None:
            raise NotYours("The conversation changed hands meanwhile; reload it.")
        await self.publish(closed)
        await self.tell_quietly(
            closed.conversation_id,
            f"{member.display_name} has marked this conversation as resolved. Thank you for your "
            "patience! If there's anything else, just write here.",
            sender="system",
        )
        await self._resume(closed.conversation_id)
        try:
            await self.profiles.end_interaction(
                closed.conversation_id, summary_text or f"Resolved by {member.display_name} ({closed.reason})."
            )
        except errors.ProfileStoreError as error:
            logger.warning("could not close the interaction: %s", type(error).__name__)
        return closed

    async def hand_back(self, handoff_id: int, member: StaffMember) -> HandoffView:
        """Give the conversation back to the bot, which carries on by asking about satisfaction."""
        handoff = await self._held(handoff_id, member, admin_may=True)
        closed = await self.store.close(handoff_id, handoff.agent_id, HANDED_BACK, self.clock())
        if closed is None:
            raise NotYours("The conversation changed hands meanwhile; reload it.")
        await self.publish(closed)
        conversation_id = closed.conversation_id
        await self.tell_quietly(
            conversation_id, f"{member.display_name} has handed you back to our assistant.", sender="system"
        )
        replies = []
        if await self._resume(conversation_id):
            try:
                replies = await self.engine.execute(conversation_id, SATISFACTION_ACTION)
            except EngineUnavailable:
                logger.warning("the engine could not ask about satisfaction in %s", conversation_id)
        fallback = self.satisfaction_question
        fallback = fallback() if callable(fallback) else fallback
        if not any(r.text for r in replies) and fallback is not None:
            replies = [fallback]
        for reply in replies:
            if reply.text or reply.buttons:
                payload = {"buttons": [b.to_json() for b in reply.buttons]} if reply.buttons else None
                await self.tell_quietly(conversation_id, reply.text, buttons=reply.buttons, payload=payload)
        return closed

    # --- talking ---------------------------------------------------------------------------

    async def reply(self, handoff_id: int, member: StaffMember, text: object) -> dict[str, Any]:
        handoff = await self._held(handoff_id, member)
        text = _text(text, "reply", self.max_message_chars)
        agent = {"id": member.id, "name": member.display_name}
        try:
            message = await self.tell(handoff.conversation_id, text, sender="agent", payload={"agent": agent})
        except Undeliverable as error:
            raise Undelivered(f"Your reply is saved but could not reach the customer: {error}") from None
        return message_event(message) if message is not None else {"text": text}

    async def note(self, handoff_id: int, member: StaffMember, text: object) -> NoteView:
        """An internal note: staff screens only, never the customer's channel or transcript."""
        handoff = await self.get(handoff_id)
        note = await self.store.add_note(handoff.id, member.id, _text(text, "note", MAX_NOTE_CHARS), self.clock())
        await self.broker.publish(conversation_topic(handoff.conversation_id), {"type": "note", "note": note.to_json()})
        return note

    # --- the customer's record ---------------------------------------------------------------

    async def update_complaint(
        self, handoff_id: int, member: StaffMember, reference: str, status: object, resolution: object
    ) -> dict[str, Any]:
        handoff = await self._held(handoff_id, member)
        note = _text(resolution, "resolution", 2000) if resolution else None
        if status == "resolved" and note is None:
            raise InvalidAction("Say how the complaint was resolved.")
        try:
            complaint = await self.profiles.complaint(reference)
            if complaint.customer_id != handoff.customer_id:
                raise InvalidAction("That complaint belongs to another customer.")
            updated = await self.profiles.transition_complaint(reference, str(status), actor=member.actor, note=note)
        except errors.NotFound:
            raise HandoffNotFound(f"There is no complaint {reference}.") from None
        except (errors.InvalidInput, errors.Conflict) as error:
            raise InvalidAction(str(error)) from None
        await self._profile_changed(handoff)
        return {"reference": updated.reference, "status": updated.status, "updated_at": iso(updated.updated_at)}

    async def record_fact(self, handoff_id: int, member: StaffMember, key: object, value: object) -> dict[str, Any]:
        handoff = await self._held(handoff_id, member)
        if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
            raise InvalidAction("Give the fact a key and a value.")
        source = Source(channel="agent", conversation_id=handoff.conversation_id, actor=member.actor)
        try:
            fact = await self.profiles.remember(handoff.customer_id, key, value.strip(), source=source)
        except (errors.InvalidInput, errors.UnknownFactKey) as error:
            raise InvalidAction(str(error)) from None
        await self._profile_changed(handoff)
        return {"key": fact.key, "value": fact.value, "observed_at": iso(fact.observed_at)}

    async def suggestions(self, handoff_id: int) -> list[dict[str, Any]]:
        """What the NLU found in the customer's messages during this handoff (not dismissed)."""
        return pending_and_recorded(await self.store.suggestions(handoff_id))

    async def record_suggestion(self, handoff_id: int, member: StaffMember, suggestion_id: object,
                                edits: object = None) -> dict[str, Any]:
        handoff = await self._held(handoff_id, member)
        return await self.capture.record(handoff, member, suggestion_id, edits)

    async def dismiss_suggestion(self, handoff_id: int, member: StaffMember, suggestion_id: object) -> dict[str, Any]:
        handoff = await self._held(handoff_id, member)
        return await self.capture.dismiss(handoff, member, suggestion_id)

    async def _profile_changed(self, handoff: HandoffView) -> None:
        await self.broker.publish(conversation_topic(handoff.conversation_id), {"type": "profile"})
