"""Rate limiting: the limiter's contract (in memory and on the real Redis) and the 429s."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest

from bot.app import create_app
from bot.ratelimit import Rule, build_limiter, memory_limiter, redis_limiter
from tests.conftest import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"
SLOW = Rule("test", burst=3, per_second=0.001)  # effectively no refill during a test


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def limiter(request):
    if request.param == "memory":
        made = memory_limiter()
    else:
        # A unique prefix per test keeps runs (and parallel runs) apart on the shared server.
        made = redis_limiter(REDIS_URL, prefix=f"test:{uuid.uuid4().hex}")
    yield made
    await made.close()


async def test_a_burst_is_allowed_then_refused_with_a_wait(limiter):
    decisions = [await limiter.hit(SLOW, "visitor-1") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 0 < decisions[-1].retry_after <= SLOW.item.get_expiry()
    assert decisions[-1].retry_after_seconds >= 1


async def test_buckets_are_per_key_and_per_rule(limiter):
    for _ in range(3):
        await limiter.hit(SLOW, "visitor-1")
    assert not (await limiter.hit(SLOW, "visitor-1")).allowed
    assert (await limiter.hit(SLOW, "visitor-2")).allowed
    assert (await limiter.hit(Rule("other", 3, 0.001), "visitor-1")).allowed


async def test_a_rule_set_to_zero_is_off(limiter):
    off = Rule("off", burst=0, per_second=0)
    assert all([(await limiter.hit(off, "visitor-1")).allowed for _ in range(50)])


async def test_hits_come_back_over_time(limiter):
    fast = Rule("fast", burst=1, per_second=1)
    assert (await limiter.hit(fast, "visitor-1")).allowed
    refused = await limiter.hit(fast, "visitor-1")
    assert not refused.allowed and 0 < refused.retry_after <= 2
    await asyncio.sleep(2.1)
    assert (await limiter.hit(fast, "visitor-1")).allowed


def test_a_rule_is_a_window_of_its_burst_at_its_rate():
    item = Rule("session", burst=30, per_second=1).item
    assert (item.amount, item.get_expiry()) == (30, 30)
    assert Rule("ip", burst=600, per_second=50).item.get_expiry() == 12


async def test_in_memory_keys_expire_on_their_own_rule_window():
    """Issue 14: the old sweep forgot every bucket after the refill time of whichever rule
    triggered it, so a short rule's traffic reset a long rule's limits."""
    limiter = memory_limiter()
    short, long = Rule("short", burst=1, per_second=1), Rule("long", burst=2, per_second=0.002)
    try:
        for i in range(50):
            await limiter.hit(short, f"visitor-{i}")
            await limiter.hit(long, f"visitor-{i}")
            await limiter.hit(long, f"visitor-{i}")
        await asyncio.sleep(2.2)  # the short rule's counters (kept two windows) have expired
        await limiter.hit(short, "last")  # schedules the expiry pass
        await asyncio.sleep(0.05)
        keys = list(limiter.storage.storage)
        assert not [key for key in keys if key.startswith("short/visitor-")]  # memory is given back
        assert len([key for key in keys if key.startswith("long/visitor-")]) == 50
        assert not (await limiter.hit(long, "visitor-7")).allowed  # the long limit still holds
    finally:
        await limiter.close()


@pytest.mark.redis
async def test_two_gateways_share_one_redis_bucket():
    prefix = f"test:{uuid.uuid4().hex}"
    first, second = redis_limiter(REDIS_URL, prefix), redis_limiter(REDIS_URL, prefix)
    try:
        assert (await first.hit(SLOW, "ip-1")).allowed
        assert (await second.hit(SLOW, "ip-1")).allowed
        assert (await first.hit(SLOW, "ip-1")).allowed
        assert not (await second.hit(SLOW, "ip-1")).allowed
    finally:
        await first.close()
        await second.close()


async def test_redis_outage_lets_requests_through():
    unreachable = redis_limiter(f"redis://127.0.0.1:{free_port()}/0")
    try:
        assert all([(await unreachable.hit(SLOW, "ip-1")).allowed for _ in range(5)])
    finally:
        await unreachable.close()


# --- through the gateway --------------------------------------------------------------

@pytest.fixture
async def strict_gateway(aiohttp_client, gateway_settings):
    settings = dataclasses.replace(gateway_settings, rate_ip_burst=3, rate_ip_per_second=0.01)
    return await aiohttp_client(create_app(settings))


async def test_too_many_api_requests_get_429_with_retry_after(strict_gateway, fake_engine):
    auth = {"Authorization": "Bearer test-api-key"}
    statuses = []
    for _ in range(4):
        response = await strict_gateway.post(
            "/api/v1/messages", json={"customer": "crm-1", "text": "hi"}, headers=auth
        )
        statuses.append(response.status)
    assert statuses == [200, 200, 200, 429]
    assert int(response.headers["Retry-After"]) >= 1
    body = await response.json()
    assert "Too many requests" in body["error"] and body["retry_after"] >= 1
    assert len(fake_engine.received) == 3  # the refused request never reached the engine


async def test_web_routes_share_the_ip_bucket_and_health_is_not_limited(strict_gateway):
    statuses = [(await strict_gateway.post("/web/session", json={})).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = await strict_gateway.post("/web/session", json={})
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # the widget can read it
    assert (await strict_gateway.get("/health")).status == 200


@pytest.mark.parametrize("backend", ["sqlite", "nonsense"])
def test_an_unknown_backend_is_refused(backend):
    with pytest.raises(ValueError, match="unknown rate limit backend"):
        build_limiter(backend, "")


def test_redis_backend_needs_a_url():
    with pytest.raises(ValueError, match="RAPPORT_REDIS_URL"):
        build_limiter("redis", "")


async def _session_status(gateway, forwarded_for: str) -> int:
    response = await gateway.post("/web/session", json={}, headers={"X-Forwarded-For": forwarded_for})
    return response.status


async def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(aiohttp_client, gateway_settings):
    settings = dataclasses.replace(gateway_settings, rate_ip_burst=1, rate_ip_per_second=0.01)
    gateway = await aiohttp_client(create_app(settings))
    assert await _session_status(gateway, "1.1.1.1") == 200
    assert await _session_status(gateway, "2.2.2.2") == 429  # a client cannot pick a fresh bucket


async def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(aiohttp_client, gateway_settings):
    settings = dataclasses.replace(
        gateway_settings, rate_ip_burst=1, rate_ip_per_second=0.01, forwarded_hops=1
    )
    gateway = await aiohttp_client(create_app(settings))
    assert await _session_status(gateway, "1.1.1.1") == 200
    assert await _session_status(gateway, "2.2.2.2") == 200
    assert await _session_status(gateway, "1.1.1.1") == 429
    # What the client wrote to the left of the proxy's entry changes nothing.
    assert await _session_status(gateway, "9.9.9.9, 1.1.1.1") == 429
