"""Needs discovery: the need is recorded from the customer's first words, and only what is
still missing (category, budget, timeframe) is asked for; each answer amends it."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.catalogue import catalogue
from actions.dialogue import FormValidation, Turn, TurnAction
from actions.offers import make_offer
from actions.products import answer
from actions.settings import currency
from actions.store import customer_of, recent_needs, source_of
from actions.turn import Message

logger = logging.getLogger(__name__)

NEED_SLOTS = ("need_category", "need_product", "need_budget", "need_timeframe", "need_words",
              "need_id")
# How sure the complaint classifier must be that a message in needs discovery is a problem
# to report, when it does (SURE) or does not (LIKELY) also answer the question.
SURE_PROBLEM, LIKELY_PROBLEM = 0.9, 0.5
NO_BUDGET = "no fixed budget"
LOWEST = "as low as possible"
FLEXIBLE = "flexible"
_NOT_SURE = re.compile(r"\b(?:not sure|don.?t know|dont know|no idea|dunno|any|whatever|"
                       r"no (?:fixed )?budget|doesn.?t matter|flexible|open|unsure|no limit|"
                       r"reasonable|depends|haven.?t (?:decided|thought)|not bothered)\b")
# "price isn't an issue", "money's no object": no budget, said without being asked.
_NO_LIMIT = re.compile(r"\b(?:(?:price|cost|money|budget)(?:'s| is)?\s*(?:is ?n.?t|not|no)\s*(?:an? )?"
                       r"(?:issue|problem|object|concern)|(?:price|cost|money) doesn.?t matter|"
                       r"whatever it costs|don.?t mind (?:what|how much) it costs)\b")
# "the fastest broadband you do": a need that also asks which product that is.
_SUPERLATIVE = re.compile(r"\b(?:cheapest|fastest|quickest|most data|biggest data)\b")
_CHEAP = re.compile(r"\b(?:cheap|cheapest|lowest|as little as|budget option|bargain|"
                    r"least (?:i can|possible)|not much|skint|tight)\b")
_NO_RUSH = re.compile(r"\b(?:no rush|whenever|not sure|don.?t know|no idea|dunno|any ?time|"
                      r"flexible|no hurry|doesn.?t matter|not urgent|eventually|at some point)\b")
_NO_HURRY = re.compile(r"\b(?:no rush|no hurry|whenever|any ?time|not urgent)\b")
_ASAP = re.compile(r"\b(?:asap|as soon as|right away|straight ?away|immediately|urgently|now|"
                   r"today|tomorrow|quickly|soon)\b")
# Amounts said in words, as budgets are ("a tenner", "twenty quid").
SPOKEN_AMOUNTS = {"fiver": 5, "tenner": 10, "five": 5, "ten": 10, "fifteen": 15, "twenty": 20,
                  "twenty five": 25, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                  "seventy": 70, "eighty": 80, "hundred": 100}
SPOKEN_AMOUNTS = dict(sorted(SPOKEN_AMOUNTS.items(), key=lambda item: -len(item[0])))
_ISH = re.compile(r"(\d)\s?ish\b")
_RANGE = re.compile(r"(?<![\w.])(\d{1,4})\s?(?:-|–|to)\s?£?(\d{1,4})(?![\w.])")
_BUDGET_CUE = re.compile(r"\b(?:a month|per month|monthly|pcm|budget|quid|pounds?|euros?|"
                         r"a week|tops|all in|max)\b|[£€]")
# "max 45", "under 30", "up to 50": a bare amount after a limit is a budget.
_BOUNDED = re.compile(r"\b(?:max|maximum|under|below|up to|less than|no more than|not more than|"
                      r"at most|around|about|roughly|budget(?: is| of)?)\s*[£€$]?(\d{1,4})(?!\s*"
                      r"(?:gb|mb|meg|mbps|gig|days?|weeks?|months?|years?|%|mins?|minutes?|hours?))\b")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,5}(?:\.\d{1,2})?)(?![\w.])")


def category_in(message: Message, *, answering: bool) -> str | None:
    """The product category the customer means, from the NLU or, when answering, their words.
    Two kinds of product at once ("broadband plus tv") is a bundle."""
    meant = {e.value for e in message.all("category") if not message.negated(e)
             and not message.possessed(e) and e.value in catalogue.categories()}
    if len(meant & {"broadband", "mobile", "tv"}) >= 2 and "bundle" in catalogue.categories():
        return "bundle"
    wanted = [e for e in message.all("category") if not message.negated(e)
              and not message.possessed(e) and e.value in catalogue.categories()]
    # A product named before any category word ("a better router, the wifi 6 ones") says
    # what they are after: the first thing they name leads.
    named = [e for e in message.all("product") if not message.negated(e)
             and not message.possessed(e) and catalogue.product(e.value)]
    if named and (not wanted or named[0].start < wanted[0].start):
        return catalogue.product(named[0].value).category
    entity = wanted[0] if wanted else message.current("category")
    if entity and entity.value in catalogue.categories():
        return entity.value
    product = product_in(message)
    if product:
        return catalogue.product(product).category if catalogue.product(product) else None
    if answering or message.intent == "state_need":
        return catalogue.find_category(message.words)
    return None


def product_in(message: Message) -> str | None:
    entity = message.current("product")
    if entity and catalogue.product(entity.value):
        return entity.value
    found = catalogue.find_products(message.words)
    return found[0].id if found else None


def budget_in(message: Message, *, answering: bool) -> str | None:
    """The budget in the message: an amount said as a limit ("ideally under 50, we pay 62")
    before any other; bare numbers only when the bot asked or a budget word is there."""
    entity = message.current("money")
    if entity and (entity.info or {}).get("bound"):
        return entity.value
    text = _ISH.sub(r"\1", message.words.lower())
    for word, amount in SPOKEN_AMOUNTS.items():
        text = re.sub(rf"\b(?:a |an )?{word}\b", str(amount), text)
    bounded = _BOUNDED.search(text)
    if bounded:
        return f"{bounded.group(1)} {currency()}/month"
    if entity:
        return entity.value
    for word, amount in SPOKEN_AMOUNTS.items():
        text = re.sub(rf"\b(?:a |an )?{word}\b", str(amount), text)
    span = _RANGE.search(text)
    if span and (answering or _BUDGET_CUE.search(text)):
        return f"{span.group(1)}-{span.group(2)} {currency()}/month"
    bounded = _BOUNDED.search(text)
    if bounded:
        return f"{bounded.group(1)} {currency()}/month"
    number = _NUMBER.search(text)
    if number and (answering or _BUDGET_CUE.search(text)):
        return f"{number.group(1)} {currency()}/month"
    if _NO_LIMIT.search(text):
        return NO_BUDGET
    if not answering:
        return None
    if _NOT_SURE.search(text):
        return NO_BUDGET
    if _CHEAP.search(text):
        return LOWEST
    return None


def timeframe_in(message: Message, *, answering: bool, in_form: bool = False) -> str | None:
    """`answering`: the bot asked when; `in_form`: it asked another part of the need, where
    only a plain "no rush" (not "not sure", which answers that question) is a timeframe."""
    entity = message.current("timeframe")
    if entity:
        return entity.value
    text = message.words.lower()
    if in_form and not answering and _NO_HURRY.search(text):
        return FLEXIBLE
    if not answering:
        return None
    if _NO_RUSH.search(text):
        return FLEXIBLE
    if _ASAP.search(text):
        return "asap"
    return None


def need_values(message: Message, *, answering: str | None) -> dict[str, Any]:
    """The need's parts this message gives; `answering` is the slot the bot asked for."""
    values = {
        "need_category": category_in(message, answering=answering == "need_category"),
        "need_product": product_in(message),
        "need_budget": budget_in(message, answering=answering == "need_budget"),
        "need_timeframe": timeframe_in(message, answering=answering == "need_timeframe",
                                       in_form=answering is not None),
    }
    return {slot: value for slot, value in values.items() if value is not None}


async def record_need(tracker: Tracker, turn: Turn, slots: dict[str, Any]) -> list[EventType]:
    """Add the need once its category is known; amend it with every later answer."""
    need_id = slots.get("need_id")
    category = slots.get("need_category")
    parts = {"category": category, "product": slots.get("need_product"),
             "budget": slots.get("need_budget"), "timeframe": slots.get("need_timeframe")}
    if need_id is None:
        if not category:
            return []
        need = await turn.store.add_need(
            turn.customer_id, words=slots.get("need_words") or turn.message.words or category,
            source=source_of(tracker), **parts)
        logger.info("need %s recorded from the customer's words", need.id)
        return [SlotSet("need_id", float(need.id))]
    current = next((n for n in await turn.store.needs(turn.customer_id) if n.id == int(need_id)), None)
    if current is None:
        return []
    changes = {key: value for key, value in parts.items()
               if value is not None and getattr(current, key) != value}
    if changes:
        await turn.store.amend_need(int(need_id), source=source_of(tracker), **changes)
    return []


class ActionStartNeed(TurnAction):
    """A stated need: takes every part the customer gave and records it before asking."""

    ends_form = True  # a new need replaces whatever was being asked

    def name(self) -> str:
        return "action_start_need"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        values = need_values(turn.message, answering=None)
        if (not turn.form and values and not values.keys() & {"need_category", "need_product"}
                and await recent_needs(turn.store, turn.customer_id)):
            # "actually make the budget 40" just after a need: more about it, not a new one.
            return [FollowupAction("action_correct")]
        slots: dict[str, Any] = {slot: values.get(slot) for slot in NEED_SLOTS}
        if slots["need_category"] is None:
            # Started from another move ("do you do new handsets? mine is dying"): the kind
            # of product in any words the catalogue knows.
            slots["need_category"] = catalogue.find_category(turn.message.words)
        slots["need_words"] = turn.message.words or None
        if (slots["need_category"] and not slots["need_product"]
                and _SUPERLATIVE.search(turn.message.text.lower())):
            # Which product that is, from the catalogue, before the need's questions.
            answer(dispatcher, turn.message.text, [], slots["need_category"])
        if slots["need_budget"] is None:
            profile = await turn.store.profile(turn.customer_id)
            if profile.knows("budget"):
                slots["need_budget"] = profile.get("budget")
        events = [SlotSet(slot, value) for slot, value in slots.items()]
        # Asked for here, not only by the rule: details out of the blue can start a need too.
        return events + await record_need(tracker, turn, slots) + [FollowupAction("need_form")]


class ValidateNeedForm(FormValidation):
    """Asks only for what the customer has not said and the profile does not hold."""

    unclear = {
        "need_category": "utter_need_category_unclear",
        "need_budget": "utter_need_budget_unclear",
        "need_timeframe": "utter_need_timeframe_unclear",
    }

    def name(self) -> str:
        return "validate_need_form"

    async def slots(self, tracker: Tracker, turn: Turn) -> list[str]:
        return ["need_category", "need_budget", "need_timeframe"]

    async def read(self, tracker: Tracker, turn: Turn, requested: str | None) -> dict[str, Any]:
        message = turn.message
        values = need_values(message, answering=requested)
        problem = message.first("complaint_category") if message.intent == "complain" else None
        if problem and problem.confidence >= (SURE_PROBLEM if requested in values else LIKELY_PROBLEM):
            return {}  # a problem, not an answer: it becomes a complaint
        if message.intent == "state_need" and requested not in values:
            return {}  # a new need, not an answer: it starts over (action_start_need)
        if message.intent == "state_need" or message.answers_with(values, requested):
            return values
        return {}

    async def best_guess(self, tracker: Tracker, turn: Turn, slot: str) -> tuple[Any, str]:
        if slot == "need_category":
            return "unspecified", "a general enquiry"
        if slot == "need_budget":
            return NO_BUDGET, NO_BUDGET
        return FLEXIBLE, "no fixed date"

    async def store_values(self, tracker: Tracker, turn: Turn,
                           values: dict[str, Any]) -> list[EventType]:
        slots = {slot: tracker.get_slot(slot) for slot in NEED_SLOTS}
        events = await record_need(tracker, turn, {**slots, **values})
        for event in events:
            tracker.slots[event["name"]] = event["value"]
        return events


class ActionRecordNeed(Action):
    """Needs discovery is done: say what was noted, remember the budget, look for an offer."""

    def name(self) -> str:
        return "action_record_need"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        store, customer_id = await customer_of(tracker)
        budget = tracker.get_slot("need_budget")
        if budget and budget != NO_BUDGET:
            profile = await store.profile(customer_id)
            if profile.get("budget") != budget:
                await store.remember(customer_id, "budget", budget, source=source_of(tracker))
        subject = context.subject_of(tracker.get_slot("need_category"), tracker.get_slot("need_product"))
        dispatcher.utter_message(
            response="utter_need_noted", subject=subject, budget=context.say_budget(budget),
            timeframe=context.say_timeframe(tracker.get_slot("need_timeframe")))
        return [SlotSet(slot, None) for slot in NEED_SLOTS] + await make_offer(dispatcher, tracker)
