"""Complaint intake and follow-up: a reference at once, status from the store, repeats linked."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue import catalogue
from actions.context import when
from actions.store import customer_of, source_of

logger = logging.getLogger(__name__)

COMPLAINT_SLOTS = ("complaint_category", "complaint_description", "complaint_reference", "complaint_severity")
NO_REFERENCE = ("none", "no", "nope", "n/a", "no reference", "don't have one", "dont have one", "not sure")


class ActionStartComplaint(Action):
    """Keeps the customer's own words as the description and says if a complaint is already open."""

    def name(self) -> str:
        return "action_start_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        store, customer_id = await customer_of(tracker)
        open_ones = [c for c in await store.complaints(customer_id) if c.status != "resolved"]
        if open_ones:
            dispatcher.utter_message(
                text=f"I can see complaint {open_ones[0].reference} is still open; I'll link this one to it."
            )
        words = (tracker.latest_message.get("text") or "").strip()
        events: list[EventType] = [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]
        # A bare "I want to complain" carries no description; anything longer does.
        if len(words.split()) > 4:
            events.append(SlotSet("complaint_description", words[:2000]))
        reference = next(tracker.get_latest_entity_values("order_ref"), None)
        if reference:
            events.append(SlotSet("complaint_reference", reference))
        return events


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    async def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        categories = catalogue.complaint_categories()
        text = str(value).strip().lower()
        match = next((cid for cid, title in categories.items() if text in (cid, title.lower()) or cid in text), None)
        if match is None:
            dispatcher.utter_message(text="Please pick one of the options, or say 'something else'.")
        return {"complaint_category": match}

    async def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).strip()
        return {"complaint_description": text[:2000] if text else None}

    async def validate_complaint_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        extracted = next(tracker.get_latest_entity_values("order_ref"), None)
        text = str(extracted or value).strip()
        if text.lower() in NO_REFERENCE or tracker.latest_message.get("intent", {}).get("name") == "deny":
            return {"complaint_reference": "none"}
        return {"complaint_reference": text[:64]}

    async def validate_complaint_severity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        severities = catalogue.severities()
        text = str(value).strip().lower()
        match = next((sid for sid, title in severities.items() if text in (sid, title.lower())), None)
        if match is None:
            dispatcher.utter_message(text="Please choose how badly it affects you.")
        return {"complaint_severity": match}


async def file_complaint(tracker: Tracker, *, category: str, description: str, severity: str, reference: str | None):
    """Open a complaint, linked to the customer's latest open one when this is a repeat."""
    store, customer_id = await customer_of(tracker)
    previous = [c for c in await store.complaints(customer_id) if c.category == category or c.status != "resolved"]
    return await store.open_complaint(
        customer_id,
        category=category,
        description=description,
        severity=severity,
        order_ref=reference,
        related_to=previous[0].reference if previous else None,
        source=source_of(tracker),
    )


class ActionRecordComplaint(Action):
    def name(self) -> str:
        return "action_record_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reference = tracker.get_slot("complaint_reference")
        complaint = await file_complaint(
            tracker,
            category=tracker.get_slot("complaint_category") or "other",
            description=tracker.get_slot("complaint_description") or "",
            severity=tracker.get_slot("complaint_severity") or "medium",
            reference=None if reference in (None, "none") else reference,
        )
        linked = f" I've linked it to your earlier complaint {complaint.related_to}." if complaint.related_to else ""
        dispatcher.utter_message(
            text=f"I've recorded your complaint. Your reference is {complaint.reference}.{linked} "
            "A member of our team will look into it, and you can ask me for its status any time."
        )
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


class ActionComplaintStatus(Action):
    def name(self) -> str:
        return "action_complaint_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        store, customer_id = await customer_of(tracker)
        complaints = await store.complaints(customer_id)
        if not complaints:
            dispatcher.utter_message(text="I can't find any complaint from you. Would you like to make one?")
            return []
        lines = []
        for complaint in complaints[:3]:
            status = complaint.status.replace("_", " ")
            lines.append(
                f"{complaint.reference} about {complaint.category}, opened {when(complaint.created_at)}: {status}"
                + (f" ({resolution_of(complaint)})" if complaint.status == "resolved" and resolution_of(complaint) else "")
            )
        dispatcher.utter_message(text="Here's where things stand:\n" + "\n".join(f"- {line}" for line in lines))
        return []
