"""Facts the customer states in any message, in any flow, stored once: a name, an email
address, a phone number, a move to another town. A changed value replaces the old one in
the profile and the old one stays in its history (the store keeps every observation)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from memory import ProfileStore, errors

from actions import context
from actions.store import source_of
from actions.turn import Message

logger = logging.getLogger(__name__)

# Facts taken from entities of the same name, and the slots that mirror them.
ENTITY_FACTS = ("first_name", "email", "phone")
SLOT_FACTS = ("first_name", "email", "phone")


@dataclass
class Captured:
    """What one message added to or changed in the profile."""

    events: list[EventType] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)
    changed: list[tuple[str, str | None, str]] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return set(self.noted) | {key for key, _, _ in self.changed}

    def acknowledge(self, dispatcher: CollectingDispatcher, already: set[str]) -> None:
        """Say which facts were noted, unless the action's own reply already did."""
        keys = [key for key in (*self.noted, *(k for k, _, _ in self.changed)) if key not in already]
        if keys:
            facts = " and ".join(context.fact_label(key) for key in dict.fromkeys(keys))
            dispatcher.utter_message(response="utter_noted_facts", facts=facts)
        already.update(keys)


def stated_facts(message: Message) -> dict[str, str]:
    """{fact key: value} the message states, cleaned, the customer's own name included."""
    if message.is_button:
        return {}
    facts: dict[str, str] = {}
    for key in ENTITY_FACTS:
        entity = message.current(key)
        if entity is not None:
            cleaned = context.clean_fact_value(key, entity.value)
            if cleaned:
                facts[key] = cleaned
    for entity in message.all("fact_key"):
        new_value = (entity.info or {}).get("new_value")
        if new_value and entity.value not in facts:
            cleaned = context.clean_fact_value(entity.value, str(new_value))
            if cleaned:
                facts[entity.value] = cleaned
    return facts


async def capture(tracker: Tracker, store: ProfileStore, customer_id: str,
                  message: Message) -> Captured:
    """Store the facts `message` states that the profile does not already hold as they are."""
    captured = Captured()
    facts = stated_facts(message)
    if not facts:
        return captured
    profile = await store.profile(customer_id)
    for key, value in facts.items():
        old = profile.get(key)
        if old == value:
            continue
        try:
            await store.remember(customer_id, key, value, source=source_of(tracker))
        except errors.ProfileStoreError as error:
            logger.warning("could not store a stated %s: %s", key, type(error).__name__)
            continue
        if old is None:
            captured.noted.append(key)
        else:
            captured.changed.append((key, old, value))
        if key in SLOT_FACTS:
            captured.events.append(SlotSet(key, value))
    return captured
