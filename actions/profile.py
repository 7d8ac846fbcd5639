"""Profile actions: load what we know at session start, greet by name, learn the name once."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.store import customer_of, source_of

logger = logging.getLogger(__name__)

# Profile facts that are mirrored into slots of the same name, so forms skip them.
PROFILE_SLOTS = ("first_name",)

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
            fact = profile.facts.get(key)
            if fact is not None and not fact.stale:
                events.append(SlotSet(key, fact.value))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        first_name = tracker.get_slot("first_name")
        if first_name:
            dispatcher.utter_message(text=f"Welcome back, {first_name}! How can I help you today?")
        else:
            dispatcher.utter_message(text="Hello, and welcome! I'm the Rapport assistant.")
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
        known = (await store.profile(customer_id)).get("first_name")
        if known == first_name:
            return []
        await store.remember(customer_id, "first_name", first_name, source=source_of(tracker))
        dispatcher.utter_message(text=f"Nice to meet you, {first_name}! How can I help you today?")
        return []
