"""Live events for staff screens: publish to a topic, subscribe to topics.

`Broker` is the small interface. `InMemoryBroker` serves one gateway (and tests);
`RedisBroker` shares events between N gateways through Redis pub/sub. Either way the
gateway fans events out to its own subscribers (one per console WebSocket) locally,
so Redis sees one subscription per topic per gateway, not one per browser.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from redis import asyncio as redis_asyncio
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

QUEUE_TOPIC = "queue"
SUBSCRIBER_BACKLOG = 1000  # events a slow screen may fall behind before it must resync
CLOSE_TIMEOUT = 3.0

Event = dict[str, Any]


def encode(event: Event) -> str:
    return json.dumps(event, separators=(",", ":"))


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


class Subscription:
    """One subscriber's topics and its queue of events; iterate it to receive them."""

    def __init__(self, broker: "Broker") -> None:
        self._broker = broker
        self.topics: set[str] = set()
        # Events travel as their JSON text: encoded once per publish, not once per screen.
        self._events: asyncio.Queue[str] = asyncio.Queue(SUBSCRIBER_BACKLOG)
        self.overflowed = False

    def deliver(self, encoded: str) -> None:
        try:
            self._events.put_nowait(encoded)
        except asyncio.QueueFull:
            self.overflowed = True  # the screen reloads its state when it sees this

    async def add(self, topic: str) -> None:
        if topic not in self.topics:
            self.topics.add(topic)
            await self._broker._attach(self, topic)

    async def remove(self, topic: str) -> None:
        if topic in self.topics:
            self.topics.discard(topic)
            await self._broker._detach(self, topic)

    async def get(self) -> Event:
        return json.loads(await self._events.get())

    async def get_encoded(self) -> str:
        """The next event as JSON text, ready to forward to a browser."""
        return await self._events.get()

    async def close(self) -> None:
        for topic in list(self.topics):
            await self.remove(topic)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            yield await self.get()


class Broker(abc.ABC):
    def __init__(self) -> None:
        self._local: dict[str, set[Subscription]] = {}

    @abc.abstractmethod
    async def publish(self, topic: str, event: Event) -> None:
        """Send an event to every subscriber of the topic, on every gateway."""

    async def subscribe(self, *topics: str) -> Subscription:
        subscription = Subscription(self)
        for topic in topics:
            await subscription.add(topic)
        return subscription

    async def close(self) -> None:
        """Release connections."""

    def _fan_out(self, topic: str, encoded: str) -> None:
        for subscription in tuple(self._local.get(topic, ())):
            subscription.deliver(encoded)

    async def _attach(self, subscription: Subscription, topic: str) -> None:
        self._local.setdefault(topic, set()).add(subscription)

    async def _detach(self, subscription: Subscription, topic: str) -> None:
        subscribers = self._local.get(topic)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._local[topic]


class InMemoryBroker(Broker):
    """Events stay in this process: right for one gateway, and the fake for tests."""

    async def publish(self, topic: str, event: Event) -> None:
        if topic in self._local:
            self._fan_out(topic, encode(event))


class RedisBroker(Broker):
    """Events go through Redis channels named `<prefix><topic>`."""

    def __init__(self, client: redis_asyncio.Redis, *, prefix: str = "rapport:live:") -> None:
        super().__init__()
        self._client = client
        self._prefix = prefix
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._closing = False

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "rapport:live:") -> "RedisBroker":
        return cls(redis_asyncio.Redis.from_url(url), prefix=prefix)

    async def start(self) -> None:
        # Always subscribed to something, so the reader never finds an idle connection.
        await self._pubsub.subscribe(self._prefix + "_broker")
        self._reader = asyncio.create_task(self._read(), name="redis-broker-reader")

    async def publish(self, topic: str, event: Event) -> None:
        try:
            await self._client.publish(self._prefix + topic, encode(event))
        except RedisError as error:
            # Live screens miss an update; they resync on their next reload. Never fail the turn.
            logger.warning("could not publish a live event: %s", type(error).__name__)

    async def _attach(self, subscription: Subscription, topic: str) -> None:
        async with self._lock:
            first = topic not in self._local
            await super()._attach(subscription, topic)
            if first:
                await self._pubsub.subscribe(self._prefix + topic)

    async def _detach(self, subscription: Subscription, topic: str) -> None:
        async with self._lock:
            await super()._detach(subscription, topic)
            if topic not in self._local:
                await self._pubsub.unsubscribe(self._prefix + topic)

    async def _read(self) -> None:
        while not self._closing:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except RedisError as error:
                logger.warning("live events reader lost Redis: %s; retrying", type(error).__name__)
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel, data = message["channel"], message["data"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            try:
                encoded = data.decode() if isinstance(data, bytes) else str(data)
            except UnicodeDecodeError:
                continue
            self._fan_out(channel.removeprefix(self._prefix), encoded)

    async def close(self) -> None:
        # Bounded waits: with Redis gone, redis-py can sit in its reconnect loop for a while,
        # and a gateway must still shut down promptly.
        self._closing = True
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.wait({self._reader}, timeout=CLOSE_TIMEOUT)
        for closing in (self._pubsub.aclose(), self._client.aclose()):
            try:
                await asyncio.wait_for(closing, CLOSE_TIMEOUT)
            except (RedisError, OSError, asyncio.TimeoutError) as error:
                logger.warning("closing the live events connection: %s", type(error).__name__)
