"""Complaints area in memory: complaints, their transitions, amendments and follow-ups."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from memory import errors
from memory.api.complaints import (
    ComplaintTransition,
    ComplaintView,
    FollowUpView,
    check_amendable,
    check_transition,
)
from memory.api.provenance import Source, field_changes
from memory.fake.base import FakeBase
from memory.ids import complaint_reference


class FakeComplaints(FakeBase):
    async def _open_complaint(
        self, customer_id: str, values: dict[str, Any], *, actor: str,
        related: tuple[int, str] | None,
    ) -> ComplaintView:
        customer_id = self._resolve(customer_id)
        related_to = None
        if related is not None:
            earlier = self._find_complaint(*related)
            if earlier.customer_id != customer_id:
                raise errors.UnknownComplaint(str(related[1]))
            related_to = earlier.reference
        number = next(self._state.complaint_numbers)
        now = self._now()
        complaint = ComplaintView(
            id=number, reference=complaint_reference(number), customer_id=customer_id,
            status="open", related_to=related_to, created_at=now, updated_at=now,
            transitions=(ComplaintTransition(None, "open", now, actor, None),), **values,
        )
        self._state.complaints[number] = complaint
        return complaint

    def _find_complaint(self, number: int, reference: str) -> ComplaintView:
        complaint = self._state.complaints.get(number)
        if complaint is None:
            raise errors.UnknownComplaint(str(reference))
        return complaint

    async def _transition_complaint(
        self, number: int, reference: str, status: str, actor: str, note: str | None
    ) -> ComplaintView:
        complaint = self._find_complaint(number, reference)
        check_transition(complaint.reference, complaint.status, status)
        now = self._now()
        step = ComplaintTransition(complaint.status, status, now, actor, note)
        updated = dataclasses.replace(complaint, status=status, updated_at=now,
                                      transitions=(*complaint.transitions, step))
        self._state.complaints[complaint.id] = updated
        return updated

    async def _assign_complaint(self, number: int, reference: str, owner: str) -> ComplaintView:
        complaint = self._find_complaint(number, reference)
        updated = dataclasses.replace(complaint, owner=owner, updated_at=self._now())
        self._state.complaints[complaint.id] = updated
        return updated

    async def _complaint(self, number: int, reference: str) -> ComplaintView:
        return self._find_complaint(number, reference)

    async def _complaints(
        self, customer_id: str | None, status: str | None, owner: str | None, limit: int
    ) -> list[ComplaintView]:
        if customer_id is not None:
            customer_id = self._resolve(customer_id)
        found = [
            c for c in self._state.complaints.values()
            if (customer_id is None or c.customer_id == customer_id)
            and (status is None or c.status == status) and (owner is None or c.owner == owner)
        ]
        found.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return found[:limit]

    async def _schedule_follow_up(
        self, number: int, reference: str, values: dict[str, Any]
    ) -> FollowUpView:
        complaint = self._find_complaint(number, reference)
        follow_up = FollowUpView(
            id=self._state.next_id(), complaint_reference=complaint.reference,
            customer_id=complaint.customer_id, created_at=self._now(), **values,
        )
        self._state.follow_ups[follow_up.id] = follow_up
        return follow_up

    async def _complete_follow_up(self, follow_up_id: int, actor: str) -> FollowUpView:
        follow_up = self._state.follow_ups.get(follow_up_id)
        if follow_up is None:
            raise errors.NotFound(f"unknown follow-up {follow_up_id!r}")
        if follow_up.done_at is None:
            follow_up = dataclasses.replace(follow_up, done_at=self._now(), done_by=actor)
            self._state.follow_ups[follow_up_id] = follow_up
        return follow_up

    async def _follow_ups(
        self, customer_id: str | None, due_before: datetime | None, include_done: bool, limit: int
    ) -> list[FollowUpView]:
        if customer_id is not None:
            customer_id = self._resolve(customer_id)
        found = [
            f for f in self._state.follow_ups.values()
            if (customer_id is None or f.customer_id == customer_id)
            and (due_before is None or f.due_at < due_before)
            and (include_done or f.done_at is None)
        ]
        return sorted(found, key=lambda f: (f.due_at, f.id))[:limit]

    async def _amend_complaint(
        self, number: int, reference: str, actor: str, source: Source | None,
        wanted: dict[str, Any],
    ) -> ComplaintView:
        complaint = self._state.complaints.get(number)
        if complaint is None:
            raise errors.UnknownComplaint(str(reference))
        changes = field_changes(complaint, wanted)
        check_amendable(complaint.reference, complaint.status, [c[0] for c in changes])
        if changes:
            complaint = self._amended(complaint, changes, actor, source)
            complaint = dataclasses.replace(complaint, updated_at=complaint.changes[-1].at)
            self._state.complaints[number] = complaint
        return complaint

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        state = self._state
        for number, complaint in list(state.complaints.items()):
            if complaint.customer_id == from_id:
                state.complaints[number] = dataclasses.replace(complaint, customer_id=to_id)
        for key, follow_up in list(state.follow_ups.items()):
            if follow_up.customer_id == from_id:
                state.follow_ups[key] = dataclasses.replace(follow_up, customer_id=to_id)
        super()._move_customer_data(from_id, to_id)

    def _erase_customer_data(self, customer_id: str) -> dict[str, int]:
        state = self._state
        numbers = [n for n, c in state.complaints.items() if c.customer_id == customer_id]
        for number in numbers:
            del state.complaints[number]
        for key in [k for k, f in state.follow_ups.items() if f.customer_id == customer_id]:
            del state.follow_ups[key]
        return {"complaints": len(numbers), **super()._erase_customer_data(customer_id)}
