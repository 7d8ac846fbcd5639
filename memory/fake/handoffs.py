"""The handoff queue and notes in dicts: the fake for tests."""

from __future__ import annotations

import itertools
from dataclasses import replace

from memory.api.handoffs import (
    ACTIVE, AFTER_HOURS, CLOSED, WAITING, HandoffStore, HandoffView, NoteView, appended, changed,
    kept, queue_sorted,
)


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
            self._handoffs[handoff_id] = replace(handoff, detail=appended(handoff.detail, suggestions))

    async def suggestions(self, handoff_id):
        handoff = self._handoffs.get(handoff_id)
        return kept(handoff.detail) if handoff is not None else []

    async def change_suggestion(self, handoff_id, suggestion_id, change):
        handoff = self._handoffs.get(handoff_id)
        if handoff is None:
            return None, False
        after, done, detail = changed(handoff.detail, suggestion_id, change)
        if detail is not None:
            self._handoffs[handoff_id] = replace(handoff, detail=detail)
        return after, done
