"""The conversation rules every action shares: what the customer said is captured first;
a digression comes back to the form it interrupted, an escape ends it; no form asks one
question a third time.

Forms follow Rasa's own protocol. A form's validation action decides which slots are
still missing (`slots`), takes what the latest message answers (`read`), and, when the
message answers nothing but is something else the customer wants (a request for a
person, a product question, a new complaint), returns no events at all: Rasa then rejects
the form for this turn and the rules run the action for that intent. That action ends the
form (an escape) or, when it is done, runs the form again (`FollowupAction`), which asks
its question once more without taking anything from the message.
"""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from memory import ProfileStore

from actions.capture import Captured, capture
from actions.store import customer_of
from actions.turn import CONFIDENT, Message

logger = logging.getLogger(__name__)

# How often the bot may ask one question in a conversation: once, then once more after a
# miss or a digression. Instead of a third time it takes its best reading and says so.
MAX_ASKS = 2

# Small talk a form answers itself, with the response the rules use outside forms.
SMALL_TALK = {"thank": "utter_you_are_welcome", "bot_challenge": "utter_iamabot",
              "help": "utter_help", "out_of_scope": "utter_out_of_scope"}

# The slots each form fills, cleared when the form is ended before it is done.
FORM_SLOTS = {
    "name_form": ("first_name",),
    "need_form": ("need_category", "need_product", "need_budget", "need_timeframe",
                  "need_words", "need_id"),
    "complaint_form": ("complaint_category", "complaint_description", "complaint_reference",
                       "complaint_severity", "complaint_ref"),
    "contact_form": (),
    "fact_form": ("fact_key", "fact_value"),
    "improvement_form": ("improvement",),
}


@dataclass
class Turn:
    """What an action works with: the message, the store and the customer, what was captured."""

    message: Message
    store: ProfileStore
    customer_id: str
    captured: Captured
    form: str | None
    acknowledged: set[str] = field(default_factory=set)


def end_form(form: str | None) -> list[EventType]:
    """Events that end `form` (if one is running) and clear what it was collecting."""
    if not form:
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None),
            *(SlotSet(slot, None) for slot in FORM_SLOTS.get(form, ()))]


class TurnAction(Action, abc.ABC):
    """An action a rule runs for the customer's message.

    `ends_form`: True for escapes (a person, cancel, forget me, goodbye), which end the form
    that was running; otherwise the form the customer interrupted is resumed afterwards.
    """

    ends_form = False

    @abc.abstractmethod
    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        """The action's reply and events; capture, resuming and ending are done around it."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        message = Message.of(tracker)
        store, customer_id = await customer_of(tracker)
        captured = await capture(tracker, store, customer_id, message)
        turn = Turn(message, store, customer_id, captured, tracker.active_loop_name)
        answered = await self.respond(dispatcher, tracker, turn)
        captured.acknowledge(dispatcher, turn.acknowledged)
        if turn.form and self.ends_form:
            # Ending comes first, so what this action sets (a new form's slots) stays set.
            return end_form(turn.form) + captured.events + answered
        if turn.form and not any(event.get("event") == "followup" for event in answered):
            return captured.events + answered + [FollowupAction(turn.form)]
        return captured.events + answered


# Actions the engine may run on a customer's message while a form waits for an answer,
# which give the message back to the form when it is more likely an answer than a rating
# ("I not have" at the reference question read as a dissatisfied rating).
HANDS_BACK = frozenset({"action_satisfaction"})


def heard_just_now(tracker: Tracker, form: str) -> bool:
    """Whether the form runs straight after the customer spoke while it was waiting for an
    answer (not at activation, and not when it comes back after a digression)."""
    if tracker.active_loop_name != form:
        return False
    actions = [e.get("name") for e in reversed(tracker.events) if e.get("event") == "action"]
    # The engine appends the form's own ActionExecuted before calling its validation; an
    # action that handed the message back unread (HANDS_BACK) does not count either.
    previous = [name for name in actions[1:]
                if name != "action_extract_slots" and name not in HANDS_BACK]
    return bool(previous) and previous[0] == "action_listen"


def hand_back(tracker: Tracker) -> list[EventType] | None:
    """The form again, to read this message as its answer, when a form is waiting and the
    NLU only guessed at the intent; None otherwise."""
    form = tracker.active_loop_name
    if form and Message.of(tracker).confidence < CONFIDENT:
        return [FollowupAction(form)]
    return None


def times_asked(tracker: Tracker, responses: tuple[str, ...]) -> int:
    """How often in this conversation the bot said one of `responses`. Counted over the
    whole conversation, not one form's run: a customer asked for a severity twice during
    one complaint is not asked a third time for the next one either."""
    return sum(1 for event in tracker.events if event.get("event") == "bot"
               and (event.get("metadata") or {}).get("utter_action") in responses)


async def fallback(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """First miss: ask to rephrase. Second miss in a row: offer a person. Neither question
    is asked a third time in a conversation; after that the bot says what it can do."""
    misses = int(tracker.get_slot("fallback_count") or 0) + 1
    message = Message.of(tracker)
    guesses = [name for name, _ in message.ranking if name != "nlu_fallback"][:2]
    if "out_of_scope" in guesses and len(message.words.split()) >= 4:
        # A whole question the bot half-recognises as not its business ("can you recommend
        # a laptop for uni?"): say plainly that it can't help here, and what it can do.
        dispatcher.utter_message(response="utter_out_of_scope")
        return [SlotSet("fallback_count", misses)]
    if misses < 2 and times_asked(tracker, ("utter_default",)) < MAX_ASKS:
        dispatcher.utter_message(response="utter_default")
        return [SlotSet("fallback_count", misses)]
    if times_asked(tracker, ("utter_offer_human",)) < MAX_ASKS:
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("fallback_count", 0), SlotSet("pending_question", "human")]
    dispatcher.utter_message(response="utter_still_not_getting_it")
    return [SlotSet("fallback_count", 0)]


class FormValidation(FormValidationAction):
    """Base of the validate_<form> actions: read answers, let digressions through, never
    ask one thing three times.

    Subclasses define:
    - `slots(tracker, turn)`: the slots still to fill, in order (skip what is known);
    - `read(tracker, turn, requested)`: {slot: value} this message answers, any slot;
    - `unclear`: {slot: response} said when an answer to that slot did not make sense;
    - `best_guess(tracker, turn, slot)`: (value, words) to use instead of asking again;
    - `store_values(tracker, turn, values)`: record what was filled (optional).
    """

    unclear: dict[str, str] = {}

    @abc.abstractmethod
    async def slots(self, tracker: Tracker, turn: Turn) -> list[str]:
        """The slots to fill, in the order to ask for them."""

    @abc.abstractmethod
    async def read(self, tracker: Tracker, turn: Turn, requested: str | None) -> dict[str, Any]:
        """{slot: value} the latest message answers; {} when it answers nothing."""

    @abc.abstractmethod
    async def best_guess(self, tracker: Tracker, turn: Turn, slot: str) -> tuple[Any, str]:
        """(value, how to say it) to use instead of asking for `slot` a third time."""

    async def store_values(self, tracker: Tracker, turn: Turn,
                           values: dict[str, Any]) -> list[EventType]:
        return []

    def unclear_arguments(self, slot: str) -> dict[str, Any]:
        """Arguments of the `unclear` response for `slot`."""
        return {}

    def questions(self, slot: str) -> tuple[str, ...]:
        """The responses that ask for `slot` (counted against MAX_ASKS)."""
        return (f"utter_ask_{slot}",)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        form = self.form_name()
        message = Message.of(tracker)
        heard = heard_just_now(tracker, form)
        requested = tracker.get_slot("requested_slot") if heard else None
        values: dict[str, Any] = {}
        store, customer_id = await customer_of(tracker)
        turn = Turn(message, store, customer_id, Captured(), form)
        if heard and requested:
            values = await self.read(tracker, turn, requested)
            small_talk = SMALL_TALK.get(message.intent) if message.confidence >= CONFIDENT else None
            if not values and small_talk:
                # Thanks, "are you a bot?", something out of scope: answered here, and the
                # question is asked again (a slot set, so Rasa does not reject the form).
                dispatcher.utter_message(response=small_talk)
                return await self._ask_next(dispatcher, tracker, turn, [SlotSet("fallback_count", 0)])
            if not values and not message.could_answer:
                # Not an answer: something else the customer wants. No events, so Rasa
                # rejects the form and the rule for this intent runs (it captures too).
                return []
            turn.captured = await capture(tracker, store, customer_id, message)

        events: list[EventType] = list(turn.captured.events)
        for event in turn.captured.events:
            tracker.slots[event["name"]] = event["value"]
        # A miss: the message was for this form but did not answer the question (a
        # declined confirmation changes the question instead, so it is no miss).
        if (heard and requested and requested not in values and "pending_question" not in values
                and requested in self.unclear):
            dispatcher.utter_message(response=self.unclear[requested], **self.unclear_arguments(requested))
        tracker.slots.update(values)
        events += [SlotSet(slot, value) for slot, value in values.items()]
        if values:
            events += await self.store_values(tracker, turn, values)

        return await self._ask_next(dispatcher, tracker, turn, events)

    async def _ask_next(self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn,
                        events: list[EventType]) -> list[EventType]:
        """`events` and the slot to ask for next, taking the best reading for any slot that
        was asked for twice already."""
        form = self.form_name()
        next_slot = await self._next_slot(tracker, turn)
        while next_slot and times_asked(tracker, self.questions(next_slot)) >= MAX_ASKS:
            value, words = await self.best_guess(tracker, turn, next_slot)
            logger.info("%s: took the best reading for %s instead of asking again", form, next_slot)
            dispatcher.utter_message(response="utter_best_guess", answer=words)
            tracker.slots[next_slot] = value
            events.append(SlotSet(next_slot, value))
            events += await self.store_values(tracker, turn, {next_slot: value})
            next_slot = await self._next_slot(tracker, turn)
        turn.captured.acknowledge(dispatcher, turn.acknowledged)
        return events + [SlotSet("requested_slot", next_slot)]

    async def _next_slot(self, tracker: Tracker, turn: Turn) -> str | None:
        missing = [slot for slot in await self.slots(tracker, turn) if tracker.get_slot(slot) is None]
        return missing[0] if missing else None
