"""Handing over to a person, the fallback ladder, yes/no answers and continuing on another channel."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)

# The gateway watches for this custom payload and queues the conversation for staff.
HANDOFF_KEY = "handoff"


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: str, announce: bool = True) -> list[EventType]:
    if announce:
        dispatcher.utter_message(text="Of course. I'm bringing in a colleague; they'll see our conversation so far.")
    dispatcher.utter_message(json_message={HANDOFF_KEY: {"reason": reason}})
    return [SlotSet("pending_question", None), SlotSet("fallback_count", 0)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await hand_off(dispatcher, tracker, reason="customer_asked")


class ActionFallback(Action):
    """First miss: ask to rephrase. Second miss in a row: offer a person."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        misses = int(tracker.get_slot("fallback_count") or 0) + 1
        if misses < 2:
            dispatcher.utter_message(response="utter_default")
            return [SlotSet("fallback_count", misses)]
        dispatcher.utter_message(
            text="I'm sorry, I'm still not getting it. Would you like to talk to a person?",
            buttons=[{"title": "Yes, a person please", "payload": "/affirm"}, {"title": "No, let me try again", "payload": "/deny"}],
        )
        return [SlotSet("fallback_count", 0), SlotSet("pending_question", "human")]


class ActionAnswerYesNo(Action):
    """Routes a yes or no to whatever the bot last asked (kept in the pending_question slot)."""

    def name(self) -> str:
        return "action_answer_yes_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from actions.offers import answer_consent, answer_offer
        from actions.profile import erase_customer

        yes = tracker.latest_message.get("intent", {}).get("name") == "affirm"
        pending = tracker.get_slot("pending_question") or ""
        events: list[EventType] = [SlotSet("fallback_count", 0)]
        if pending == "forget_me":
            if yes:
                return events + await erase_customer(dispatcher, tracker)
            dispatcher.utter_message(response="utter_kept_data")
        elif pending == "consent_offers":
            return events + await answer_consent(dispatcher, tracker, granted=yes)
        elif pending.startswith("offer:"):
            return events + await answer_offer(dispatcher, tracker, pending.partition(":")[2], accepted=yes)
        elif pending == "human":
            if yes:
                return events + await hand_off(dispatcher, tracker, reason="repeated_fallback")
            dispatcher.utter_message(text="Okay, let's try again. What can I help you with?")
        else:
            dispatcher.utter_message(response="utter_ok" if yes else "utter_anything_else")
        return events + [SlotSet("pending_question", None)]


class ActionLinkChannel(Action):
    """Continue on another channel: the gateway turns this payload into a signed deep link."""

    def name(self) -> str:
        return "action_link_channel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(
            text="Sure! Use this link to carry on where we left off; I'll remember everything we've said.",
            json_message={"link_channel": {"target": "telegram"}},
        )
        return []
