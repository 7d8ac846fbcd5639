"""Live events for staff screens: the in-memory broker and the Redis broker against a real Redis.

The same behaviour is asked of both; the Redis cases also prove that an event published
by one gateway reaches subscribers on another.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis import asyncio as redis_asyncio

from bot.handoff.pubsub import Broker, InMemoryBroker, RedisBroker

REDIS_URL = "redis://127.0.0.1:6379/0"


async def redis_available() -> bool:
    client = redis_asyncio.Redis.from_url(REDIS_URL)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex[:10]}:"


async def redis_broker(prefix: str) -> RedisBroker:
    if not await redis_available():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: the redis cases did NOT run")
    broker = RedisBroker.from_url(REDIS_URL, prefix=prefix)
    await broker.start()
    return broker


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def broker(request, prefix: str) -> AsyncIterator[Broker]:
    made = InMemoryBroker() if request.param == "memory" else await redis_broker(prefix)
    yield made
    await made.close()


async def receive(subscription, timeout: float = 3.0):
    return await asyncio.wait_for(subscription.get(), timeout)


async def settle(broker: Broker) -> None:
    """Redis applies SUBSCRIBE asynchronously; a round trip makes sure it took."""
    if isinstance(broker, RedisBroker):
        probe = await broker.subscribe("_probe")
        for _ in range(50):
            await broker.publish("_probe", {"n": 1})
            try:
                await asyncio.wait_for(probe.get(), 0.1)
                break
            except asyncio.TimeoutError:
                continue
        await probe.close()


async def test_subscribers_get_their_topics_events_in_order(broker):
    queue_screen = await broker.subscribe("queue")
    conversation_screen = await broker.subscribe("queue", "conversation:web.1")
    await settle(broker)

    await broker.publish("conversation:web.1", {"type": "message", "text": "<b>hi</b>"})
    await broker.publish("queue", {"type": "handoff", "id": 1})
    await broker.publish("conversation:web.2", {"type": "message", "text": "not yours"})

    assert await receive(conversation_screen) == {"type": "message", "text": "<b>hi</b>"}
    assert await receive(conversation_screen) == {"type": "handoff", "id": 1}
    assert await receive(queue_screen) == {"type": "handoff", "id": 1}
    with pytest.raises(asyncio.TimeoutError):
        await receive(conversation_screen, 0.3)


async def test_unsubscribed_topics_stop_arriving(broker):
    screen = await broker.subscribe("conversation:web.1")
    other = await broker.subscribe("conversation:web.1")
    await settle(broker)
    await screen.remove("conversation:web.1")
    await broker.publish("conversation:web.1", {"n": 1})
    assert await receive(other) == {"n": 1}  # the topic stays for the remaining subscriber
    with pytest.raises(asyncio.TimeoutError):
        await receive(screen, 0.3)
    await other.close()
    assert broker._local == {}


async def test_a_slow_screen_is_told_to_resync_instead_of_blocking_others(broker):
    slow = await broker.subscribe("queue")
    fast = await broker.subscribe("queue")
    await settle(broker)
    from bot.handoff.pubsub import SUBSCRIBER_BACKLOG

    total = SUBSCRIBER_BACKLOG + 5

    async def read_fast() -> list:
        return [await receive(fast) for _ in range(total)]

    reader = asyncio.create_task(read_fast())
    for n in range(total):
        await broker.publish("queue", {"n": n})
        await asyncio.sleep(0)
    received = await reader
    assert received[-1] == {"n": total - 1} and len(received) == total
    assert slow.overflowed


@pytest.mark.redis
async def test_an_event_published_on_one_gateway_reaches_screens_on_another(prefix):
    gateway_a = await redis_broker(prefix)
    gateway_b = await redis_broker(prefix)
    try:
        screen_on_b = await gateway_b.subscribe("queue")
        await settle(gateway_b)
        await gateway_a.publish("queue", {"type": "handoff", "from": "a"})
        assert await receive(screen_on_b) == {"type": "handoff", "from": "a"}
    finally:
        await gateway_a.close()
        await gateway_b.close()


@pytest.mark.redis
async def test_publishing_survives_redis_going_away(prefix):
    broker = await redis_broker(prefix)
    await broker._client.aclose()
    broker._client = redis_asyncio.Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    await broker.publish("queue", {"lost": True})  # logged, never raised into a customer's turn
    await broker.close()
