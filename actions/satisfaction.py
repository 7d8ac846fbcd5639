"""The five satisfaction levels, each stored and each with its own playbook."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue import catalogue
from actions.complaints import escalate, file_complaint
from actions.dialogue import FormValidation, Turn, hand_back
from actions.handoff import hand_off
from actions.offers import make_offer
from actions.store import customer_of, source_of

logger = logging.getLogger(__name__)

LEVELS = (
    "completely_dissatisfied", "dissatisfied", "neutral", "satisfied", "completely_satisfied",
)


def level_of(tracker: Tracker) -> str | None:
    intent = tracker.latest_message.get("intent", {}).get("name") or ""
    level = intent.removeprefix("feedback_")
    return level if level in LEVELS else None


def customer_words(tracker: Tracker) -> str:
    """The customer's own words, unless they pressed a button (whose text is a payload)."""
    text = (tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def was_asked(tracker: Tracker) -> bool:
    """Whether the bot's last words before this message asked how it went."""
    events = list(tracker.events)
    latest_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    for event in reversed(events[:latest_user]):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            if (event.get("metadata") or {}).get("utter_action") == "utter_ask_satisfaction":
                return True
    return False


class ActionSatisfaction(Action):
    """A rating, when the bot asked for one. Unasked, "I'm not happy at all" is a complaint
    and "great, thanks" is thanks: neither is recorded as a rating."""

    def name(self) -> str:
        return "action_satisfaction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        level = level_of(tracker)
        if level is None:
            return []
        if not was_asked(tracker) and not customer_words(tracker) == "":
            answer = hand_back(tracker)
            if answer is not None:
                return answer
            if level in ("completely_dissatisfied", "dissatisfied"):
                return [FollowupAction("action_start_complaint")]
            dispatcher.utter_message(
                response="utter_you_are_welcome" if level.endswith("satisfied") else "utter_anything_else")
            return [FollowupAction("action_listen")]
        store, customer_id = await customer_of(tracker)
        await store.record_satisfaction(customer_id, level, source=source_of(tracker))
        return await PLAYBOOKS[level](dispatcher, tracker)


async def completely_dissatisfied(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    store, customer_id = await customer_of(tracker)
    open_ones = [c for c in await store.complaints(customer_id) if c.status != "resolved"]
    if open_ones:
        complaint = await escalate(store, open_ones[0], actor="bot", reason="customer completely dissatisfied")
    else:
        complaint = await file_complaint(
            tracker, category="service", description=customer_words(tracker) or "Completely dissatisfied (rating)",
            severity="high", reference=None,
        )
    dispatcher.utter_message(response="utter_escalated", reference=complaint.reference)
    return await hand_off(dispatcher, tracker, reason="completely_dissatisfied", announce=False)


async def dissatisfied(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    complaint = await file_complaint(
        tracker, category="service", description=customer_words(tracker) or "Dissatisfied (rating)",
        severity="medium", reference=None,
    )
    store, _ = await customer_of(tracker)
    days = int(catalogue.playbooks().get("follow_up_days", 2))
    due = datetime.now(timezone.utc) + timedelta(days=days)
    await store.schedule_follow_up(complaint.reference, due_at=due, actor="bot")
    dispatcher.utter_message(response="utter_dissatisfied_follow_up", reference=complaint.reference,
                             days=days)
    return []


async def neutral(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    # The improvement form asks "what would make it better?"; its answer becomes a need.
    return [SlotSet("improvement", None)]


async def satisfied(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    dispatcher.utter_message(response="utter_glad_to_help")
    return await make_offer(dispatcher, tracker)


async def completely_satisfied(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    links = catalogue.playbooks()
    dispatcher.utter_message(response="utter_review_and_referral", review_link=links["review_link"],
                             referral_link=links["referral_link"])
    return []


PLAYBOOKS = {
    "completely_dissatisfied": completely_dissatisfied,
    "dissatisfied": dissatisfied,
    "neutral": neutral,
    "satisfied": satisfied,
    "completely_satisfied": completely_satisfied,
}


class ActionRecordImprovement(Action):
    def name(self) -> str:
        return "action_record_improvement"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        words = tracker.get_slot("improvement")
        if words:
            store, customer_id = await customer_of(tracker)
            await store.add_need(
                customer_id, category="improvement", product=None, budget=None, timeframe=None,
                words=words, source=source_of(tracker),
            )
            dispatcher.utter_message(response="utter_improvement_noted")
        return [SlotSet("improvement", None)]


class ValidateImprovementForm(FormValidation):
    """What would have made it better: any words will do, unless the customer moves on."""

    def name(self) -> str:
        return "validate_improvement_form"

    async def slots(self, tracker: Tracker, turn: Turn) -> list[str]:
        return ["improvement"]

    async def read(self, tracker: Tracker, turn: Turn, requested: str | None) -> dict[str, Any]:
        message = turn.message
        if message.escapes or message.intent in ("request_human", "forget_me", "ask_profile"):
            return {}
        return {"improvement": message.words} if message.words else {}

    async def best_guess(self, tracker: Tracker, turn: Turn, slot: str) -> tuple[Any, str]:
        return "", "nothing specific"
