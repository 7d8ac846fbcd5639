"""Changing what we know: "change my email", corrections ("sorry, it's John", "no, I said
mobile, not broadband", "actually my budget is 30") and facts given out of the blue. The
old value always stays in the profile's history."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.complaint_reading import category_of
from actions.dialogue import FormValidation, Turn, TurnAction
from actions.handoff import fallback
from actions.needs import need_values, record_need
from actions.products import follow_up
from actions.profile import PROFILE_SLOTS, extract_first_name
from actions.store import customer_of, source_of

logger = logging.getLogger(__name__)

# A need or complaint this recent is still "what we were just talking about".
RECENT = timedelta(hours=2)
NEED_PARTS = {"need_category": "category", "need_product": "product",
              "need_budget": "budget", "need_timeframe": "timeframe"}


def say_need_part(slot: str, value: str) -> str:
    if slot == "need_budget":
        return f"your budget is {context.say_budget(value)}"
    if slot == "need_timeframe":
        return f"you need it {context.say_timeframe(value)}"
    return f"you're looking for {context.subject_of(value if slot == 'need_category' else None, value if slot == 'need_product' else None)}"


class ActionCorrect(TurnAction):
    """ "Sorry, it's John", "no, I said mobile, not broadband", "actually my budget is 30"."""

    def name(self) -> str:
        return "action_correct"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        said: list[str] = []
        events: list[EventType] = []
        for key, _old, new in turn.captured.changed:
            said.append(f"your {context.fact_label(key)} is now {new}")
        for key in turn.captured.noted:
            said.append(f"I've noted your {context.fact_label(key)}")
        turn.acknowledged.update(turn.captured.keys)
        if not said and turn.message.intent == "inform_name":
            events += await self._bare_name(tracker, turn, said)
        events += await self._need(tracker, turn, said)
        events += await self._complaint(tracker, turn, said)
        if said:
            dispatcher.utter_message(response="utter_corrected", changes="; ".join(said))
            return events
        return await self.nothing_to_change(dispatcher, tracker, turn)

    async def nothing_to_change(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                turn: Turn) -> list[EventType]:
        dispatcher.utter_message(response="utter_correction_unclear")
        return []

    async def _bare_name(self, tracker: Tracker, turn: Turn, said: list[str]) -> list[EventType]:
        name = extract_first_name(turn.message.words)
        if not name:
            return []
        profile = await turn.store.profile(turn.customer_id)
        if profile.get("first_name") == name:
            return []
        await turn.store.remember(turn.customer_id, "first_name", name, source=source_of(tracker))
        said.append(f"your first name is now {name}")
        return [SlotSet("first_name", name)]

    async def _need(self, tracker: Tracker, turn: Turn, said: list[str]) -> list[EventType]:
        values = need_values(turn.message, answering=None)
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
        needs = await turn.store.needs(turn.customer_id)
        recent = [n for n in needs if datetime.now(timezone.utc) - n.created_at < RECENT]
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

    async def _complaint(self, tracker: Tracker, turn: Turn, said: list[str]) -> list[EventType]:
        category = category_of(turn.message) if turn.message.first("complaint_category") else None
        if not category:
            return []
        reference = tracker.get_slot("complaint_ref")
        if reference is None:
            recent = [c for c in await turn.store.complaints(turn.customer_id)
                      if c.is_open and datetime.now(timezone.utc) - c.created_at < RECENT]
            reference = recent[0].reference if recent else None
        if reference is None:
            return []
        complaint = await turn.store.complaint(reference)
        if complaint.category == category:
            return []
        await turn.store.amend_complaint(reference, actor="bot", source=source_of(tracker),
                                         category=category)
        said.append(f"complaint {reference} is about {category}")
        return [SlotSet("complaint_category", category)] if turn.form == "complaint_form" else []


class ActionTakeNote(ActionCorrect):
    """Details given out of the blue ("my number is …", "Jon"): noted, or the fallback."""

    def name(self) -> str:
        return "action_take_note"

    async def nothing_to_change(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                turn: Turn) -> list[EventType]:
        answered = await follow_up(dispatcher, tracker, turn)
        return answered if answered is not None else await fallback(dispatcher, tracker)


class ActionStartFactChange(TurnAction):
    """ "Change my email": take the new value from the message if it is there."""

    ends_form = True

    def name(self) -> str:
        return "action_start_fact_change"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        turn.acknowledged.update(turn.captured.keys)  # the change itself is confirmed
        key = turn.message.value("fact_key") or "email"
        if key not in context.FACT_LABELS:
            key = "email"
        value = turn.message.value(key) if key in ("email", "phone") else None
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
