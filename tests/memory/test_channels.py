"""Contract: what the channels keep (API keys, idempotent requests, link tokens, retries)."""
from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest

from memory import ProfileStore, Source, errors
from memory.api.channels import CLAIMED, DONE, PENDING

LEASE = timedelta(seconds=60)
KEEP = timedelta(hours=24)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- retried messages --------------------------------------------------------------------


async def test_only_the_first_of_concurrent_identical_messages_is_new(store: ProfileStore):
    customer = await store.identify("api", "crm-1")
    await store.start_interaction(customer, "api", "api.c1")
    views = await asyncio.gather(*(
        store.record_message("api.c1", sender="customer", text="hi", message_id="m-1")
        for _ in range(6)
    ))
    assert sorted(view.duplicate for view in views) == [False] + [True] * 5
    assert len({view.id for view in views}) == 1
    assert [m.text for m in await store.transcript("api.c1")] == ["hi"]
    # Messages without an id are never duplicates.
    plain = await store.record_message("api.c1", sender="bot", text="hello")
    assert not plain.duplicate


# --- API keys ----------------------------------------------------------------------------


async def test_an_api_key_names_its_integration_until_revoked(store: ProfileStore):
    added = await store.add_api_key("crm", prefix="rk_abcd", key_hash=sha("k1"), actor="cli")
    assert added.active and added.integration == "crm" and added.prefix == "rk_abcd"
    assert await store.api_key_owner(sha("k1")) == "crm"
    assert await store.api_key_owner(sha("other")) is None
    assert [k.integration for k in await store.api_keys()] == ["crm"]

    assert await store.revoke_api_key("crm", actor="cli") == 1
    assert await store.api_key_owner(sha("k1")) is None
    assert await store.api_keys() == []
    assert [k.active for k in await store.api_keys(include_revoked=True)] == [False]
    assert await store.revoke_api_key("crm", actor="cli") == 0

    await store.add_api_key("crm", prefix="rk_efgh", key_hash=sha("k2"), actor="cli")
    assert await store.api_key_owner(sha("k2")) == "crm"
    assert await store.api_key_owner(sha("k1")) is None


async def test_an_integration_has_one_active_key_and_hashes_are_unique(store: ProfileStore):
    await store.add_api_key("crm", prefix="rk_a", key_hash=sha("k1"), actor="cli")
    with pytest.raises(errors.IntegrationConflict):
        await store.add_api_key("crm", prefix="rk_b", key_hash=sha("k2"), actor="cli")
    with pytest.raises(errors.IntegrationConflict):
        await store.add_api_key("shop", prefix="rk_a", key_hash=sha("k1"), actor="cli")
    with pytest.raises(errors.InvalidValue):
        await store.add_api_key("shop", prefix="rk_c", key_hash="not-a-digest", actor="cli")
    assert [k.integration for k in await store.api_keys()] == ["crm"]


# --- idempotent requests -----------------------------------------------------------------


async def claim(store: ProfileStore, customer: str, key: str = "key-1", fingerprint: str = "a",
                scope: str = "api:crm"):
    return await store.claim_request(
        scope, key, fingerprint=sha(fingerprint), customer_id=customer,
        conversation_id="api.c1", lease=LEASE, keep_for=KEEP,
    )


async def test_a_completed_request_is_answered_from_its_first_response(store: ProfileStore):
    customer = await store.identify("api:crm", "crm-1")
    first = await claim(store, customer)
    assert first.state == CLAIMED and first.response is None
    assert (await claim(store, customer)).state == PENDING
    await store.complete_request("api:crm", "key-1", {"replies": [{"text": "Hi", "buttons": []}]})
    again = await claim(store, customer)
    assert again.state == DONE
    assert again.response == {"replies": [{"text": "Hi", "buttons": []}]}
    assert again.conversation_id == "api.c1"
    # Keys are scoped: another integration's identical key is its own request.
    assert (await claim(store, customer, scope="api:shop")).state == CLAIMED


async def test_a_key_reused_for_another_request_is_refused(store: ProfileStore):
    customer = await store.identify("api:crm", "crm-1")
    await claim(store, customer)
    with pytest.raises(errors.RequestMismatch):
        await claim(store, customer, fingerprint="b")


async def test_only_one_of_concurrent_claims_wins(store: ProfileStore):
    customer = await store.identify("api:crm", "crm-1")
    claims = await asyncio.gather(*(claim(store, customer) for _ in range(8)))
    assert sorted(c.state for c in claims) == [CLAIMED] + [PENDING] * 7


async def test_a_released_claim_can_be_claimed_again(store: ProfileStore):
    customer = await store.identify("api:crm", "crm-1")
    await claim(store, customer)
    await store.release_request("api:crm", "key-1")
    assert (await claim(store, customer)).state == CLAIMED
    await store.complete_request("api:crm", "key-1", {"replies": []})
    await store.release_request("api:crm", "key-1")  # completed requests are kept
    assert (await claim(store, customer)).state == DONE


async def test_a_claim_whose_gateway_went_quiet_is_taken_over_once(store: ProfileStore, clock):
    customer = await store.identify("api:crm", "crm-1")
    await claim(store, customer)
    clock.advance(seconds=61)
    takeovers = await asyncio.gather(*(claim(store, customer) for _ in range(4)))
    assert sorted(c.state for c in takeovers) == [CLAIMED] + [PENDING] * 3


async def test_keys_expire_and_old_records_are_purged(store: ProfileStore, clock):
    customer = await store.identify("api:crm", "crm-1")
    await claim(store, customer)
    await store.complete_request("api:crm", "key-1", {"replies": []})
    clock.advance(hours=25)
    renewed = await claim(store, customer, fingerprint="b")  # expired: a new request
    assert renewed.state == CLAIMED
    await claim(store, customer, key="key-2")
    clock.advance(hours=25)
    purged = await store.purge_expired(requests_before=clock.now - KEEP)
    assert purged == 2
    assert (await claim(store, customer, fingerprint="c")).state == CLAIMED


# --- link tokens -------------------------------------------------------------------------


async def issue(store: ProfileStore, customer: str, clock, jti: str = "jti-1",
                target: str = "telegram", minutes: float = 15):
    await store.issue_link_token(
        jti, customer, source_channel="web", target_channel=target,
        expires_at=clock.now + timedelta(minutes=minutes),
    )


async def test_a_link_token_attaches_a_new_identity_once(store: ProfileStore, clock):
    ann = await store.identify("web", "visitor-1")
    await issue(store, ann, clock)
    redeemed = await store.redeem_link_token(
        "jti-1", target_channel="telegram", channel="telegram", external_id="777", actor="gw"
    )
    assert redeemed.customer_id == ann and redeemed.merged_customer_id is None
    assert redeemed.source_channel == "web"
    assert await store.find_customer("telegram", "777") == ann
    linked = [(i.channel, i.external_id, i.linked_by) for i in await store.identities(ann)]
    assert ("telegram", "777", "gw") in linked
    audit = (await store.audit_log(ann))[-1]
    assert audit["action"] == "link_identity" and audit["detail"]["channel"] == "telegram"

    with pytest.raises(errors.LinkTokenRefused) as refused:
        await store.redeem_link_token(
            "jti-1", target_channel="telegram", channel="telegram", external_id="888", actor="gw"
        )
    assert refused.value.reason == "used"
    assert await store.find_customer("telegram", "888") is None


async def test_expired_unknown_and_misdirected_tokens_are_refused(store: ProfileStore, clock):
    ann = await store.identify("web", "visitor-1")
    await issue(store, ann, clock, jti="soon", minutes=1)
    await issue(store, ann, clock, jti="for-web", target="web")
    clock.advance(minutes=2)
    cases = [("soon", "telegram", "expired"), ("nope", "telegram", "unknown"),
             ("for-web", "telegram", "unknown")]
    for jti, target, reason in cases:
        with pytest.raises(errors.LinkTokenRefused) as refused:
            await store.redeem_link_token(
                jti, target_channel=target, channel="telegram", external_id="777", actor="gw"
            )
        assert refused.value.reason == reason
    assert await store.find_customer("telegram", "777") is None


@pytest.mark.parametrize("history", [
    "a fact", "a conversation", "a need", "a complaint", "a rating", "a consent",
    "another identity",
])
async def test_a_link_never_moves_a_customer_with_history_into_another(
    store: ProfileStore, clock, history
):
    # Mallory asks for a link and sends it to Victor, whose Telegram chat has a history.
    mallory = await store.identify("web", "visitor-1")
    victor = await store.identify("telegram", "777")
    source = Source("telegram")
    await {
        "a fact": lambda: store.remember(victor, "city", "Leeds", source=source),
        "a conversation": lambda: store.start_interaction(victor, "telegram", "telegram.777.1"),
        "a need": lambda: store.add_need(victor, category="broadband", words="fast wifi",
                                        source=source),
        "a complaint": lambda: store.open_complaint(
            victor, category="billing", description="overcharged", source=source),
        "a rating": lambda: store.record_satisfaction(victor, "satisfied", source=source),
        "a consent": lambda: store.grant_consent(
            victor, "offers", channel="telegram", wording="Send me offers?"),
        "another identity": lambda: store.link_identity(
            victor, "web", "visitor-2", actor="staff", reason="verified by phone"),
    }[history]()
    await issue(store, mallory, clock)

    with pytest.raises(errors.LinkTokenRefused) as refused:
        await store.redeem_link_token(
            "jti-1", target_channel="telegram", channel="telegram", external_id="777",
            actor="gw",
        )
    assert refused.value.reason == "taken"
    assert await store.find_customer("telegram", "777") == victor  # still Victor's own
    assert (await store.profile(victor)).customer_id == victor  # not merged anywhere
    assert not [r for r in await store.audit_log(mallory) if r["action"] == "merge"]
    # The refusal changed nothing: the token still works for a chat without history.
    redeemed = await store.redeem_link_token(
        "jti-1", target_channel="telegram", channel="telegram", external_id="888", actor="gw"
    )
    assert redeemed.customer_id == mallory


async def test_a_known_identity_without_history_is_linked(store: ProfileStore, clock):
    ann = await store.identify("web", "visitor-1")
    await store.remember(ann, "first_name", "Ann", source=Source("web"))
    chat = await store.identify("telegram", "777")  # seen, but never told us anything
    await issue(store, ann, clock)

    redeemed = await store.redeem_link_token(
        "jti-1", target_channel="telegram", channel="telegram", external_id="777", actor="gw"
    )
    assert redeemed.customer_id == ann and redeemed.merged_customer_id == chat
    assert await store.identify("telegram", "777") == ann
    assert (await store.profile(ann)).get("first_name") == "Ann"
    assert [r["action"] for r in await store.audit_log(ann)][-2:] == ["merge", "link_identity"]


async def test_concurrent_redemptions_of_one_token_link_one_chat(store: ProfileStore, clock):
    ann = await store.identify("web", "visitor-1")
    await issue(store, ann, clock)
    outcomes = await asyncio.gather(
        *(store.redeem_link_token("jti-1", target_channel="telegram", channel="telegram",
                                  external_id=str(chat), actor="gw") for chat in range(5)),
        return_exceptions=True,
    )
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert all(isinstance(o, errors.LinkTokenRefused) for o in outcomes if isinstance(o, Exception))
    assert len([i for i in await store.identities(ann) if i.channel == "telegram"]) == 1


async def test_tokens_and_requests_follow_merges_and_go_with_erasure(store: ProfileStore, clock):
    ann = await store.identify("web", "visitor-1")
    old = await store.identify("api:crm", "crm-1")
    await issue(store, old, clock)
    await claim(store, old)
    await store.merge_customers(ann, old, actor="staff")
    redeemed = await store.redeem_link_token(
        "jti-1", target_channel="telegram", channel="telegram", external_id="777", actor="gw"
    )
    assert redeemed.customer_id == ann

    await issue(store, ann, clock, jti="jti-2")
    await store.erase(ann, actor="dpo", reason="asked")
    deleted = (await store.audit_log(ann))[-1]["detail"]["deleted"]
    assert (deleted["link_tokens"], deleted["idempotent_requests"]) == (2, 1)
    with pytest.raises(errors.LinkTokenRefused):
        await store.redeem_link_token(
            "jti-2", target_channel="telegram", channel="telegram", external_id="9", actor="gw"
        )


async def test_expired_link_tokens_are_purged(store: ProfileStore, clock):
    ann = await store.identify("web", "visitor-1")
    await issue(store, ann, clock, jti="short", minutes=1)
    await issue(store, ann, clock, jti="long", minutes=60)
    clock.advance(minutes=5)
    assert await store.purge_expired(requests_before=clock.now - KEEP) == 1
    redeemed = await store.redeem_link_token(
        "long", target_channel="telegram", channel="telegram", external_id="1", actor="gw"
    )
    assert redeemed.customer_id == ann
