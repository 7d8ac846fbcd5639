"""Product questions answered from the catalogue as it is now: a price, the cheapest or
fastest in a category, what a product includes, two products side by side, "do you have X?".
A form the question interrupted carries on afterwards (actions.dialogue)."""

from __future__ import annotations

import logging
import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.catalogue import Product, catalogue
from actions.dialogue import Turn, TurnAction
from actions.offers import eligible_offer
from actions.settings import currency
from actions.store import recent_needs

logger = logging.getLogger(__name__)

_ASKS = {
    "cheapest": r"cheap|lowest|least expensive|budget|affordable|basic|entry",
    "fastest": r"fast|quick|speed|best (?:broadband|internet|fibre)|top speed|most powerful",
    "most_data": r"most data|biggest data|largest data|most gb",
    "includes": r"includ|come with|comes with|get with|what do i get|what do you get|"
                r"what(?:'s|s| is)?(?: actually)? in\b|features|contain|how many channels|"
                r"what channels|with it\b",
    "compare": r"\bvs\.?\b|versus|compare|difference|differ|better|or the\b|which (?:is|one|works)",
    "available": r"do (?:you|u|ya) (?:have|sell|offer|do|carry|stock)|have (?:you|u) got|"
                 r"is there an?\b|can i get|available|\bany\b",
    "price": r"how much|price|cost|per month|a month|monthly|charge",
}


_WANTS = re.compile(r"\b(?:i(?:'d| would)? like|id like|i'?d love|i want|i need|i'?m after|im after|looking for|"
                    r"please|pls|thinking of getting|i'?ll take|sign me up)\b")
_QUESTION = re.compile(r"\?|\b(?:how much|what|which|do (?:you|u)|does|is there|are there|"
                       r"can (?:i|you|u)|cost|price|compare|difference)\b")


# A question asked because what they have is failing: they will want one.
REPLACING = re.compile(
    r"\b(?:mine|my (?:old |current )?\w+|(?:it|the old one))(?:'s| is| has)? "
    r"(?:on (?:its|it'?s) last legs|dying|died|broken|dead|knackered|ancient|falling apart|"
    r"had it|given up)\b|\b(?:need|needs|want) (?:a )?(?:new|replacement)\b|\breplace my\b",
    re.IGNORECASE)


def wants(text: str) -> bool:
    """A request for a product ("sim only please, 20 a month"), not a question about it."""
    lowered = text.lower()
    return bool(_WANTS.search(lowered)) and not _QUESTION.search(lowered)


def asks(text: str) -> set[str]:
    """What kinds of answer the question asks for, by its wording."""
    lowered = text.lower()
    return {kind for kind, pattern in _ASKS.items() if re.search(pattern, lowered)}


def price(product: Product) -> str:
    return context.say_money(product.monthly_price, currency())


def detail(product: Product) -> str:
    """The one thing that tells two products apart, besides the price."""
    if product.speed_mbps:
        return f"{product.speed_mbps} Mbps"
    if product.data_gb:
        return "unlimited data" if product.data_gb == float("inf") else f"{product.data_gb:g}GB of data"
    return ", ".join(product.includes[:2]) or catalogue.categories().get(product.category, "")


def by_number(text: str) -> list[tuple[int, Product]]:
    """Products named by their number alone ("the 900", "the 20gb one"), with where; an
    amount of money ("20 a month", "£20") names no product."""
    found = []
    for match in re.finditer(r"(?<![£€$])\b(\d{2,4})(?:\s?(?:gb|mb|meg))?\b(?!\s*(?:a month|per month|"
                             r"a week|quid|pounds?|euros?|pm|p/m|gbp|eur|ish))", text.lower()):
        named = [p for p in catalogue.products()
                 if re.search(rf"(?<!\d){match.group(1)}(?!\d)", p.name.lower())]
        if len(named) == 1:
            found.append((match.start(), named[0]))
    return found


def by_distinct_word(text: str) -> list[tuple[int, Product]]:
    """Products named by a word of their name no other product has ("the unlimited one")."""
    counts: dict[str, list[Product]] = {}
    for product in catalogue.products():
        for word in set(re.findall(r"[a-z]{5,}", product.name.lower())):
            counts.setdefault(word, []).append(product)
    lowered = text.lower()
    found = []
    for word, products in counts.items():
        match = re.search(rf"\b{word}\b", lowered)
        if match and len(products) == 1 and word not in catalogue.categories():
            found.append((match.start(), products[0]))
    return found


def products_named(tracker: Tracker, turn: Turn) -> list[Product]:
    """Products in the message, in the order they are mentioned: the NLU's, any the current
    catalogue names, and any named by their number or a word only their name has."""
    text = turn.message.text
    mentions: list[tuple[int, Product]] = []
    for entity in turn.message.all("product"):
        product = catalogue.product(entity.value)
        if product:
            mentions.append((entity.start, product))
    for product in catalogue.find_products(text):
        mentions.append((text.lower().find(product.name.lower()), product))
    mentions += by_number(text) + by_distinct_word(text)
    found: dict[str, Product] = {}
    for _, product in sorted(mentions, key=lambda m: m[0] if m[0] >= 0 else len(text)):
        found.setdefault(product.id, product)
    return list(found.values())


def category_named(turn: Turn, products: list[Product]) -> str | None:
    category = turn.message.value("category") or catalogue.find_category(turn.message.text)
    if category in catalogue.categories():
        return category
    return products[0].category if products else None


def answer(dispatcher: CollectingDispatcher, text: str, products: list[Product],
           category: str | None, earlier: str | None = None) -> Product | None:
    """Say the answer; returns the product it is about (for an offer hint), if one.
    `earlier`: the previous product question, whose kind a follow-up ("and the 900?") keeps."""
    kinds = asks(text) or asks(earlier or "")
    in_category = [p for p in catalogue.products() if p.category == category]
    category_name = catalogue.categories().get(category or "", category or "").lower()
    if len(products) >= 2 and "includes" not in kinds:
        first, second = products[:2]
        dispatcher.utter_message(
            response="utter_product_compare", first=first.name, first_price=price(first),
            first_detail=detail(first), second=second.name, second_price=price(second),
            second_detail=detail(second))
        return first
    if in_category and not products and kinds & {"cheapest", "fastest", "most_data"}:
        if "most_data" in kinds and any(p.data_gb for p in in_category):
            best = max((p for p in in_category if p.data_gb), key=lambda p: p.data_gb or 0)
            dispatcher.utter_message(response="utter_product_most_data", category=category_name,
                                     product=best.name, data=detail(best), price=price(best))
        elif "fastest" in kinds and any(p.speed_mbps for p in in_category):
            best = max((p for p in in_category if p.speed_mbps), key=lambda p: p.speed_mbps or 0)
            dispatcher.utter_message(response="utter_product_fastest", category=category_name,
                                     product=best.name, speed=f"{best.speed_mbps} Mbps",
                                     price=price(best))
        else:
            best = min(in_category, key=lambda p: p.monthly_price)
            dispatcher.utter_message(response="utter_product_cheapest", category=category_name,
                                     product=best.name, price=price(best))
        return best
    if products:
        product = products[0]
        if "includes" in kinds and product.includes:
            dispatcher.utter_message(response="utter_product_includes", product=product.name,
                                     price=price(product), includes=", ".join(product.includes))
        elif "available" in kinds and "price" not in kinds:
            dispatcher.utter_message(response="utter_product_available",
                                     products=f"{product.name} at {price(product)} a month")
        elif product.monthly_price == 0:
            dispatcher.utter_message(response="utter_product_free", product=product.name)
        else:
            dispatcher.utter_message(response="utter_product_price", product=product.name,
                                     price=price(product))
        return product
    if in_category:
        listing = ", ".join(f"{p.name} ({price(p)} a month)" for p in in_category)
        response = "utter_product_available" if "available" in kinds else "utter_product_category_list"
        arguments = {"products": listing} if "available" in kinds else {
            "category": category_name, "products": listing}
        dispatcher.utter_message(response=response, **arguments)
        return None
    categories = ", ".join(name.lower() for name in catalogue.categories().values())
    if "available" in kinds:
        dispatcher.utter_message(response="utter_product_unknown", categories=categories)
    else:
        dispatcher.utter_message(response="utter_product_which", categories=categories)
    return None


class ActionAnswerProduct(TurnAction):
    """Answers a product question; may mention one eligible offer, with consent, once."""

    def name(self) -> str:
        return "action_answer_product"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      turn: Turn) -> list[EventType]:
        if wants(turn.message.text):
            return [FollowupAction("action_start_need")]  # "sim only please, 20 a month"
        events = await answer_and_hint(dispatcher, tracker, turn)
        if REPLACING.search(turn.message.text) and not turn.form:
            # "do you do new handsets? mine is on its last legs": answered, and a need too.
            events.append(FollowupAction("action_start_need"))
        return events


async def answer_and_hint(dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn,
                          products: list[Product] | None = None) -> list[EventType]:
    products = products if products is not None else products_named(tracker, turn)
    if not products and category_named(turn, products) is None:
        products = await products_in_context(tracker, turn)  # "what's the monthly cost on that?"
    product = answer(dispatcher, turn.message.text, products, category_named(turn, products),
                     earlier=tracker.get_slot("product_question"))
    question = turn.message.text
    if product is not None:
        offer = await eligible_offer(tracker, turn.store, turn.customer_id, product)
        if offer is not None:
            dispatcher.utter_message(response="utter_product_offer_hint", offer=offer.title)
        if product not in catalogue.find_products(question):
            # The answer named it ("our cheapest is SIM Only 5GB"): "what comes with it?" is
            # about that product.
            question = f"{question} ({product.name})"
    return [SlotSet("product_question", question[:500])]


async def products_in_context(tracker: Tracker, turn: Turn) -> list[Product]:
    """What a question naming nothing ("how much is that?") is about: the product of the
    last product question, or else of the need just noted."""
    earlier = catalogue.find_products(tracker.get_slot("product_question") or "")
    if earlier:
        return earlier[:1]
    for need in await recent_needs(turn.store, turn.customer_id):
        product = catalogue.product(need.product or "")
        if product:
            return [product]
    return []


async def follow_up(dispatcher: CollectingDispatcher, tracker: Tracker,
                    turn: Turn) -> list[EventType] | None:
    """A product question that leans on the one before it, right after it: "and the 900?"
    (the same question about another product), "and the fastest?" (the same category).
    None when the message is not one."""
    earlier = tracker.get_slot("product_question")
    if not earlier or last_bot_response(tracker) not in PRODUCT_ANSWERS:
        return None
    products = products_named(tracker, turn)
    if products:
        return await answer_and_hint(dispatcher, tracker, turn, products)
    if not asks(turn.message.text) & {"cheapest", "fastest", "most_data", "price", "includes"}:
        return None
    before = catalogue.find_products(earlier)
    category = (category_named(turn, []) or catalogue.find_category(earlier)
                or (before[0].category if before else None))
    if category is None:
        return None
    kinds = asks(turn.message.text)
    about = before if kinds & {"price", "includes"} and before else []
    answer(dispatcher, turn.message.text, about, category, earlier=earlier)
    return [SlotSet("product_question", f"{turn.message.text} {earlier}"[:500])]


PRODUCT_ANSWERS = frozenset({
    "utter_product_price", "utter_product_free", "utter_product_includes", "utter_product_cheapest",
    "utter_product_fastest", "utter_product_most_data", "utter_product_compare",
    "utter_product_available", "utter_product_category_list", "utter_product_offer_hint",
})


def last_bot_response(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None
