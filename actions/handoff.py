"""Handing over to a person, the fallback ladder, yes/no answers, and the moves that work at
any question: cancel, goodbye, continuing on another channel."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.complaint_reading import category_of, reference_of, severity_of, states_a_problem
from actions.complaints import category_words, file_complaint
from actions.dialogue import Turn, TurnAction, fallback
from actions.facts import corrections, starts_a_need
from actions.offers import answer_consent, answer_offer
from actions.products import follow_up
from actions.profile import erase_customer

logger = logging.getLogger(__name__)

# The gateway watches for this custom payload and queues the conversation for staff.
HANDOFF_KEY = "handoff"


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: str,
                   announce: bool = True) -> list[EventType]:
    if announce:
        dispatcher.utter_message(response="utter_handoff")
    dispatcher.utter_message(json_message={HANDOFF_KEY: {"reason": reason}})
    return [SlotSet("pending_question", None), SlotSet("fallback_count", 0)]


class ActionHandoff(TurnAction):
    ends_form = True

    def name(self) -> str:
        return "action_handoff"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        # "Three appointments cancelled. Get me a manager": the problem is recorded first,
        # so the colleague and the profile have it whatever happens next.
        events: list[EventType] = []
        if turn.form != "complaint_form" and states_a_problem(turn.message):
            complaint = await file_complaint(
                tracker, category=category_of(turn.message, best_reading=True) or "other",
                description=turn.message.words, severity=severity_of(turn.message) or "medium",
                reference=reference_of(turn.message, asked=False))
            dispatcher.utter_message(response="utter_complaint_logged", reference=complaint.reference,
                                     category=category_words(complaint.category))
            events.append(SlotSet("complaint_ref", None))
        return events + await hand_off(dispatcher, tracker, reason="customer_asked")


class ActionFallback(TurnAction):
    def name(self) -> str:
        return "action_fallback"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        if await starts_a_need(turn):
            # "it's Tomasz, tomasz@…, interested in a SIM only plan": the details are noted,
            # and the need goes on.
            return [SlotSet("fallback_count", 0), FollowupAction("action_start_need")]
        if turn.captured.keys:
            return [SlotSet("fallback_count", 0)]  # it was details: they have been noted
        answered = await follow_up(dispatcher, tracker, turn)
        return answered if answered is not None else await fallback(dispatcher, tracker)


class ActionAnswerYesNo(TurnAction):
    """Routes a yes or no to whatever the bot last asked (kept in the pending_question slot)."""

    def name(self) -> str:
        return "action_answer_yes_no"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        yes = turn.message.intent == "affirm"
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
            dispatcher.utter_message(response="utter_try_again")
        elif not turn.form:
            dispatcher.utter_message(response="utter_ok" if yes else "utter_anything_else")
        return events + [SlotSet("pending_question", None)]


class ActionCancel(TurnAction):
    """ "Never mind": stops what was being asked; keeps only what the customer clearly stated."""

    ends_form = True

    def name(self) -> str:
        return "action_cancel"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        if not turn.form and not tracker.get_slot("pending_question"):
            # Nothing to stop: "no, let's say 35 then" changes what was just said.
            said, changed = await corrections(tracker, turn)
            if said:
                dispatcher.utter_message(response="utter_corrected", changes="; ".join(said))
                return changed
        kept = []
        if turn.form == "complaint_form" and tracker.get_slot("complaint_ref"):
            kept.append(f"your complaint {tracker.get_slot('complaint_ref')}")
        if turn.form == "need_form" and tracker.get_slot("need_id") is not None:
            subject = context.subject_of(tracker.get_slot("need_category"), tracker.get_slot("need_product"))
            kept.append(f"a note that you're interested in {subject}")
        if kept:
            dispatcher.utter_message(response="utter_cancelled_kept", kept=" and ".join(kept))
        else:
            dispatcher.utter_message(response="utter_cancelled")
        return [SlotSet("pending_question", None), SlotSet("fallback_count", 0)]


class ActionGoodbye(TurnAction):
    """Goodbye: ends whatever was being asked and asks how it went."""

    ends_form = True

    def name(self) -> str:
        return "action_goodbye"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_satisfaction")
        return [SlotSet("pending_question", None)]


class ActionLinkChannel(TurnAction):
    """Continue on another channel: the gateway turns this payload into a signed deep link."""

    ends_form = True

    def name(self) -> str:
        return "action_link_channel"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        dispatcher.utter_message(response="utter_link_channel",
                                 json_message={"link_channel": {"target": "telegram"}})
        return []
