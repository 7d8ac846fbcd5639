"""Next best offer: rank the catalogue for one customer, ask permission first, record the answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from memory import ProfileStore

from actions.catalogue import Offer, Product, catalogue
from actions.dialogue import MAX_ASKS, Turn, TurnAction, times_asked
from actions.store import channel_of, customer_of, source_of

logger = logging.getLogger(__name__)

OFFERS_PURPOSE = "offers"


@dataclass(frozen=True)
class CustomerContext:
    """Everything ranking needs to know about one customer, read from the store."""

    value_tier: str
    channel: str
    needed_products: frozenset[str]
    needed_categories: frozenset[str]
    declined_at: dict[str, datetime]
    has_open_complaint: bool
    segments: frozenset[str] = frozenset()


def rank_offers(offers: list[Offer], customer: CustomerContext, now: datetime) -> list[Offer]:
    """Eligible offers, best match to stated needs first; none at all with an open complaint."""
    if customer.has_open_complaint:
        return []
    today = now.date()
    scored: list[tuple[int, int, Offer]] = []
    for position, offer in enumerate(offers):
        if (offer.valid_from and today < offer.valid_from) or (offer.valid_to and today > offer.valid_to):
            continue
        if offer.value_tiers and customer.value_tier not in offer.value_tiers:
            continue
        if offer.channels and customer.channel not in offer.channels:
            continue
        if offer.segments and not offer.segments & customer.segments:
            continue
        declined = customer.declined_at.get(offer.id)
        if declined and now - declined < timedelta(days=offer.reoffer_after_days):
            continue
        score = 3 * len(offer.products & customer.needed_products)
        score += len(offer.categories & customer.needed_categories)
        # A loyalty offer made for this tier beats a general one with the same match.
        score += 1 if offer.value_tiers and len(offer.value_tiers) == 1 else 0
        if customer.needed_products or customer.needed_categories:
            if score == 0:
                continue
        scored.append((score, -position, offer))
    return [offer for _, _, offer in sorted(scored, key=lambda item: item[:2], reverse=True)]


async def customer_context(store: ProfileStore, customer_id: str, channel: str) -> CustomerContext:
    needs = await store.needs(customer_id)
    declined: dict[str, datetime] = {}
    for event in await store.offer_events(customer_id):
        if event.kind == "declined":
            declined[event.offer_id] = max(event.created_at, declined.get(event.offer_id, event.created_at))
    complaints = await store.complaints(customer_id)
    return CustomerContext(
        value_tier=(await store.value(customer_id)).tier,
        channel=channel,
        needed_products=frozenset(n.product for n in needs if n.product),
        needed_categories=frozenset(n.category for n in needs if n.category),
        declined_at=declined,
        has_open_complaint=any(c.status != "resolved" for c in complaints),
    )


async def make_offer(dispatcher: CollectingDispatcher, tracker: Tracker, *,
                     asked_for: bool = False) -> list[EventType]:
    """Offer the best match, after permission; say so plainly when there is nothing to offer.

    Permission is asked for once a conversation when the bot brings offers up itself
    (`asked_for` False: after a need), at most twice when the customer asks for deals."""
    store, customer_id = await customer_of(tracker)
    context = await customer_context(store, customer_id, channel_of(tracker))
    if context.has_open_complaint:
        dispatcher.utter_message(response="utter_offer_after_complaint")
        return []
    if not await store.has_consent(customer_id, OFFERS_PURPOSE):
        asked = times_asked(tracker, ("utter_ask_consent_offers",))
        if asked < (MAX_ASKS if asked_for else 1):
            dispatcher.utter_message(response="utter_ask_consent_offers")
            return [SlotSet("pending_question", "consent_offers")]
        if asked_for:
            dispatcher.utter_message(response="utter_offers_need_consent")
        return []
    offers = [Offer.from_view(view) for view in await store.offers()]
    ranked = rank_offers(offers, context, datetime.now(timezone.utc))
    if not ranked:
        dispatcher.utter_message(response="utter_no_offer_fits")
        return []
    offer = ranked[0]
    await store.record_offer_event(customer_id, offer.id, "shown", source=source_of(tracker))
    dispatcher.utter_message(response="utter_offer", title=offer.title, offer_text=offer.text)
    return [SlotSet("pending_question", f"offer:{offer.id}")]


async def eligible_offer(tracker: Tracker, store: ProfileStore, customer_id: str,
                         product: Product) -> Offer | None:
    """An offer for `product` to mention beside a product answer: only with consent, only
    when nothing stands in the way, and only once per conversation."""
    if any((e.get("metadata") or {}).get("utter_action") == "utter_product_offer_hint"
           for e in tracker.events if e.get("event") == "bot"):
        return None
    if not await store.has_consent(customer_id, OFFERS_PURPOSE):
        return None
    context = await customer_context(store, customer_id, channel_of(tracker))
    context = CustomerContext(**{**context.__dict__, "needed_products": frozenset({product.id}),
                                 "needed_categories": frozenset({product.category})})
    offers = [Offer.from_view(view) for view in await store.offers()]
    ranked = rank_offers(offers, context, datetime.now(timezone.utc))
    if not ranked:
        return None
    await store.record_offer_event(customer_id, ranked[0].id, "shown", source=source_of(tracker))
    return ranked[0]


async def answer_offer(dispatcher: CollectingDispatcher, tracker: Tracker, offer_id: str, accepted: bool) -> list[EventType]:
    store, customer_id = await customer_of(tracker)
    await store.record_offer_event(customer_id, offer_id, "accepted" if accepted else "declined", source=source_of(tracker))
    if not accepted:
        dispatcher.utter_message(response="utter_offer_declined")
        return [SlotSet("pending_question", None)]
    dispatcher.utter_message(response="utter_offer_accepted")
    # The lead needs a way to reach the customer: the contact form skips what we already hold.
    return [SlotSet("pending_question", f"lead:{offer_id}"), FollowupAction("contact_form")]


async def answer_consent(dispatcher: CollectingDispatcher, tracker: Tracker, granted: bool) -> list[EventType]:
    store, customer_id = await customer_of(tracker)
    if not granted:
        dispatcher.utter_message(response="utter_consent_refused")
        return [SlotSet("pending_question", None)]
    await store.grant_consent(
        customer_id, OFFERS_PURPOSE, channel=channel_of(tracker), wording=catalogue.consent_wording(OFFERS_PURPOSE)
    )
    dispatcher.utter_message(response="utter_consent_granted")
    return [SlotSet("pending_question", None), *await make_offer(dispatcher, tracker)]


class ActionOffer(TurnAction):
    """ "Any deals for me?": answered at once; a form it interrupts ends (what it had
    recorded stays), since the offer brings questions of its own."""

    ends_form = True

    def name(self) -> str:
        return "action_offer"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn) -> list[EventType]:
        return await make_offer(dispatcher, tracker, asked_for=True)


class ActionRevokeConsent(TurnAction):
    def name(self) -> str:
        return "action_revoke_consent"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn) -> list[EventType]:
        await turn.store.revoke_consent(turn.customer_id, OFFERS_PURPOSE)
        dispatcher.utter_message(response="utter_consent_revoked")
        pending = tracker.get_slot("pending_question") or ""
        if pending == "consent_offers" or pending.startswith("offer:"):
            return [SlotSet("pending_question", None)]
        return []


def lead_summary(tracker: Tracker, offer_id: str) -> dict[str, Any]:
    return {"offer_id": offer_id, "email": tracker.get_slot("email"), "phone": tracker.get_slot("phone")}
