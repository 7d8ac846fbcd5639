"""What the gateway tells a customer about the queue, and keeping waiting customers informed.

The sentences are the live responses (`utter_queue_*`, `utter_after_hours_*` in
domain.yml), so marketers edit them in the studio. A waiting customer hears their place
when they join, and again when it improves, at most once per `update_every` (being next is
always announced), so a busy queue does not flood anyone. What each gateway has told whom is kept in memory: a customer whose handoff a
different gateway created is told from their next improvement on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol


logger = logging.getLogger(__name__)


class Wording(Protocol):
    """Where the sentences come from: the live responses (bot.handoff.responses)."""

    def say(self, name: str, **arguments: object) -> str: ...


def minutes(count: int) -> str:
    return f"{count} minute" + ("" if count == 1 else "s")


def place_in_queue(wording: Wording, position: int, wait_minutes: int) -> str:
    if position <= 1:
        return wording.say("utter_queue_next", wait=minutes(wait_minutes))
    return wording.say("utter_queue_place", position=position, wait=minutes(wait_minutes))


def queued(wording: Wording, position: int, wait_minutes: int) -> str:
    return f"{place_in_queue(wording, position, wait_minutes)} {wording.say('utter_queue_keep_writing')}"


def still_waiting(wording: Wording, position: int, wait_minutes: int) -> str:
    return f"{wording.say('utter_queue_added')} {place_in_queue(wording, position, wait_minutes)}"


def opening_phrase(now_local: datetime, opening: datetime | None) -> str:
    if opening is None:
        return "as soon as we can"
    days = (opening.date() - now_local.date()).days
    day = "today" if days == 0 else "tomorrow" if days == 1 else f"on {opening:%A}"
    return f"{day} from {opening:%H:%M}"


def after_hours(wording: Wording, hours: str, when: str, complaint: str | None) -> str:
    if complaint:
        return wording.say("utter_after_hours_complaint", hours=hours, when=when, complaint=complaint)
    return wording.say("utter_after_hours_request", hours=hours, when=when)


Tell = Callable[[str, str], Awaitable[None]]  # (conversation id, text)


class QueueNotifier:
    """Tells waiting customers about a better place in the queue, coalescing bursts of moves."""

    def __init__(self, *, update_every: timedelta, clock: Callable[[], datetime],
                 wording: Wording) -> None:
        self.update_every = update_every
        self.wording = wording
        self._clock = clock
        self._told: dict[int, tuple[int, datetime]] = {}
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def told(self, handoff_id: int, position: int) -> None:
        self._told[handoff_id] = (position, self._clock())

    def may_repeat(self, handoff_id: int) -> bool:
        """Has it been long enough to repeat a customer's place without it having changed?"""
        last = self._told.get(handoff_id)
        return last is None or self._clock() - last[1] >= self.update_every

    def queue_moved(self, load: Callable[[], Awaitable[tuple[list[tuple[int, str]], int]]],
                    wait: Callable[[int, int], int], tell: Tell) -> None:
        """Schedule a pass over the queue; moves during a pass trigger one more pass."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._run(load, wait, tell), name="handoff-queue-notifier")

    async def _run(self, load, wait, tell) -> None:
        while True:
            self._again = False
            try:
                await self._pass(load, wait, tell)
            except Exception:
                logger.exception("could not tell waiting customers about the queue")
            if not self._again:
                return

    async def _pass(self, load, wait, tell) -> None:
        waiting, agents = await load()  # [(handoff id, conversation id)] in queue order
        now = self._clock()
        for position, (handoff_id, conversation_id) in enumerate(waiting, start=1):
            last = self._told.get(handoff_id)
            if last is None:
                self._told[handoff_id] = (position, now)
                continue
            if position < last[0] and (position == 1 or now - last[1] >= self.update_every):
                self._told[handoff_id] = (position, now)
                await tell(conversation_id,
                           place_in_queue(self.wording, position, wait(position, agents)))
        still = {handoff_id for handoff_id, _ in waiting}
        for handoff_id in [i for i in self._told if i not in still]:
            del self._told[handoff_id]

    async def idle(self) -> None:
        """Wait until no pass is running (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
