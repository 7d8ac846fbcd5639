"""Contact details for a lead: skipped when held and fresh, confirmed ("still …?") when stale,
and never asked for a third time."""

from __future__ import annotations

import abc
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.dialogue import FormValidation, Turn
from actions.store import customer_of, source_of

logger = logging.getLogger(__name__)

# The customer would not give it: the form moves on, and nothing is stored.
NOT_GIVEN = "not given"


class ValidateContactForm(FormValidation):
    unclear = {"email": "utter_fact_invalid", "phone": "utter_fact_invalid"}

    def unclear_arguments(self, slot: str) -> dict[str, Any]:
        return {"fact": context.fact_label(slot)}

    def name(self) -> str:
        return "validate_contact_form"

    def questions(self, slot: str) -> tuple[str, ...]:
        return (f"utter_ask_{slot}", f"utter_confirm_{slot}", "utter_ask_replacement")

    async def slots(self, tracker: Tracker, turn: Turn) -> list[str]:
        return ["email", "phone"]

    async def read(self, tracker: Tracker, turn: Turn, requested: str | None) -> dict[str, Any]:
        message = turn.message
        if not message.could_answer or requested not in ("email", "phone"):
            return {}
        pending = tracker.get_slot("pending_question")
        if pending == f"confirm:{requested}" and message.intent in ("affirm", "deny"):
            if message.intent == "deny":
                turn.acknowledged.add(requested)
                return {"pending_question": f"replace:{requested}"}
            profile = await turn.store.profile(turn.customer_id)
            return {requested: profile.get(requested), "pending_question": None}
        entity = message.value(requested)
        cleaned = context.clean_fact_value(requested, entity or message.words)
        return {requested: cleaned, "pending_question": None} if cleaned else {}

    async def best_guess(self, tracker: Tracker, turn: Turn, slot: str) -> tuple[Any, str]:
        return NOT_GIVEN, f"no {context.fact_label(slot)} for now"

    async def store_values(self, tracker: Tracker, turn: Turn,
                           values: dict[str, Any]) -> list[EventType]:
        for key in ("email", "phone"):
            value = values.get(key)
            if not value or value == NOT_GIVEN:
                continue
            profile = await turn.store.profile(turn.customer_id)
            if profile.get(key) != value or profile.needs_confirmation(key):
                await turn.store.remember(turn.customer_id, key, value, source=source_of(tracker))
            turn.acknowledged.add(key)
        return []


class _AskContact(Action, abc.ABC):
    key = ""

    @abc.abstractmethod
    def name(self) -> str:
        """action_ask_<key>"""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        store, customer_id = await customer_of(tracker)
        profile = await store.profile(customer_id)
        pending = tracker.get_slot("pending_question")
        if pending == f"replace:{self.key}":
            dispatcher.utter_message(response="utter_ask_replacement", fact=context.fact_label(self.key))
            return []
        if profile.needs_confirmation(self.key):
            dispatcher.utter_message(response=f"utter_confirm_{self.key}",
                                     value=context.mask(self.key, profile.get(self.key) or ""))
            return [SlotSet("pending_question", f"confirm:{self.key}")]
        dispatcher.utter_message(response=f"utter_ask_{self.key}")
        return []


class ActionAskEmail(_AskContact):
    key = "email"

    def name(self) -> str:
        return "action_ask_email"


class ActionAskPhone(_AskContact):
    key = "phone"

    def name(self) -> str:
        return "action_ask_phone"


class ActionRecordLead(Action):
    def name(self) -> str:
        return "action_record_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        pending = tracker.get_slot("pending_question") or ""
        given = [key for key in ("email", "phone") if tracker.get_slot(key) not in (None, NOT_GIVEN)]
        dispatcher.utter_message(response="utter_lead_recorded" if given else "utter_lead_without_contact")
        logger.info("lead contact details complete (%s)", pending.partition(":")[2] or "no offer")
        events: list[EventType] = [SlotSet("pending_question", None)]
        events += [SlotSet(key, None) for key in ("email", "phone") if tracker.get_slot(key) == NOT_GIVEN]
        return events
