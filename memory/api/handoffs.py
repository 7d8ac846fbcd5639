"""Handoffs area: the queue of conversations waiting for a person, and internal notes.

They share the profile database (a handoff belongs to a customer: moved on merge,
deleted on erasure); the gateway's bot.handoff is their one user. `HandoffStore` is the
interface: the SQL store (memory.sql.handoffs) and the fake (memory.fake.handoffs)
implement it. Claiming, transferring and closing are conditional: each names the state
it expects and returns None when the handoff is no longer in it, so two agents can
never both win one customer.

Suggestions (what the console offers to record from the customer's words, see
bot.handoff.suggestions) are kept in the handoff's `detail` document: both stores keep
the list with the functions below, inside their transaction.
"""

from __future__ import annotations

import abc
import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

WAITING = "waiting"
ACTIVE = "active"
CLOSED = "closed"

RESOLVED = "resolved"
HANDED_BACK = "handed_back"
AFTER_HOURS = "after_hours"
OUTCOMES = (RESOLVED, HANDED_BACK, AFTER_HOURS)

# A suggestion's life: pending, recording (an agent clicked), recorded or dismissed.
PENDING, RECORDING, RECORDED, DISMISSED = "pending", "recording", "recorded", "dismissed"
DETAIL_KEY = "suggestions"
MAX_KEPT = 100  # per handoff; the oldest decided ones go first


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    customer_id: str
    channel: str
    reason: str
    priority: int
    status: str
    created_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
    agent_id: int | None = None
    outcome: str | None = None
    claimed_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED

    def queue_order(self) -> tuple[int, datetime, int]:
        """Highest priority first, then first come, first served."""
        return (-self.priority, self.created_at, self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "customer_id": self.customer_id,
            "channel": self.channel,
            "reason": self.reason,
            "priority": self.priority,
            "status": self.status,
            "agent_id": self.agent_id,
            "outcome": self.outcome,
            "created_at": iso(self.created_at),
            "claimed_at": iso(self.claimed_at),
            "closed_at": iso(self.closed_at),
            "customer_name": self.detail.get("name"),
            "value_tier": self.detail.get("value_tier"),
            "severity": self.detail.get("severity"),
            "complaint": self.detail.get("complaint"),
            "words": self.detail.get("words"),
            "follow_up_from": self.detail.get("follow_up_from"),
        }


@dataclass(frozen=True)
class NoteView:
    id: int
    handoff_id: int
    author_id: int
    author_name: str
    text: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "handoff_id": self.handoff_id, "author_id": self.author_id,
            "author": self.author_name, "text": self.text, "created_at": iso(self.created_at),
        }


def queue_sorted(handoffs: list[HandoffView]) -> list[HandoffView]:
    waiting = sorted((h for h in handoffs if h.status == WAITING), key=HandoffView.queue_order)
    active = sorted((h for h in handoffs if h.status == ACTIVE), key=lambda h: (h.claimed_at, h.id))
    return waiting + active


def kept(detail: dict[str, Any]) -> list[dict[str, Any]]:
    found = detail.get(DETAIL_KEY)
    return copy.deepcopy(found) if isinstance(found, list) else []


def appended(detail: dict[str, Any], new: Iterable[dict[str, Any]]) -> dict[str, Any]:
    suggestions = kept(detail) + [copy.deepcopy(s) for s in new]
    while len(suggestions) > MAX_KEPT:
        oldest_decided = next((i for i, s in enumerate(suggestions) if s["status"] in (RECORDED, DISMISSED)), 0)
        del suggestions[oldest_decided]
    return {**detail, DETAIL_KEY: suggestions}


Change = Callable[[dict[str, Any]], dict[str, Any] | None]


def changed(detail: dict[str, Any], suggestion_id: str, change: Change
            ) -> tuple[dict[str, Any] | None, bool, dict[str, Any] | None]:
    """(the suggestion after, whether `change` changed it, the new detail or None).

    `change` gets a copy of the suggestion and returns its new state, or None to leave it."""
    suggestions = kept(detail)
    for index, suggestion in enumerate(suggestions):
        if suggestion.get("id") == suggestion_id:
            after = change(copy.deepcopy(suggestion))
            if after is None:
                return suggestion, False, None
            suggestions[index] = after
            return copy.deepcopy(after), True, {**detail, DETAIL_KEY: suggestions}
    return None, False, None


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
        """Keep suggestions with the handoff (see `appended`); nothing if it is gone."""

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
