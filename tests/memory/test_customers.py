"""Contract: customers, identities and facts behave the same on every backend."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from memory import Profile, ProfileStore, Source, errors

WEB = Source("web", conversation_id="c-1", message_id="m-1")


async def test_identify_returns_the_same_customer_for_the_same_identity(store: ProfileStore):
    first = await store.identify("telegram", "1001")
    again = await store.identify("telegram", "1001")
    other = await store.identify("web", "1001")
    assert first == again
    assert other != first
    assert await store.find_customer("telegram", "1001") == first
    assert await store.find_customer("telegram", "nobody") is None


async def test_concurrent_identify_calls_agree(store: ProfileStore):
    ids = await asyncio.gather(*(store.identify("web", "same-visitor") for _ in range(8)))
    assert len(set(ids)) == 1
    assert len(await store.identities(ids[0])) == 1


async def test_remembered_fact_is_in_the_profile_with_its_source(store: ProfileStore):
    customer = await store.identify("web", "ann")
    fact = await store.remember(customer, "first_name", "Ann", source=WEB, confidence=0.9)
    profile = await store.profile(customer)
    assert isinstance(profile, Profile)
    assert profile.get("first_name") == "Ann"
    assert profile.get("city") is None
    held = profile.facts["first_name"]
    assert held == fact
    assert held.source == WEB
    assert held.confidence == pytest.approx(0.9)
    assert held.observed_at.utcoffset() == timedelta(0)
    assert profile.knows("first_name") and not profile.needs_confirmation("first_name")


async def test_newest_value_wins_and_history_keeps_the_rest(store: ProfileStore):
    customer = await store.identify("web", "bob")
    await store.remember(customer, "city", "Lyon", source=WEB)
    await store.remember(customer, "city", "Paris", source=Source("telegram"))
    assert (await store.profile(customer)).get("city") == "Paris"
    history = await store.fact_history(customer, "city")
    assert [f.value for f in history] == ["Paris", "Lyon"]
    assert [f.source.channel for f in history] == ["telegram", "web"]


async def test_an_older_observation_does_not_replace_a_newer_value(store: ProfileStore, clock):
    customer = await store.identify("web", "late")
    await store.remember(customer, "city", "Paris", source=WEB)
    earlier = clock.now - timedelta(days=3)
    await store.remember(customer, "city", "Lyon", source=WEB, observed_at=earlier)
    assert (await store.profile(customer)).get("city") == "Paris"
    assert [f.value for f in await store.fact_history(customer, "city")] == ["Paris", "Lyon"]


async def test_facts_go_stale_after_their_ttl_and_some_never_do(store: ProfileStore, clock):
    customer = await store.identify("web", "ttl")
    await store.remember(customer, "phone", "+33 1 23 45 67 89", source=WEB)
    await store.remember(customer, "first_name", "Chloé", source=WEB)
    clock.advance(days=364)
    assert not (await store.profile(customer)).facts["phone"].stale
    clock.advance(days=2)
    profile = await store.profile(customer)
    assert profile.facts["phone"].stale
    assert profile.needs_confirmation("phone") and not profile.knows("phone")
    assert profile.get("phone") == "+33 1 23 45 67 89"
    assert not profile.facts["first_name"].stale


async def test_profile_of_an_unknown_customer_is_a_typed_error(store: ProfileStore):
    for call in (
        store.profile("no-such-customer"),
        store.fact_history("no-such-customer", "city"),
        store.remember("no-such-customer", "city", "Oslo", source=WEB),
        store.identities("no-such-customer"),
    ):
        with pytest.raises(errors.UnknownCustomer):
            await call


async def test_link_identity_is_audited_and_refuses_someone_elses(store: ProfileStore):
    ann = await store.identify("web", "ann-web")
    bob = await store.identify("telegram", "bob-tg")
    await store.link_identity(ann, "telegram", "ann-tg", actor="agent:7", reason="verified code")
    assert await store.find_customer("telegram", "ann-tg") == ann
    # Linking again is harmless; linking someone else's identity is refused.
    await store.link_identity(ann, "telegram", "ann-tg", actor="agent:7", reason="again")
    with pytest.raises(errors.IdentityConflict):
        await store.link_identity(ann, "telegram", "bob-tg", actor="agent:7", reason="oops")
    assert await store.find_customer("telegram", "bob-tg") == bob
    channels = [(i.channel, i.external_id, i.linked_by) for i in await store.identities(ann)]
    assert channels == [("web", "ann-web", None), ("telegram", "ann-tg", "agent:7")]
    audit = await store.audit_log(ann)
    assert [(a["action"], a["actor"]) for a in audit] == [("link_identity", "agent:7")]
    assert "ann-tg" not in str(audit)  # identifiers of the person stay out of the audit


async def test_merge_keeps_everything_and_the_newer_fact_wins(store: ProfileStore, clock):
    keep = await store.identify("web", "merge-keep")
    absorb = await store.identify("telegram", "merge-absorb")
    await store.remember(keep, "city", "Lyon", source=WEB)
    await store.remember(absorb, "city", "Paris", source=Source("telegram"))
    await store.remember(absorb, "email", "a@example.org", source=Source("telegram"))
    await store.remember(keep, "first_name", "Ann", source=WEB)
    await store.remember(absorb, "first_name", "Annie", source=Source("telegram"),
                         observed_at=clock.now - timedelta(days=1))
    await store.start_interaction(absorb, "telegram", "conv-absorb")

    await store.merge_customers(keep, absorb, actor="agent:7")

    profile = await store.profile(keep)
    assert profile.get("city") == "Paris"  # newer
    assert profile.get("first_name") == "Ann"  # newer, though it was on the kept side
    assert profile.get("email") == "a@example.org"
    assert [f.value for f in await store.fact_history(keep, "city")] == ["Paris", "Lyon"]
    assert [f.value for f in await store.fact_history(keep, "first_name")] == ["Ann", "Annie"]
    assert await store.find_customer("telegram", "merge-absorb") == keep
    assert await store.customer_for_conversation("conv-absorb") == keep
    # The absorbed id keeps working and means the kept customer.
    assert (await store.profile(absorb)).customer_id == keep
    assert await store.identify("telegram", "merge-absorb") == keep
    audit = await store.audit_log(keep)
    assert [(a["action"], a["other_customer_id"]) for a in audit] == [("merge", absorb)]


async def test_merging_a_customer_with_itself_changes_nothing(store: ProfileStore):
    customer = await store.identify("web", "self")
    await store.remember(customer, "city", "Rome", source=WEB)
    await store.merge_customers(customer, customer, actor="agent:1")
    assert (await store.profile(customer)).get("city") == "Rome"
    assert await store.audit_log(customer) == []


async def test_fact_history_of_every_key(store: ProfileStore):
    customer = await store.identify("web", "all-keys")
    await store.remember(customer, "city", "Oslo", source=WEB)
    await store.remember(customer, "language", "nb", source=WEB)
    assert [f.key for f in await store.fact_history(customer)] == ["language", "city"]
