"""Next best offer: permission first, ranked per customer, never with an open complaint."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from rasa_sdk.events import SlotSet

from actions.catalogue import Offer
from actions.handoff import ActionAnswerYesNo
from actions.offers import ActionOffer, ActionRevokeConsent, CustomerContext, rank_offers
from memory import Source
from tests.actions.conftest import texts

WEB = Source(channel="web")
NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)


def context(**overrides) -> CustomerContext:
    values = dict(
        value_tier="standard", channel="web", needed_products=frozenset(), needed_categories=frozenset(),
        declined_at={}, has_open_complaint=False,
    )
    values.update(overrides)
    return CustomerContext(**values)


def offer(offer_id: str, **fields) -> Offer:
    return Offer(id=offer_id, title=offer_id, text="", **fields)


def test_offers_matching_stated_needs_rank_first():
    offers = [offer("tv", categories=frozenset({"tv"})), offer("fibre", products=frozenset({"fibre-500"}))]
    ranked = rank_offers(offers, context(needed_products=frozenset({"fibre-500"})), NOW)
    assert [o.id for o in ranked] == ["fibre"]


def test_eligibility_by_tier_and_channel():
    offers = [offer("loyal", value_tiers=frozenset({"top"})), offer("tg", channels=frozenset({"telegram"}))]
    assert [o.id for o in rank_offers(offers, context(value_tier="top"), NOW)] == ["loyal"]
    assert [o.id for o in rank_offers(offers, context(channel="telegram"), NOW)] == ["tg"]


def test_a_declined_offer_waits_for_its_pause():
    offers = [offer("fibre", reoffer_after_days=30)]
    recently = context(declined_at={"fibre": NOW - timedelta(days=3)})
    long_ago = context(declined_at={"fibre": NOW - timedelta(days=31)})
    assert rank_offers(offers, recently, NOW) == []
    assert [o.id for o in rank_offers(offers, long_ago, NOW)] == ["fibre"]


def test_no_offer_at_all_with_an_open_complaint():
    assert rank_offers([offer("fibre")], context(has_open_complaint=True), NOW) == []


def test_expired_offers_are_not_made():
    offers = [offer("old", valid_to=(NOW - timedelta(days=1)).date())]
    assert rank_offers(offers, context(), NOW) == []


async def test_no_offer_without_permission_then_one_after_it(store, conversation, dispatcher, domain):
    chat = await conversation()
    events = await ActionOffer().run(dispatcher, chat.tracker("any deals?"), domain)
    assert SlotSet("pending_question", "consent_offers") in events
    assert await store.offer_events(chat.customer_id) == []
    assert "personalised offers" in texts(dispatcher)[0]

    await ActionAnswerYesNo().run(
        dispatcher, chat.tracker("yes", intent="affirm", slots={"pending_question": "consent_offers"}), domain
    )
    consent = (await store.consents(chat.customer_id))[0]
    assert consent.purpose == "offers" and "personalised offers" in consent.wording
    shown = await store.offer_events(chat.customer_id)
    assert [e.kind for e in shown] == ["shown"]


async def test_two_customers_with_different_profiles_get_different_offers(store, conversation, domain):
    from rasa_sdk.executor import CollectingDispatcher

    offers_made = []
    for external_id, category, product, spend in (
        ("mobile-fan", "mobile", "sim-20gb", Decimal("0")),
        ("big-spender", "broadband", "fibre-900", Decimal("5000")),
    ):
        chat = await conversation(external_id=external_id)
        await store.grant_consent(chat.customer_id, "offers", channel="web", wording="ok")
        await store.add_need(chat.customer_id, category=category, product=product, words="...", source=WEB)
        if spend:
            await store.record_purchase(chat.customer_id, amount=spend, currency="GBP", product="fibre-900", source=WEB)
        dispatcher = CollectingDispatcher()
        await ActionOffer().run(dispatcher, chat.tracker("any deals for me?"), domain)
        offers_made.append((await store.offer_events(chat.customer_id))[0].offer_id)
    assert offers_made == ["sim-20gb-half-price", "loyal-fibre-900"]


async def test_an_open_complaint_means_no_upsell(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.grant_consent(chat.customer_id, "offers", channel="web", wording="ok")
    await store.open_complaint(chat.customer_id, category="billing", description="overcharged", source=WEB)
    await ActionOffer().run(dispatcher, chat.tracker("any deals?"), domain)
    assert "open complaint" in texts(dispatcher)[0]
    assert await store.offer_events(chat.customer_id) == []


async def test_declining_is_recorded_and_stop_sending_offers_revokes(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.grant_consent(chat.customer_id, "offers", channel="web", wording="ok")
    await ActionOffer().run(dispatcher, chat.tracker("deals?"), domain)
    offer_id = (await store.offer_events(chat.customer_id))[0].offer_id
    await ActionAnswerYesNo().run(
        dispatcher, chat.tracker("no", intent="deny", slots={"pending_question": f"offer:{offer_id}"}), domain
    )
    assert await store.last_declined(chat.customer_id, offer_id) is not None

    await ActionRevokeConsent().run(dispatcher, chat.tracker("stop sending me offers"), domain)
    assert not await store.has_consent(chat.customer_id, "offers")
    events = await ActionOffer().run(dispatcher, chat.tracker("deals?"), domain)
    assert SlotSet("pending_question", "consent_offers") in events
