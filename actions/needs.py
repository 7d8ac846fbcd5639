"""Needs discovery and contact details: ask only for what is missing, confirm what is stale."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.catalogue import catalogue
from actions.offers import make_offer
from actions.store import customer_of, source_of

logger = logging.getLogger(__name__)

NEED_SLOTS = ("need_category", "need_product", "need_budget", "need_timeframe", "need_words")
CATEGORIES = ("broadband", "mobile", "tv", "device", "bundle")
NOT_SURE = ("not sure", "don't know", "dont know", "no idea", "any", "whenever", "no rush", "none")


def _first_user_text(tracker: Tracker, intent: str) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == intent:
            return event.get("text")
    return None


class ValidateNeedForm(FormValidationAction):
    """Fills what the customer already said or what the profile holds; asks for the rest."""

    def name(self) -> str:
        return "validate_need_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        slots = list(domain_slots)
        # A named product implies its category: don't ask "what are you looking for?".
        if tracker.get_slot("need_product") and "need_category" in slots:
            slots.remove("need_category")
        return slots

    async def extract_need_budget(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("need_budget"):
            return {}
        store, customer_id = await customer_of(tracker)
        profile = await store.profile(customer_id)
        if profile.knows("budget"):
            return {"need_budget": profile.get("budget")}
        return {}

    async def validate_need_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).lower()
        category = next((c for c in CATEGORIES if c in text), None)
        if category is None:
            dispatcher.utter_message(text="Is it broadband, mobile, TV or a device?")
        return {"need_category": category}

    async def validate_need_budget(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, dict):
            value = value.get("text") or value.get("value")
        text = str(value).strip()
        if any(phrase in text.lower() for phrase in NOT_SURE):
            return {"need_budget": "no fixed budget"}
        if not any(ch.isdigit() for ch in text):
            dispatcher.utter_message(text="Could you give me a rough amount per month, like 'about 30'?")
            return {"need_budget": None}
        return {"need_budget": text[:64]}

    async def validate_need_timeframe(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, dict):
            value = value.get("text") or value.get("value")
        text = str(value).strip()
        if any(phrase in text.lower() for phrase in NOT_SURE):
            return {"need_timeframe": "no rush"}
        return {"need_timeframe": text[:64]}


class ActionRecordNeed(Action):
    def name(self) -> str:
        return "action_record_need"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        store, customer_id = await customer_of(tracker)
        category = tracker.get_slot("need_category") or "unspecified"
        product = tracker.get_slot("need_product")
        budget = tracker.get_slot("need_budget")
        timeframe = tracker.get_slot("need_timeframe")
        words = _first_user_text(tracker, "state_need") or tracker.latest_message.get("text") or ""
        need = await store.add_need(
            customer_id, category=category, product=product, budget=budget, timeframe=timeframe,
            words=words, source=source_of(tracker),
        )
        if budget and budget != "no fixed budget":
            await store.remember(customer_id, "budget", budget, source=source_of(tracker))
        subject = catalogue.product_name(product) if product else category
        dispatcher.utter_message(
            text=f"Got it: {subject}, budget {context.say_budget(budget)}, needed "
            f"{context.say_timeframe(timeframe)}. I've noted that."
        )
        logger.info("need %s recorded for a customer", getattr(need, "id", "?"))
        return [SlotSet(slot, None) for slot in NEED_SLOTS] + await make_offer(dispatcher, tracker)


class ValidateContactForm(FormValidationAction):
    """Email and phone: skipped when held and fresh; confirmed ("still …?") when stale."""

    def name(self) -> str:
        return "validate_contact_form"

    async def _validate(self, key: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        store, customer_id = await customer_of(tracker)
        profile = await store.profile(customer_id)
        intent = tracker.latest_message.get("intent", {}).get("name")
        if profile.needs_confirmation(key) and tracker.get_slot("pending_question") == f"confirm:{key}":
            if intent == "affirm":
                confirmed = profile.get(key)
                await store.remember(customer_id, key, confirmed, source=source_of(tracker))
                return {key: confirmed, "pending_question": None}
            if intent == "deny":
                dispatcher.utter_message(text=f"Thanks. What's the right {key.replace('_', ' ')} now?")
                return {key: None, "pending_question": f"replace:{key}"}
        cleaned = context.clean_fact_value(key, value, tracker)
        if cleaned is None:
            dispatcher.utter_message(text=f"That doesn't look like a valid {key}. Could you type it again?")
            return {key: None}
        await store.remember(customer_id, key, cleaned, source=source_of(tracker))
        return {key: cleaned, "pending_question": None}

    async def validate_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate("email", value, dispatcher, tracker)

    async def validate_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return await self._validate("phone", value, dispatcher, tracker)


class _AskContact(Action):
    key = ""

    def name(self) -> str:
        return f"action_ask_{self.key}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        store, customer_id = await customer_of(tracker)
        profile = await store.profile(customer_id)
        label = "email address" if self.key == "email" else "phone number"
        if profile.needs_confirmation(self.key) and tracker.get_slot("pending_question") != f"replace:{self.key}":
            dispatcher.utter_message(
                text=f"Is your {label} still {context.mask(self.key, profile.get(self.key) or '')}?",
                buttons=[{"title": "Yes", "payload": "/affirm"}, {"title": "No, it changed", "payload": "/deny"}],
            )
            return [SlotSet("pending_question", f"confirm:{self.key}")]
        dispatcher.utter_message(text=f"What's the best {label} to reach you on?")
        return []


class ActionAskEmail(_AskContact):
    key = "email"


class ActionAskPhone(_AskContact):
    key = "phone"


class ActionRecordLead(Action):
    def name(self) -> str:
        return "action_record_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        pending = tracker.get_slot("pending_question") or ""
        dispatcher.utter_message(text="Thanks, that's all we need. Someone will be in touch shortly.")
        logger.info("lead contact details complete (%s)", pending.partition(":")[2] or "no offer")
        return [SlotSet("pending_question", None)]
