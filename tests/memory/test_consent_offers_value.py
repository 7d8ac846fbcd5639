"""Contract: consent per purpose, offers and their events, purchases and customer value."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from memory import ProfileStore, Source, ValuePolicy, errors

CHAT = Source("web", conversation_id="c")


async def test_consent_is_per_purpose_and_revocable(store: ProfileStore):
    customer = await store.identify("web", "consenting")
    assert not await store.has_consent(customer, "offers")
    consent = await store.grant_consent(customer, "offers", channel="web",
                                        wording="May we send you offers? You can say stop.")
    assert consent.active and consent.wording.startswith("May we")
    assert await store.has_consent(customer, "offers")
    assert not await store.has_consent(customer, "newsletter")
    assert await store.revoke_consent(customer, "offers") == 1
    assert not await store.has_consent(customer, "offers")
    assert await store.revoke_consent(customer, "offers") == 0
    [revoked] = await store.consents(customer)
    assert revoked.revoked_at is not None and revoked.revoked_at >= revoked.granted_at
    assert revoked.channel == "web"


async def test_offer_catalogue_upsert_and_listing(store: ProfileStore):
    await store.upsert_offer("fibre-1g", title="Fibre 1 Gb", description="Fast",
                             attributes={"products": ["fibre"]})
    await store.upsert_offer("old", title="Old", active=False, purpose=None)
    updated = await store.upsert_offer("fibre-1g", title="Fibre 1 Gb/s", description="Faster")
    assert updated.title == "Fibre 1 Gb/s" and updated.attributes == {}
    assert [o.offer_id for o in await store.offers()] == ["fibre-1g"]
    assert [o.offer_id for o in await store.offers(include_inactive=True)] == ["fibre-1g", "old"]
    assert (await store.offer("old")).purpose is None
    with pytest.raises(errors.UnknownOffer):
        await store.offer("nope")


async def test_no_catalogued_offer_is_shown_without_consent(store: ProfileStore):
    customer = await store.identify("web", "shown")
    await store.upsert_offer("fibre-1g", title="Fibre", purpose="offers")
    with pytest.raises(errors.ConsentRequired):
        await store.record_offer_event(customer, "fibre-1g", "shown", source=CHAT)
    assert await store.offer_events(customer) == []
    await store.grant_consent(customer, "offers", channel="web", wording="ok?")
    await store.record_offer_event(customer, "fibre-1g", "shown", source=CHAT)
    await store.record_offer_event(customer, "fibre-1g", "declined", source=CHAT)
    await store.record_offer_event(customer, "other", "accepted", source=CHAT)
    events = await store.offer_events(customer)
    assert [(e.offer_id, e.kind) for e in events] == [
        ("other", "accepted"), ("fibre-1g", "declined"), ("fibre-1g", "shown"),
    ]
    assert await store.last_declined(customer, "fibre-1g") == events[1].created_at
    assert await store.last_declined(customer, "other") is None
    assert len(await store.offer_events(customer, "fibre-1g")) == 2
    with pytest.raises(errors.InvalidValue):
        await store.record_offer_event(customer, "fibre-1g", "loved", source=CHAT)


async def test_purchases_value_potential_and_tier(store: ProfileStore, clock):
    customer = await store.identify("web", "buyer")
    assert (await store.value(customer)).tier == "new"
    await store.record_purchase(customer, amount="19.99", currency="gbp", product="SIM",
                                source=CHAT, reference="ORD-1")
    again = await store.record_purchase(customer, amount="19.99", currency="GBP", product="SIM",
                                        source=CHAT, reference="ORD-1")
    assert again.amount == Decimal("19.99") and again.currency == "GBP"
    await store.record_purchase(customer, amount=Decimal("980.01"), currency="GBP",
                                product="Phone", source=CHAT,
                                purchased_at=clock.now - timedelta(days=30))
    await store.record_purchase(customer, amount=500, currency="USD", product="Case", source=CHAT)
    await store.add_need(customer, category="tv", budget="about £1,200", words="a big TV",
                         source=CHAT)
    assert [p.product for p in await store.purchases(customer)] == ["Case", "SIM", "Phone"]
    value = await store.value(customer)
    assert value.currency == "GBP"  # the default, as the catalogue's prices
    assert value.spend_in_window == Decimal("1000.00")  # the USD purchase is not counted
    assert value.purchases_in_window == 2
    assert value.tier == "top"
    assert value.potential == Decimal("1200.00")
    assert not value.drifting
    clock.advance(days=400)
    later = await store.value(customer)
    assert later.tier == "standard" and later.spend_in_window == Decimal("0.00")
    assert later.lifetime_spend == Decimal("1000.00") and later.drifting


async def test_purchase_input_errors(store: ProfileStore):
    customer = await store.identify("web", "badbuyer")
    for amount in ("-1", "1.234", "abc", float("inf")):
        with pytest.raises(errors.InvalidValue):
            await store.record_purchase(customer, amount=amount, currency="EUR", product="x",
                                        source=CHAT)
    for currency in ("EURO", "E1", "€€€"):
        with pytest.raises(errors.InvalidInput):
            await store.record_purchase(customer, amount="1", currency=currency, product="x",
                                        source=CHAT)
    assert await store.purchases(customer) == []


async def test_value_tiers_follow_the_configured_policy(clock):
    from memory import InMemoryProfileStore

    policy = ValuePolicy(top_spend=Decimal("50"), new_customer_days=0)
    store = InMemoryProfileStore(clock=clock, value_policy=policy)
    customer = await store.identify("web", "p")
    assert (await store.value(customer)).tier == "standard"
    await store.record_purchase(customer, amount="50", currency="GBP", product="x", source=CHAT)
    assert (await store.value(customer)).tier == "top"


async def test_merge_and_erase_cover_every_area(store: ProfileStore):
    keep = await store.identify("web", "k")
    absorb = await store.identify("web", "a")
    await store.add_need(absorb, category="tv", words="tv", source=CHAT)
    complaint = await store.open_complaint(absorb, category="c", description="d", source=CHAT)
    await store.record_satisfaction(absorb, "neutral", source=CHAT)
    await store.grant_consent(absorb, "offers", channel="web", wording="w")
    await store.record_offer_event(absorb, "x", "declined", source=CHAT)
    await store.record_purchase(absorb, amount="5", currency="EUR", product="p", source=CHAT)
    await store.merge_customers(keep, absorb, actor="agent:1")
    assert len(await store.needs(keep)) == 1
    assert (await store.complaint(complaint.reference)).customer_id == keep
    assert len(await store.satisfaction(keep)) == 1
    assert await store.has_consent(keep, "offers")
    assert len(await store.offer_events(keep)) == 1
    assert len(await store.purchases(keep)) == 1
    exported = await store.export(keep)
    assert exported["complaints"][0]["reference"] == complaint.reference
    assert exported["purchases"][0]["amount"] == "5.00"
    await store.erase(keep, actor="dpo", reason="asked")
    with pytest.raises(errors.UnknownComplaint):
        await store.complaint(complaint.reference)
    deleted = (await store.audit_log(keep))[-1]["detail"]["deleted"]
    assert deleted == {
        "facts": 0, "interactions": 0, "needs": 1, "complaints": 1, "satisfaction": 1,
        "consents": 1, "offer_events": 1, "purchases": 1, "identities": 2,
        "idempotent_requests": 0, "link_tokens": 0,  # see test_channels.py
        "handoffs": 0,  # see tests/memory/test_handoffs.py
    }


async def test_a_budget_said_as_a_range_counts_as_its_top(store: ProfileStore):
    customer = await store.identify("web", "ranger")
    await store.add_need(customer, category="mobile", budget="20-30 GBP/month",
                         words="a sim, 20-30 a month", source=CHAT)
    assert (await store.value(customer)).potential == Decimal("30.00")
