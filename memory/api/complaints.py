"""Complaints area: complaints with their lifecycle, owner, amendments and follow-ups.

The interface checks every input once, then calls the storage step that the fake and
SQL stores implement. The lifecycle rules below run inside the storage step, against
the complaint as it is stored.
"""
from __future__ import annotations

import abc
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from memory import errors
from memory.api import validation
from memory.api.provenance import UNCHANGED, FieldChange, Source, Unchanged, default_actor, requested
from memory.ids import complaint_number


class ComplaintStatus(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REOPENED = "reopened"


COMPLAINT_STATUSES = tuple(status.value for status in ComplaintStatus)


class Severity(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITIES = tuple(severity.value for severity in Severity)


@dataclass(frozen=True)
class ComplaintTransition:
    from_status: str | None
    to_status: str
    at: datetime
    actor: str
    note: str | None


@dataclass(frozen=True)
class ComplaintView:
    id: int
    reference: str
    customer_id: str
    category: str
    description: str
    severity: str
    status: str
    owner: str | None
    product_ref: str | None
    order_ref: str | None
    related_to: str | None
    source: Source
    created_at: datetime
    updated_at: datetime
    transitions: tuple[ComplaintTransition, ...] = ()
    # Every amendment of its fields, oldest first (status moves are in `transitions`).
    changes: tuple[FieldChange, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintStatus.RESOLVED.value


@dataclass(frozen=True)
class FollowUpView:
    """A promise to get back to the customer about a complaint by `due_at`."""

    id: int
    complaint_reference: str
    customer_id: str
    due_at: datetime
    created_at: datetime
    created_by: str
    note: str | None
    done_at: datetime | None = None
    done_by: str | None = None


# Lifecycle: open -> in_progress -> resolved, and resolved -> reopened.
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "resolved"}),
    "in_progress": frozenset({"resolved"}),
    "resolved": frozenset({"reopened"}),
    "reopened": frozenset({"in_progress", "resolved"}),
}


def check_transition(reference: str, current: str, wanted: str) -> None:
    if wanted not in COMPLAINT_TRANSITIONS.get(current, frozenset()):
        raise errors.InvalidTransition(reference, current, wanted)


# A resolved complaint may still get the details that complete its record (the order it
# was about, the customer's fuller words): the customer often answers a follow-up question
# after an agent closed it. How it was classified and handled (category, severity,
# product) changes only after it is reopened, so resolved figures do not shift under staff.
AMENDABLE_WHEN_RESOLVED = frozenset({"order_ref", "description"})


def check_amendable(reference: str, status: str, changed: list[str]) -> None:
    refused = [name for name in changed if name not in AMENDABLE_WHEN_RESOLVED]
    if status == "resolved" and refused:
        raise errors.ComplaintResolved(reference, refused)


# One check per field, shared by open_complaint and amend_complaint.
COMPLAINT_FIELDS: dict[str, Callable[[object], Any]] = {
    "category": lambda v: validation.text("category", v, validation.MAX_LABEL),
    "severity": lambda v: validation.choice("severity", v, SEVERITIES),
    "product_ref": lambda v: validation.optional_text("product_ref", v, validation.MAX_SHORT_TEXT),
    "order_ref": lambda v: validation.optional_text("order_ref", v, validation.MAX_SHORT_TEXT),
    "description": lambda v: validation.text("description", v, validation.MAX_LONG_TEXT),
}


def reference_number(reference: object) -> int:
    number = complaint_number(reference)  # type: ignore[arg-type]
    if number is None:
        raise errors.UnknownComplaint(str(reference))
    return number


class ComplaintStore(abc.ABC):
    """Complaints. `reference` is always as the caller gave it (for error messages);
    the storage steps find the complaint by its `number`."""

    async def open_complaint(
        self, customer_id: str, *, category: str, description: str, source: Source,
        severity: str = "medium", product_ref: str | None = None, order_ref: str | None = None,
        related_to: str | None = None, owner: str | None = None, actor: str | None = None,
    ) -> ComplaintView:
        """Open a complaint; it gets a reference like "C-000123". `related_to` names an
        earlier complaint of the same customer (a repeat complaint)."""
        given = {"category": category, "description": description, "severity": severity,
                 "product_ref": product_ref, "order_ref": order_ref}
        source = validation.source(source)
        values = {
            **{name: COMPLAINT_FIELDS[name](value) for name, value in given.items()},
            "source": source,
            "owner": None if owner is None else validation.name("owner", owner),
        }
        actor = validation.name("actor", actor if actor is not None else default_actor(source))
        related = None if related_to is None else (reference_number(related_to), related_to)
        return await self._open_complaint(customer_id, values, actor=actor, related=related)

    async def amend_complaint(
        self, reference: str, *, actor: str, source: Source | None = None,
        category: str | Unchanged = UNCHANGED, severity: str | Unchanged = UNCHANGED,
        order_ref: str | None | Unchanged = UNCHANGED,
        product_ref: str | None | Unchanged = UNCHANGED,
        description: str | Unchanged = UNCHANGED,
    ) -> ComplaintView:
        """Change the fields given, as amend_need does, and bump `updated_at` when
        anything changed; the old values are in `ComplaintView.changes`. Same checks as
        open_complaint. A resolved complaint takes only order_ref and description;
        changing anything else raises ComplaintResolved (reopen it first)."""
        number = reference_number(reference)
        actor = validation.name("actor", actor)
        source = validation.optional_source(source)
        wanted = requested(COMPLAINT_FIELDS, {
            "category": category, "severity": severity, "order_ref": order_ref,
            "product_ref": product_ref, "description": description,
        })
        return await self._amend_complaint(number, reference, actor, source, wanted)

    async def transition_complaint(
        self, reference: str, status: str, *, actor: str, note: str | None = None
    ) -> ComplaintView:
        """Move along open -> in_progress -> resolved (resolved -> reopened); InvalidTransition
        otherwise. Every transition is kept with its time and actor."""
        status = validation.choice("status", status, COMPLAINT_STATUSES)
        actor = validation.name("actor", actor)
        note = validation.optional_text("note", note, validation.MAX_LONG_TEXT)
        number = reference_number(reference)
        return await self._transition_complaint(number, reference, status, actor, note)

    async def assign_complaint(self, reference: str, owner: str, *, actor: str) -> ComplaintView:
        owner = validation.name("owner", owner)
        validation.name("actor", actor)
        return await self._assign_complaint(reference_number(reference), reference, owner)

    async def complaint(self, reference: str) -> ComplaintView:
        return await self._complaint(reference_number(reference), reference)

    async def complaints(
        self, customer_id: str | None = None, *, status: str | None = None,
        owner: str | None = None, limit: int = 200,
    ) -> list[ComplaintView]:
        """One customer's complaints, or everybody's (customer_id None) for the console."""
        return await self._complaints(customer_id, status, owner, validation.check_limit(limit))

    async def schedule_follow_up(
        self, reference: str, *, due_at: datetime, actor: str, note: str | None = None
    ) -> FollowUpView:
        """Promise to get back to the customer about a complaint by `due_at`."""
        if not isinstance(due_at, datetime) or due_at.tzinfo is None:
            raise errors.InvalidValue("due_at must be a timezone-aware datetime")
        values = {
            "due_at": due_at.astimezone(timezone.utc),
            "created_by": validation.name("actor", actor),
            "note": validation.optional_text("note", note, validation.MAX_LONG_TEXT),
        }
        return await self._schedule_follow_up(reference_number(reference), reference, values)

    async def complete_follow_up(self, follow_up_id: int, *, actor: str) -> FollowUpView:
        actor = validation.name("actor", actor)
        if not isinstance(follow_up_id, int):
            raise errors.NotFound(f"unknown follow-up {follow_up_id!r}")
        return await self._complete_follow_up(follow_up_id, actor)

    async def follow_ups(
        self, customer_id: str | None = None, *, due_before: datetime | None = None,
        include_done: bool = False, limit: int = 200,
    ) -> list[FollowUpView]:
        """Follow-ups, soonest due first: one customer's, or the whole work queue."""
        limit = validation.check_limit(limit)
        return await self._follow_ups(customer_id, due_before, include_done, limit)

    # Storage steps: called with checked input only.

    @abc.abstractmethod
    async def _open_complaint(
        self, customer_id: str, values: dict[str, Any], *, actor: str,
        related: tuple[int, str] | None,
    ) -> ComplaintView:
        """`values`: the checked fields, `source` and `owner`; `related`: (number, reference)."""

    @abc.abstractmethod
    async def _amend_complaint(
        self, number: int, reference: str, actor: str, source: Source | None,
        wanted: dict[str, Any],
    ) -> ComplaintView: ...

    @abc.abstractmethod
    async def _transition_complaint(
        self, number: int, reference: str, status: str, actor: str, note: str | None
    ) -> ComplaintView: ...

    @abc.abstractmethod
    async def _assign_complaint(self, number: int, reference: str, owner: str) -> ComplaintView: ...

    @abc.abstractmethod
    async def _complaint(self, number: int, reference: str) -> ComplaintView: ...

    @abc.abstractmethod
    async def _complaints(
        self, customer_id: str | None, status: str | None, owner: str | None, limit: int
    ) -> list[ComplaintView]: ...

    @abc.abstractmethod
    async def _schedule_follow_up(
        self, number: int, reference: str, values: dict[str, Any]
    ) -> FollowUpView: ...

    @abc.abstractmethod
    async def _complete_follow_up(self, follow_up_id: int, actor: str) -> FollowUpView: ...

    @abc.abstractmethod
    async def _follow_ups(
        self, customer_id: str | None, due_before: datetime | None, include_done: bool, limit: int
    ) -> list[FollowUpView]: ...
