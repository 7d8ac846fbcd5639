"""Profile actions: load what we know at session start, greet with context, learn the name
once, say what we know, change a fact, forget the customer."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.dialogue import FormValidation, Turn, TurnAction, times_asked
from actions.store import channel_of, customer_of, source_of

logger = logging.getLogger(__name__)

# Profile facts mirrored into slots of the same name: forms skip what we already know, and
# response variations can depend on the customer's language and segment.
PROFILE_SLOTS = ("first_name", "email", "phone", "language", "segment")
# The customer would rather not say: the name form moves on and nothing is stored.
NO_NAME = "-"

_NAME_PREFIX = re.compile(
    r"^(?:hi|hello|hey|hiya)?[,!\s]*(?:my (?:first )?name is|my name's|name's|the name is|i am|"
    r"i'm|im|call me|you can call me|it's|its|it is|this is|i go by|people call me|"
    r"i'm called|sorry,? it's|no,? it's|actually,? it's)\s+",
    re.IGNORECASE,
)
_NAME_SUFFIX = re.compile(r"[\s,.!]*(?:here|speaking|thanks|thank you|is my name)?[\s,.!]*$",
                          re.IGNORECASE)
_NOT_NAMES = frozenset("""
yes no yeah yep nope ok okay sure hi hello hey thanks thank bye why what who how when where
help human person agent sorry please not none nothing idk dunno later skip pass anonymous
""".split())


def extract_first_name(text: str) -> str | None:
    """The first name in a reply to "what's your first name?", or None if it is not one."""
    candidate = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", text.strip()))
    words = candidate.split()
    if not words or len(words) > 3 or len(candidate) > 40:
        return None
    if words[0].lower() in _NOT_NAMES:
        return None
    if not all(context.clean_fact_value("first_name", word) for word in words):
        return None
    return context.clean_fact_value("first_name", words[0])


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
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


async def returning_context(dispatcher: CollectingDispatcher, turn: Turn) -> None:
    """One line that shows we remember: an open complaint first, else the latest need."""
    complaints = [c for c in await turn.store.complaints(turn.customer_id) if c.status != "resolved"]
    if complaints:
        latest = complaints[0]
        dispatcher.utter_message(response="utter_returning_complaint", reference=latest.reference,
                                 category=latest.category, status=latest.status.replace("_", " "))
        return
    needs = await turn.store.needs(turn.customer_id)
    if needs:
        need = needs[0]
        dispatcher.utter_message(response="utter_returning_need",
                                 subject=context.subject_of(need.category, need.product),
                                 when=context.when(need.created_at))


class ActionGreet(TurnAction):
    """Hello: by name when we know it (just now included), else asks for it once."""

    def name(self) -> str:
        return "action_greet"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        just_told = "first_name" in turn.captured.keys
        if turn.form and not just_told:
            return []  # "hello?" in the middle of a question: the question is asked again
        first_name = tracker.get_slot("first_name") if not just_told else None
        if first_name and first_name != NO_NAME:
            dispatcher.utter_message(response="utter_welcome_back", first_name=first_name)
            await returning_context(dispatcher, turn)
            return []
        dispatcher.utter_message(response="utter_welcome")
        if just_told:
            turn.acknowledged.add("first_name")
            name = (await turn.store.profile(turn.customer_id)).get("first_name")
            dispatcher.utter_message(response="utter_nice_to_meet_you", first_name=name)
            return []
        if turn.form or times_asked(tracker, ("utter_ask_first_name",)):
            return []  # asked already: the customer would rather not say, and that is fine
        return [FollowupAction("name_form")]


class ValidateNameForm(FormValidation):
    unclear = {"first_name": "utter_name_not_caught"}

    def name(self) -> str:
        return "validate_name_form"

    async def slots(self, tracker: Tracker, turn: Turn) -> list[str]:
        return ["first_name"]

    async def read(self, tracker: Tracker, turn: Turn, requested: str | None) -> dict[str, Any]:
        message = turn.message
        turn.acknowledged.add("first_name")  # action_remember_name greets them by it
        stated = message.value("first_name")
        if stated:
            return {"first_name": context.clean_fact_value("first_name", stated)}
        if not message.could_answer and message.intent != "greet":
            return {}
        name = extract_first_name(message.words)
        return {"first_name": name} if name else {}

    async def best_guess(self, tracker: Tracker, turn: Turn, slot: str) -> tuple[Any, str]:
        return NO_NAME, "no name, which is fine"


class ActionRememberName(Action):
    def name(self) -> str:
        return "action_remember_name"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        first_name = tracker.get_slot("first_name")
        if first_name == NO_NAME:
            dispatcher.utter_message(response="utter_name_skipped")
            return [SlotSet("first_name", None)]
        if not first_name:
            return []
        store, customer_id = await customer_of(tracker)
        if (await store.profile(customer_id)).get("first_name") != first_name:
            await store.remember(customer_id, "first_name", first_name, source=source_of(tracker))
        dispatcher.utter_message(response="utter_nice_to_meet_you", first_name=first_name)
        return []


class ActionTellProfile(TurnAction):
    """Answers "what do you know about me?" from the profile, with where each fact came from."""

    def name(self) -> str:
        return "action_tell_profile"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        turn.acknowledged.update(turn.captured.keys)
        profile = await turn.store.profile(turn.customer_id)
        lines = [
            f"- your {context.fact_label(key)}: {fact.value} "
            f"({context.describe_source(fact.source, fact.observed_at)})"
            + (" (it may be out of date)" if fact.stale else "")
            for key, fact in sorted(profile.facts.items())
        ]
        lines += await context.history_lines(turn.store, turn.customer_id)
        if not lines:
            dispatcher.utter_message(response="utter_profile_empty")
        else:
            dispatcher.utter_message(response="utter_tell_profile", details="\n".join(lines))
        return []


class ActionForgetMe(TurnAction):
    """Asks for confirmation; the erasure itself runs in action_answer_yes_no."""

    ends_form = True

    def name(self) -> str:
        return "action_forget_me"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        if tracker.get_slot("pending_question") == "forget_me":
            # "Yes, delete everything" to "are you sure?" is asking again: that is a yes.
            return await erase_customer(dispatcher, tracker)
        dispatcher.utter_message(response="utter_confirm_forget")
        return [SlotSet("pending_question", "forget_me")]


async def erase_customer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    store, customer_id = await customer_of(tracker)
    await store.erase(customer_id, actor="customer", reason=f"asked in conversation on {channel_of(tracker)}")
    dispatcher.utter_message(response="utter_erased")
    return [SlotSet(slot, None) for slot in (*PROFILE_SLOTS, "pending_question")]
