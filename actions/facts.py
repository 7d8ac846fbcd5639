"""Changing what we know: "change my email", corrections ("sorry, it's John", "no, I said
mobile, not broadband", "actually my budget is 30") and facts given out of the blue. The
old value always stays in the profile's history."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.complaint_reading import category_of, states_a_problem
from actions.capture import stated_facts
from actions.complaints import severity_told_later
from actions.dialogue import FormValidation, Turn, TurnAction, fallback
from actions.needs import budget_in, need_values, record_need
from actions.products import follow_up
from actions.profile import PROFILE_SLOTS, extract_first_name
from actions.store import customer_of, recent_complaints, recent_needs, source_of

logger = logging.getLogger(__name__)

_DOMAIN_FIX = re.compile(r"(\.[a-z]{2,}(?:\.[a-z]{2,})?)\s*,?\s*(?:not|instead of|rather than)\s+"
                         r"(\.[a-z]{2,}(?:\.[a-z]{2,})?)\b")
# A "change of details" the classifier also finds this likely a complaint is taken as one
# when it gives no new value.
COMPLAINT_LIKELY = 0.3
NEED_PARTS = {"need_category": "category", "need_product": "product",
              "need_budget": "budget", "need_timeframe": "timeframe"}


def say_need_part(slot: str, value: str) -> str:
    if slot == "need_budget":
        return f"your budget is {context.say_budget(value)}"
    if slot == "need_timeframe":
        return f"you need it {context.say_timeframe(value)}"
    return f"you're looking for {context.subject_of(value if slot == 'need_category' else None, value if slot == 'need_product' else None)}"


async def corrections(tracker: Tracker, turn: Turn) -> tuple[list[str], list[EventType]]:
    """What the message corrects, as said back to the customer, and the events for it."""
    said: list[str] = []
    events: list[EventType] = []
    for key, _old, new in turn.captured.changed:
        said.append(f"your {context.fact_label(key)} is now {new}")
        turn.acknowledged.add(key)
    if not turn.captured.keys:
        events += await _email_domain(tracker, turn, said)
    if not said and not turn.captured.keys and turn.message.intent == "inform_name":
        events += await _bare_name(tracker, turn, said)
    events += await _need(tracker, turn, said)
    events += await _complaint(tracker, turn, said)
    return said, events


class ActionCorrect(TurnAction):
    """ "Sorry, it's John", "no, I said mobile, not broadband", "actually my budget is 30"."""

    def name(self) -> str:
        return "action_correct"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        reference = await severity_told_later(tracker, turn)
        if reference is not None:
            dispatcher.utter_message(response="utter_complaint_added", reference=reference)
            return []
        if await starts_a_need(turn):
            return [FollowupAction("action_start_need")]  # "sim only deal pls, 15 quid a month"
        said, events = await corrections(tracker, turn)
        if said:
            dispatcher.utter_message(response="utter_corrected", changes="; ".join(said))
            return events
        if turn.captured.keys:
            return events  # new details only: noted, and capture says so
        if await _restated(turn):
            dispatcher.utter_message(response="utter_anything_else")
            return events
        return await self.nothing_to_change(dispatcher, tracker, turn)

    async def nothing_to_change(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                turn: Turn) -> list[EventType]:
        dispatcher.utter_message(response="utter_correction_unclear")
        return []


async def starts_a_need(turn: Turn) -> bool:
    """A product named with no need under way: the customer wants one, nothing to correct."""
    if turn.form or not need_values(turn.message, answering=None).keys() & {
            "need_category", "need_product"}:
        return False
    return not await recent_needs(turn.store, turn.customer_id)


async def _restated(turn: Turn) -> bool:
    """The customer said again something the profile already holds ("Derek here")."""
    stated = stated_facts(turn.message)
    if not stated:
        return False
    profile = await turn.store.profile(turn.customer_id)
    return all(profile.get(key) == value for key, value in stated.items())


async def _email_domain(tracker: Tracker, turn: Turn, said: list[str]) -> list[EventType]:
    """'oops, it's .co.uk not .com': the email's ending corrected without retyping it."""
    match = _DOMAIN_FIX.search(turn.message.words.lower())
    if not match:
        return []
    new, old = match.group(1), match.group(2)
    email = (await turn.store.profile(turn.customer_id)).get("email") or ""
    if not email.lower().endswith(old):
        return []
    fixed = email[:-len(old)] + new
    await turn.store.remember(turn.customer_id, "email", fixed, source=source_of(tracker))
    said.append(f"your email address is now {fixed}")
    return [SlotSet("email", fixed)]


async def _bare_name(tracker: Tracker, turn: Turn, said: list[str]) -> list[EventType]:
    name = extract_first_name(turn.message.words)
    if not name:
        return []
    profile = await turn.store.profile(turn.customer_id)
    if profile.get("first_name") == name:
        return []
    await turn.store.remember(turn.customer_id, "first_name", name, source=source_of(tracker))
    said.append(f"your first name is now {name}")
    return [SlotSet("first_name", name)]


async def _need(tracker: Tracker, turn: Turn, said: list[str]) -> list[EventType]:
    values = need_values(turn.message, answering=None)
    if not values and turn.message.intent in ("correct", "cancel") and not turn.message.entities:
        # "actually make it 35": a bare amount in a correction is the budget (a number
        # inside a phone number or a reference is not: those are entities).
        budget = budget_in(turn.message, answering=True)
        values = {"need_budget": budget} if budget and budget[0].isdigit() else {}
    if not values:
        return []
    if turn.form == "need_form":
        slots = {slot: tracker.get_slot(slot) for slot in
                 ("need_category", "need_product", "need_budget", "need_timeframe",
                  "need_words", "need_id")}
        changed = {s: v for s, v in values.items() if slots.get(s) != v}
        for slot, value in changed.items():
            said.append(say_need_part(slot, value))
        return [SlotSet(s, v) for s, v in changed.items()] + await record_need(
            tracker, turn, {**slots, **changed})
    recent = await recent_needs(turn.store, turn.customer_id)
    if not recent:
        # A budget before any need ("I've got about 30 a month"): kept for the need to come.
        budget = values.get("need_budget")
        profile = await turn.store.profile(turn.customer_id)
        if budget and profile.get("budget") != budget:
            await turn.store.remember(turn.customer_id, "budget", budget, source=source_of(tracker))
            said.append(f"your budget is {context.say_budget(budget)}")
        return []
    need = recent[0]
    changes = {NEED_PARTS[s]: v for s, v in values.items() if getattr(need, NEED_PARTS[s]) != v}
    if changes:
        await turn.store.amend_need(need.id, source=source_of(tracker), **changes)
        for slot, value in values.items():
            if NEED_PARTS[slot] in changes:
                said.append(say_need_part(slot, value))
        if "budget" in changes:
            await turn.store.remember(turn.customer_id, "budget", changes["budget"],
                                      source=source_of(tracker))
    return []


async def _complaint(tracker: Tracker, turn: Turn, said: list[str]) -> list[EventType]:
    """A corrected category or order reference of the complaint just taken."""
    category = category_of(turn.message) if turn.message.first("complaint_category") else None
    order_ref = turn.message.value("order_ref")
    if not category and not order_ref:
        return []
    reference = tracker.get_slot("complaint_ref")
    if reference is None:
        recent = await recent_complaints(turn.store, turn.customer_id)
        reference = recent[0].reference if recent else None
    if reference is None:
        return []
    complaint = await turn.store.complaint(reference)
    changes: dict[str, str] = {}
    if category and complaint.category != category:
        changes["category"] = category
        said.append(f"complaint {reference} is about {category}")
    if order_ref and complaint.order_ref != order_ref.upper():
        changes["order_ref"] = order_ref.upper()
        said.append(f"the reference on complaint {reference} is {order_ref.upper()}")
    if not changes:
        return []
    await turn.store.amend_complaint(reference, actor="bot", source=source_of(tracker), **changes)
    slots = {"category": "complaint_category", "order_ref": "complaint_reference"}
    return ([SlotSet(slots[k], v) for k, v in changes.items()]
            if turn.form == "complaint_form" else [])


class ActionTakeNote(ActionCorrect):
    """Details given out of the blue ("my number is …", "Jon"): noted, or the fallback."""

    def name(self) -> str:
        return "action_take_note"

    async def nothing_to_change(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                turn: Turn) -> list[EventType]:
        answered = await follow_up(dispatcher, tracker, turn)
        if answered is not None:
            return answered
        return await fallback(dispatcher, tracker)


class ActionStartFactChange(TurnAction):
    """ "Change my email": take the new value from the message if it is there."""

    ends_form = True

    def name(self) -> str:
        return "action_start_fact_change"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        key = turn.message.value("fact_key") or "email"
        if key not in context.FACT_LABELS:
            key = "email"
        value = turn.message.value(key) if key in ("email", "phone") else None
        if value is None and (states_a_problem(turn.message)
                              or turn.message.likelihood("complain") >= COMPLAINT_LIKELY):
            # "I moved my number to another network and you STILL took £38": a complaint.
            return [FollowupAction("action_start_complaint")]
        turn.acknowledged.update(turn.captured.keys)  # the change itself is confirmed
        if key in turn.captured.keys:
            value = (await turn.store.profile(turn.customer_id)).get(key)
        return [SlotSet("fact_key", key), SlotSet("fact_value", value)]


class ActionAskFactValue(Action):
    """The fact form's question, naming the fact being changed."""

    def name(self) -> str:
        return "action_ask_fact_value"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        key = tracker.get_slot("fact_key") or "email"
        dispatcher.utter_message(response="utter_ask_fact_value", fact=context.fact_label(key))
        return []


class ValidateFactForm(FormValidation):
    unclear = {"fact_value": "utter_fact_invalid"}

    def name(self) -> str:
        return "validate_fact_form"

    def unclear_arguments(self, slot: str) -> dict[str, Any]:
        return {"fact": "answer"}

    async def slots(self, tracker: Tracker, turn: Turn) -> list[str]:
        return ["fact_value"]

    async def read(self, tracker: Tracker, turn: Turn, requested: str | None) -> dict[str, Any]:
        if not turn.message.could_answer and turn.message.intent != "change_fact":
            return {}
        key = tracker.get_slot("fact_key") or "email"
        value = turn.message.value(key) if key in ("email", "phone") else None
        cleaned = context.clean_fact_value(key, value or turn.message.words)
        return {"fact_value": cleaned} if cleaned else {}

    async def best_guess(self, tracker: Tracker, turn: Turn, slot: str) -> tuple[Any, str]:
        return "", "no change for now"


class ActionChangeFact(Action):
    def name(self) -> str:
        return "action_change_fact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        key, value = tracker.get_slot("fact_key") or "email", tracker.get_slot("fact_value")
        events: list[EventType] = [SlotSet("fact_key", None), SlotSet("fact_value", None)]
        if not value:
            return events
        store, customer_id = await customer_of(tracker)
        if (await store.profile(customer_id)).get(key) != value:
            await store.remember(customer_id, key, value, source=source_of(tracker))
        dispatcher.utter_message(response="utter_fact_changed", fact=context.fact_label(key), value=value)
        if key in PROFILE_SLOTS:
            events.append(SlotSet(key, value))
        return events
