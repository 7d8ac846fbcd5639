"""Complaint intake: recorded as soon as the customer states it, in their own words; then only
what is still missing is asked for, one question at a time, and each answer updates it."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from memory import ComplaintView

from actions.catalogue import catalogue
from actions.complaint_reading import (
    NO_REFERENCE_CATEGORIES, ORDER_WORDS, category_of, describes_problem, reference_of,
    second_problem, severity_of,
)
from actions.context import when
from actions.dialogue import FormValidation, Turn, TurnAction
from actions.store import customer_of, recent_complaints, source_of

logger = logging.getLogger(__name__)

COMPLAINT_SLOTS = ("complaint_category", "complaint_description", "complaint_reference",
                   "complaint_severity", "complaint_ref")
SEVERITY_WORDS = {"low": "a minor annoyance", "medium": "affecting you regularly",
                  "high": "stopping you using the service"}


def category_words(category: str) -> str:
    return catalogue.complaint_categories().get(category, category).lower()


async def file_complaint(tracker: Tracker, *, category: str, description: str, severity: str,
                         reference: str | None, product: str | None = None) -> ComplaintView:
    """Open a complaint, linked to the customer's latest open one when this is a repeat."""
    store, customer_id = await customer_of(tracker)
    previous = [c for c in await store.complaints(customer_id)
                if c.category == category or c.status != "resolved"]
    return await store.open_complaint(
        customer_id, category=category, description=description, severity=severity,
        order_ref=reference, product_ref=product,
        related_to=previous[0].reference if previous else None, source=source_of(tracker),
    )


async def record_or_update(tracker: Tracker, turn: Turn, slots: dict[str, Any]) -> list[EventType]:
    """Open the complaint once there is a description; afterwards, amend it with each answer."""
    reference = slots.get("complaint_ref")
    category = slots.get("complaint_category")
    severity = slots.get("complaint_severity")
    order_ref = slots.get("complaint_reference")
    order_ref = None if order_ref in (None, "none") else order_ref
    if reference is None:
        description = slots.get("complaint_description")
        if not description:
            return []
        complaint = await file_complaint(
            tracker, category=category or "other", description=description,
            severity=severity or "medium", reference=order_ref,
            product=next((e.value for e in turn.message.all("product")), None))
        logger.info("complaint %s opened from the customer's words", complaint.reference)
        return [SlotSet("complaint_ref", complaint.reference)]
    current = await turn.store.complaint(reference)
    changes = {key: value for key, value in (("category", category), ("severity", severity),
                                             ("order_ref", order_ref),
                                             ("description", slots.get("complaint_description")))
               if value is not None and getattr(current, key) != value}
    if changes:
        await turn.store.amend_complaint(reference, actor="bot", source=source_of(tracker), **changes)
    return []


class ActionStartComplaint(TurnAction):
    """Takes the category, severity, reference and product from the customer's first words
    and records the complaint before asking anything."""

    ends_form = True  # a new complaint replaces whatever was being asked

    def name(self) -> str:
        return "action_start_complaint"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        message = turn.message
        category = category_of(message, stated=True)
        open_ones = [c for c in await turn.store.complaints(turn.customer_id) if c.status != "resolved"]
        told = next((c for c in open_ones if telling_more(tracker, c, category)), None)
        if turn.form != "complaint_form" and told is not None:
            # More about a complaint taken in this conversation (of two told together, the
            # one of this kind): it joins it.
            latest = told
            if message.words and message.words not in latest.description:
                await turn.store.amend_complaint(
                    latest.reference, actor="bot", source=source_of(tracker),
                    description=f"{latest.description} {message.words}"[:2000])
            dispatcher.utter_message(response="utter_complaint_added", reference=latest.reference)
            return [FollowupAction("action_listen")]  # nothing to ask: intake was done
        if open_ones:
            dispatcher.utter_message(response="utter_complaint_linked_open",
                                     reference=open_ones[0].reference)
        slots: dict[str, Any] = {
            "complaint_description": message.words if describes_problem(message, category) else None,
            "complaint_category": category,
            "complaint_severity": severity_of(message),
            "complaint_reference": reference_of(message, asked=False),
            "complaint_ref": None,
        }
        # Asked for here, not only by the rule: a bad rating out of the blue starts intake too.
        events = [SlotSet(slot, value) for slot, value in slots.items()]
        recorded = await record_or_update(tracker, turn, slots)
        if recorded:
            reference = recorded[0]["value"]
            if category:
                dispatcher.utter_message(response="utter_complaint_logged", reference=reference,
                                         category=category_words(category))
            else:
                dispatcher.utter_message(response="utter_complaint_logged_unsorted", reference=reference)
            await self.record_second(dispatcher, tracker, turn, category)
        # Asked for here, not only by the rule: a bad rating out of the blue starts intake too.
        return events + recorded + [FollowupAction("complaint_form")]


    @staticmethod
    async def record_second(dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn,
                            category: str | None) -> None:
        """A second problem of another kind in the same message is a complaint of its own,
        complete as told (the questions that follow are about the first)."""
        second = second_problem(turn.message, category)
        if second is None:
            return
        kind, words = second
        complaint = await turn.store.open_complaint(
            turn.customer_id, category=kind, description=words,
            severity=severity_of(turn.message) or "medium", source=source_of(tracker))
        dispatcher.utter_message(response="utter_complaint_also_logged",
                                 reference=complaint.reference, category=category_words(kind))


async def severity_told_later(tracker: Tracker, turn: Turn) -> str | None:
    """ "pretty bad tbh, i work from home" just after a complaint was taken in this
    conversation is how badly it affects them, not a product they want: the complaint's
    severity and description take it. Its reference, or None when it is not that."""
    severity = severity_of(turn.message) if turn.message.first("severity") else None
    if turn.form or severity is None:
        return None
    told = [c for c in await recent_complaints(turn.store, turn.customer_id)
            if telling_more(tracker, c, None)]
    if not told:
        return None
    complaint = told[0]
    description = complaint.description
    if turn.message.words and turn.message.words not in description:
        description = f"{description} {turn.message.words}"[:2000]
    await turn.store.amend_complaint(complaint.reference, actor="bot", source=source_of(tracker),
                                     severity=severity, description=description)
    return complaint.reference


def telling_more(tracker: Tracker, complaint: ComplaintView, category: str | None) -> bool:
    """Whether a complaint message adds to `complaint`, taken earlier in this conversation,
    rather than telling of a problem of another kind."""
    if complaint.source.conversation_id != tracker.sender_id:
        return False
    return category in (None, complaint.category, "other")


class ValidateComplaintForm(FormValidation):
    unclear = {
        "complaint_category": "utter_complaint_category_unclear",
        "complaint_reference": "utter_complaint_reference_unclear",
        "complaint_severity": "utter_complaint_severity_unclear",
    }

    def name(self) -> str:
        return "validate_complaint_form"

    async def slots(self, tracker: Tracker, turn: Turn) -> list[str]:
        slots = ["complaint_description", "complaint_category"]
        if (tracker.get_slot("complaint_category") not in NO_REFERENCE_CATEGORIES
                or ORDER_WORDS.search(tracker.get_slot("complaint_description") or "")):
            slots.append("complaint_reference")
        return slots + ["complaint_severity"]

    async def read(self, tracker: Tracker, turn: Turn, requested: str | None) -> dict[str, Any]:
        message = turn.message
        values: dict[str, Any] = {}
        if requested == "complaint_description" and message.words:
            values["complaint_description"] = message.words
        category = category_of(message, answering=requested == "complaint_category")
        if category and (requested == "complaint_category" or not tracker.get_slot("complaint_category")):
            values["complaint_category"] = category
        severity = severity_of(message, answering=requested == "complaint_severity")
        if severity:
            values["complaint_severity"] = severity
        reference = reference_of(message, asked=requested == "complaint_reference")
        if reference and (reference != "none" or requested == "complaint_reference"):
            values["complaint_reference"] = reference
        if message.intent == "complain" and requested not in values and requested != "complaint_description":
            current = tracker.get_slot("complaint_category")
            described = tracker.get_slot("complaint_description") or ""
            if (category and current and category != current and len(message.words.split()) >= 6
                    and message.words not in described):
                return {}  # another problem, not an answer: it becomes a complaint of its own
            if message.words and message.words not in described:
                # More about the same problem: it joins the description.
                values["complaint_description"] = f"{described} {message.words}".strip()[:2000]
        if message.intent == "complain" or message.answers_with(values, requested):
            return values
        return {}

    async def best_guess(self, tracker: Tracker, turn: Turn, slot: str) -> tuple[Any, str]:
        if slot == "complaint_category":
            guess = category_of(turn.message, answering=True, best_reading=True) or "other"
            return guess, f"'{catalogue.complaint_categories().get(guess, guess)}'"
        if slot == "complaint_severity":
            return "medium", SEVERITY_WORDS["medium"]
        if slot == "complaint_reference":
            return "none", "no reference"
        return turn.message.words or "(no details given)", "what you've told me so far"

    async def store_values(self, tracker: Tracker, turn: Turn,
                           values: dict[str, Any]) -> list[EventType]:
        slots = {slot: tracker.get_slot(slot) for slot in COMPLAINT_SLOTS}
        events = await record_or_update(tracker, turn, {**slots, **values})
        for event in events:
            tracker.slots[event["name"]] = event["value"]
        return events


class ActionRecordComplaint(Action):
    """Closes intake: the complaint was recorded along the way; say what happens next."""

    def name(self) -> str:
        return "action_record_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        reference = tracker.get_slot("complaint_ref")
        if reference is None:
            return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]
        store, _ = await customer_of(tracker)
        complaint = await store.complaint(reference)
        summary = f"{category_words(complaint.category)}, {SEVERITY_WORDS.get(complaint.severity, complaint.severity)}"
        if complaint.related_to:
            dispatcher.utter_message(response="utter_complaint_recorded_linked", reference=reference,
                                     summary=summary, related=complaint.related_to)
        else:
            dispatcher.utter_message(response="utter_complaint_recorded", reference=reference,
                                     summary=summary)
        return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]


def resolution_of(complaint) -> str | None:
    """The note left when the complaint was last resolved, if any."""
    resolved = [t for t in complaint.transitions if t.to_status == "resolved"]
    return resolved[-1].note if resolved else None


async def escalate(store, complaint, *, actor: str, reason: str):
    """Move an open or reopened complaint into progress with the reason; later stages keep theirs."""
    if complaint.status in ("open", "reopened"):
        return await store.transition_complaint(complaint.reference, "in_progress", actor=actor, note=reason)
    return complaint


class ActionComplaintStatus(TurnAction):
    def name(self) -> str:
        return "action_complaint_status"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        complaints = await turn.store.complaints(turn.customer_id)
        if not complaints:
            dispatcher.utter_message(response="utter_no_complaints")
            return []
        lines = []
        for complaint in complaints[:3]:
            status = complaint.status.replace("_", " ")
            resolution = resolution_of(complaint) if complaint.status == "resolved" else None
            lines.append(f"- {complaint.reference} about {complaint.category}, opened "
                         f"{when(complaint.created_at)}: {status}"
                         + (f" ({resolution})" if resolution else ""))
        dispatcher.utter_message(response="utter_complaint_status", complaints="\n".join(lines))
        return []
