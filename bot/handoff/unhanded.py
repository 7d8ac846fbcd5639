"""Conversations known to have no open handoff, so that a customer's turn need not ask the
database whether a person has the conversation (most never do; the read was the largest
part of what the gateway spent on a turn).

A conversation is forgotten as soon as a handoff is opened for it: at once when this
gateway opens it, and through the broker's queue events when another gateway does (a few
milliseconds later, on Redis). Anything remembered longer than `max_age` is asked again,
in case the broker dropped an event, and all of it is forgotten when events were lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.handoff.pubsub import QUEUE_TOPIC, Broker, Subscription

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 10.0
MAX_CONVERSATIONS = 100_000


class Unhanded:
    def __init__(self, *, max_age: float = MAX_AGE_SECONDS, maximum: int = MAX_CONVERSATIONS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._max_age, self._maximum, self._clock = max_age, maximum, clock
        # Bumped by every forget: a lookup that overlapped one must not be remembered.
        self.generation = 0

    def __contains__(self, conversation_id: str) -> bool:
        seen = self._seen.get(conversation_id)
        if seen is None:
            return False
        if self._clock() - seen > self._max_age:
            del self._seen[conversation_id]
            return False
        return True

    def remember(self, conversation_id: str, generation: int) -> None:
        """No handoff was open when looked up at `generation`."""
        if generation != self.generation:
            return
        self._seen[conversation_id] = self._clock()
        self._seen.move_to_end(conversation_id)
        if len(self._seen) > self._maximum:
            self._seen.popitem(last=False)

    def forget(self, conversation_id: str | None = None) -> None:
        """A handoff may have opened for the conversation (None: for any of them)."""
        self.generation += 1
        if conversation_id is None:
            self._seen.clear()
        else:
            self._seen.pop(conversation_id, None)

    async def follow(self, broker: Broker) -> asyncio.Task[None]:
        """Subscribe to every gateway's queue events; the task returned forgets conversations
        as they arrive, until cancelled."""
        subscription = await broker.subscribe(QUEUE_TOPIC)
        return asyncio.create_task(self._forget_as_told(subscription), name="handoff-unhanded")

    async def _forget_as_told(self, subscription: Subscription) -> None:
        try:
            async for event in subscription:
                handoff = event.get("handoff") if isinstance(event, dict) else None
                conversation_id = handoff.get("conversation_id") if isinstance(handoff, dict) else None
                self.forget(conversation_id if isinstance(conversation_id, str) else None)
                if subscription.overflowed:
                    subscription.overflowed = False
                    self.forget()
        finally:
            await subscription.close()
