"""Where the handoff queue and internal notes live: the interface and an in-memory fake.

`bot.handoff.sql.SqlHandoffStore` is the real one. Claiming, transferring and closing
are conditional: each names the state it expects and returns None when the handoff is
no longer in it, so two agents can never both win one customer.
"""

from __future__ import annotations

import abc
import itertools
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.handoff import suggestions as kept_suggestions
from bot.handoff.models import ACTIVE, AFTER_HOURS, CLOSED, WAITING, HandoffView, NoteView
from bot.handoff.suggestions import Change


class HandoffStore(abc.ABC):
    @abc.abstractmethod
    async def open(
        self,
        *,
        conversation_id: str,
        customer_id: str,
        channel: str,
        reason: str,
        priority: int,
        detail: dict[str, Any],
        now: datetime,
    ) -> tuple[HandoffView, bool]:
        """Queue the conversation, or return its open handoff: (handoff, newly created?)."""

    @abc.abstractmethod
    async def record_closed(
        self, *, conversation_id: str, customer_id: str, channel: str, reason: str,
        detail: dict[str, Any], outcome: str, now: datetime,
    ) -> HandoffView:
        """Keep a request that never queued (outside staffed hours) for the record."""

    @abc.abstractmethod
    async def get(self, handoff_id: int) -> HandoffView | None: ...

    @abc.abstractmethod
    async def open_for_conversation(self, conversation_id: str) -> HandoffView | None: ...

    @abc.abstractmethod
    async def open_handoffs(self) -> list[HandoffView]:
        """Every waiting or active handoff; waiting ones in queue order come first."""

    @abc.abstractmethod
    async def waiting_order(self) -> list[tuple[int, str]]:
        """(handoff id, conversation id) of every waiting handoff, in queue order."""

    @abc.abstractmethod
    async def position(self, handoff: HandoffView) -> int | None:
        """The place of a waiting handoff in the queue (1 = next); None if not waiting."""

    @abc.abstractmethod
    async def follow_ups(self, limit: int = 50) -> list[HandoffView]:
        """The latest requests made outside staffed hours (a follow-up was promised), newest first."""

    @abc.abstractmethod
    async def had_reason(self, conversation_id: str, reason: str) -> bool:
        """Was the conversation ever handed off for this reason?"""

    @abc.abstractmethod
    async def claim(self, handoff_id: int, agent_id: int, now: datetime) -> HandoffView | None:
        """Waiting -> active for this agent; None if it was not waiting (someone was faster)."""

    @abc.abstractmethod
    async def transfer(
        self, handoff_id: int, from_agent_id: int | None, to_agent_id: int | None, now: datetime
    ) -> HandoffView | None:
        """Give an active handoff to another agent, or back to the queue (to_agent_id None).

        `from_agent_id` None skips the holder check (admins). None if it was not so held."""

    @abc.abstractmethod
    async def close(
        self, handoff_id: int, agent_id: int | None, outcome: str, now: datetime
    ) -> HandoffView | None:
        """Close an open handoff held by `agent_id` (None: whoever holds it)."""

    @abc.abstractmethod
    async def add_note(self, handoff_id: int, author_id: int, text: str, now: datetime) -> NoteView: ...

    @abc.abstractmethod
    async def notes(self, conversation_id: str) -> list[NoteView]:
        """Every note on any handoff of the conversation, oldest first."""

    @abc.abstractmethod
    async def add_suggestions(self, handoff_id: int, suggestions: list[dict[str, Any]]) -> None:
        """Keep suggestions with the handoff (bot.handoff.suggestions); nothing if it is gone."""

    @abc.abstractmethod
    async def suggestions(self, handoff_id: int) -> list[dict[str, Any]]:
        """The handoff's suggestions, oldest first."""

    @abc.abstractmethod
    async def change_suggestion(
        self, handoff_id: int, suggestion_id: str, change: Change
    ) -> tuple[dict[str, Any] | None, bool]:
        """Apply `change` to one suggestion atomically: (the suggestion after, changed?).

        `change` sees the current state and returns the new one, or None to leave it, so
        two agents' clicks are decided one after the other. (None, False): no such suggestion."""

    async def close_store(self) -> None:
        """Release connections."""


def queue_sorted(handoffs: list[HandoffView]) -> list[HandoffView]:
    waiting = sorted((h for h in handoffs if h.status == WAITING), key=HandoffView.queue_order)
    active = sorted((h for h in handoffs if h.status == ACTIVE), key=lambda h: (h.claimed_at, h.id))
    return waiting + active


class InMemoryHandoffStore(HandoffStore):
    """Handoffs in dicts: the fake for tests. Each method is atomic (no awaits inside)."""

    def __init__(self, names: dict[int, str] | None = None) -> None:
        self._ids = itertools.count(1)
        self._note_ids = itertools.count(1)
        self._handoffs: dict[int, HandoffView] = {}
        self._notes: list[NoteView] = []
        self.names = names if names is not None else {}

    async def open(self, *, conversation_id, customer_id, channel, reason, priority, detail, now):
        existing = await self.open_for_conversation(conversation_id)
        if existing is not None:
            return existing, False
        handoff = HandoffView(
            next(self._ids), conversation_id, customer_id, channel, reason, priority, WAITING, now, dict(detail)
        )
        self._handoffs[handoff.id] = handoff
        return handoff, True

    async def record_closed(self, *, conversation_id, customer_id, channel, reason, detail, outcome, now):
        handoff = HandoffView(
            next(self._ids), conversation_id, customer_id, channel, reason, 0, CLOSED, now, dict(detail),
            outcome=outcome, closed_at=now,
        )
        self._handoffs[handoff.id] = handoff
        return handoff

    async def get(self, handoff_id):
        return self._handoffs.get(handoff_id)

    async def open_for_conversation(self, conversation_id):
        return next(
            (h for h in self._handoffs.values() if h.conversation_id == conversation_id and h.is_open), None
        )

    async def open_handoffs(self):
        return queue_sorted([h for h in self._handoffs.values() if h.is_open])

    async def waiting_order(self):
        return [(h.id, h.conversation_id) for h in await self.open_handoffs() if h.status == WAITING]

    async def position(self, handoff):
        if handoff.status != WAITING:
            return None
        return sum(
            1 for h in self._handoffs.values()
            if h.status == WAITING and h.queue_order() < handoff.queue_order()
        ) + 1

    async def follow_ups(self, limit=50):
        found = [h for h in self._handoffs.values() if h.outcome == AFTER_HOURS]
        return sorted(found, key=lambda h: (h.created_at, h.id), reverse=True)[:limit]

    async def had_reason(self, conversation_id, reason):
        return any(h.conversation_id == conversation_id and h.reason == reason for h in self._handoffs.values())

    async def claim(self, handoff_id, agent_id, now):
        handoff = self._handoffs.get(handoff_id)
        if handoff is None or handoff.status != WAITING:
            return None
        self._handoffs[handoff_id] = replace(handoff, status=ACTIVE, agent_id=agent_id, claimed_at=now)
        return self._handoffs[handoff_id]

    async def transfer(self, handoff_id, from_agent_id, to_agent_id, now):
        handoff = self._handoffs.get(handoff_id)
        if handoff is None or handoff.status != ACTIVE:
            return None
        if from_agent_id is not None and handoff.agent_id != from_agent_id:
            return None
        if to_agent_id is None:
            changed = replace(handoff, status=WAITING, agent_id=None, claimed_at=None)
        else:
            changed = replace(handoff, agent_id=to_agent_id, claimed_at=now)
        self._handoffs[handoff_id] = changed
        return changed

    async def close(self, handoff_id, agent_id, outcome, now):
        handoff = self._handoffs.get(handoff_id)
        if handoff is None or not handoff.is_open:
            return None
        if agent_id is not None and handoff.agent_id != agent_id:
            return None
        self._handoffs[handoff_id] = replace(handoff, status=CLOSED, outcome=outcome, closed_at=now)
        return self._handoffs[handoff_id]

    async def add_note(self, handoff_id, author_id, text, now):
        note = NoteView(next(self._note_ids), handoff_id, author_id, self.names.get(author_id, str(author_id)), text, now)
        self._notes.append(note)
        return note

    async def notes(self, conversation_id):
        ids = {h.id for h in self._handoffs.values() if h.conversation_id == conversation_id}
        return [n for n in self._notes if n.handoff_id in ids]

    async def add_suggestions(self, handoff_id, suggestions):
        handoff = self._handoffs.get(handoff_id)
        if handoff is not None:
            self._handoffs[handoff_id] = replace(handoff, detail=kept_suggestions.appended(handoff.detail, suggestions))

    async def suggestions(self, handoff_id):
        handoff = self._handoffs.get(handoff_id)
        return kept_suggestions.kept(handoff.detail) if handoff is not None else []

    async def change_suggestion(self, handoff_id, suggestion_id, change):
        handoff = self._handoffs.get(handoff_id)
        if handoff is None:
            return None, False
        after, done, detail = kept_suggestions.changed(handoff.detail, suggestion_id, change)
        if detail is not None:
            self._handoffs[handoff_id] = replace(handoff, detail=detail)
        return after, done
