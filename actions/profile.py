"""Profile actions: load what we know at session start, greet with context, learn the name once,
say what we know, change a fact, forget the customer."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.store import channel_of, customer_of, source_of

logger = logging.getLogger(__name__)

# Profile facts mirrored into slots of the same name: forms skip what we already know, and
# response variations can depend on the customer's language and segment.
PROFILE_SLOTS = ("first_name", "email", "phone", "language", "segment")
FACT_LABELS = {
    "first_name": "first name", "last_name": "last name", "email": "email address",
    "phone": "phone number", "city": "city", "postcode": "postcode", "budget": "budget",
    "plan": "plan", "preferred_channel": "preferred channel", "language": "language",
    "company": "company",
}

_NAME_PREFIX = re.compile(
    r"^(?:hi|hello|hey)?[,!\s]*(?:my (?:first )?name is|my name's|name's|the name is|i am|i'm|im|"
    r"call me|you can call me|it's|it is|this is|i go by|people call me|i'm called)\s+",
    re.IGNORECASE,
)
_NAME_SUFFIX = re.compile(r"[\s,.!]*(?:here|speaking|thanks|thank you|is my name)?[\s,.!]*$", re.IGNORECASE)
_NAME = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*$")


def extract_first_name(text: str) -> str | None:
    """The first name in a reply to "what's your first name?", or None if it is not one."""
    candidate = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", text.strip()))
    words = candidate.split()
    if not words or len(words) > 3 or len(candidate) > 40:
        return None
    if not all(_NAME.match(word) for word in words):
        return None
    first = words[0]
    return first[:1].upper() + first[1:] if first.islower() else first


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        store, customer_id = await customer_of(tracker)
        profile = await store.profile(customer_id)
        events: list[EventType] = [SessionStarted()]
        for key in PROFILE_SLOTS:
            if profile.knows(key):
                events.append(SlotSet(key, profile.get(key)))
        events.append(SlotSet("value_tier", await context.value_tier(store, customer_id)))
        events.append(SlotSet("channel", channel_of(tracker)))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        first_name = tracker.get_slot("first_name")
        if not first_name:
            dispatcher.utter_message(response="utter_welcome")
            return []
        dispatcher.utter_message(response="utter_welcome_back", first_name=first_name)
        store, customer_id = await customer_of(tracker)
        line = await context.returning_context(store, customer_id)
        if line:
            dispatcher.utter_message(text=line)
        return []


class ValidateNameForm(FormValidationAction):
    def name(self) -> str:
        return "validate_name_form"

    async def validate_first_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = extract_first_name(value) if isinstance(value, str) else None
        if name is None:
            dispatcher.utter_message(text="Sorry, I didn't catch that. What should I call you?")
        return {"first_name": name}


class ActionRememberName(Action):
    def name(self) -> str:
        return "action_remember_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        first_name = tracker.get_slot("first_name")
        if not first_name:
            return []
        store, customer_id = await customer_of(tracker)
        if (await store.profile(customer_id)).get("first_name") == first_name:
            return []
        await store.remember(customer_id, "first_name", first_name, source=source_of(tracker))
        dispatcher.utter_message(text=f"Nice to meet you, {first_name}! How can I help you today?")
        return []


class ActionTellProfile(Action):
    """Answers "what do you know about me?" from the profile, with where each fact came from."""

    def name(self) -> str:
        return "action_tell_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        store, customer_id = await customer_of(tracker)
        profile = await store.profile(customer_id)
        lines = [
            f"- your {FACT_LABELS.get(key, key)}: {fact.value} "
            f"({context.describe_source(fact.source, fact.observed_at)})"
            + (" (it may be out of date)" if fact.stale else "")
            for key, fact in sorted(profile.facts.items())
        ]
        lines += await context.history_lines(store, customer_id)
        if not lines:
            dispatcher.utter_message(text="We don't hold any details about you yet.")
            return []
        dispatcher.utter_message(
            text="Here is what we know about you:\n" + "\n".join(lines)
            + "\nYou can ask me to change any of it, or to forget you."
        )
        return []


class ActionStartFactChange(Action):
    """ "Change my email": take the new value from the message if it is there."""

    def name(self) -> str:
        return "action_start_fact_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key = next(tracker.get_latest_entity_values("fact_key"), None) or "email"
        entity = {"email": "email", "phone": "phone"}.get(key)
        value = next(tracker.get_latest_entity_values(entity), None) if entity else None
        if key not in FACT_LABELS:
            key = "email"
        return [SlotSet("fact_key", key), SlotSet("fact_value", value)]


class ActionAskFactValue(Action):
    """The fact form's question, naming the fact being changed."""

    def name(self) -> str:
        return "action_ask_fact_value"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key = tracker.get_slot("fact_key") or "email"
        dispatcher.utter_message(text=f"Sure. What is your new {FACT_LABELS.get(key, key)}?")
        return []


class ValidateFactForm(FormValidationAction):
    def name(self) -> str:
        return "validate_fact_form"

    async def validate_fact_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        key = tracker.get_slot("fact_key") or "email"
        cleaned = context.clean_fact_value(key, value, tracker)
        if cleaned is None:
            dispatcher.utter_message(text=f"That doesn't look like a valid {FACT_LABELS.get(key, key)}. Could you type it again?")
        return {"fact_value": cleaned}


class ActionChangeFact(Action):
    def name(self) -> str:
        return "action_change_fact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key, value = tracker.get_slot("fact_key") or "email", tracker.get_slot("fact_value")
        if not value:
            return []
        store, customer_id = await customer_of(tracker)
        await store.remember(customer_id, key, value, source=source_of(tracker))
        dispatcher.utter_message(
            text=f"Done: your {FACT_LABELS.get(key, key)} is now {value}. I've kept the old one in your history."
        )
        events: list[EventType] = [SlotSet("fact_key", None), SlotSet("fact_value", None)]
        if key in PROFILE_SLOTS:
            events.append(SlotSet(key, value))
        return events


class ActionForgetMe(Action):
    """Asks for confirmation; the erasure itself runs in action_answer_yes_no."""

    def name(self) -> str:
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_confirm_forget")
        return [SlotSet("pending_question", "forget_me")]


async def erase_customer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    store, customer_id = await customer_of(tracker)
    await store.erase(customer_id, actor="customer", reason=f"asked in conversation on {channel_of(tracker)}")
    dispatcher.utter_message(
        text="Done. Everything we knew about you has been erased. If you chat with us again, we'll start fresh."
    )
    return [SlotSet(slot, None) for slot in (*PROFILE_SLOTS, "pending_question")]
