"""Handoffs and internal notes as the gateway sees them, and the errors their actions raise."""

from __future__ import annotations

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


class HandoffError(Exception):
    """An agent action that cannot be done; the message is fit to show the agent."""

    status = 409


class HandoffNotFound(HandoffError):
    status = 404


class NotYours(HandoffError):
    """Someone else holds the conversation, or nobody does."""

    status = 409


class InvalidAction(HandoffError):
    status = 400


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
