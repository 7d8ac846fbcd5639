"""Needs, complaints and satisfaction in memory."""
from __future__ import annotations

import dataclasses

from memory import crm_input, errors, validation
from memory.crm_views import (
    ComplaintTransition,
    ComplaintView,
    FollowUpView,
    NeedView,
    SatisfactionReading,
    SatisfactionTrend,
)
from memory.fake.base import FakeBase
from memory.ids import complaint_reference
from memory.rules import check_limit, check_transition, trend_of
from memory.views import Source


class FakeCrm(FakeBase):
    async def add_need(self, customer_id, *, category, words, source, product=None, budget=None,
                       timeframe=None) -> NeedView:
        values = crm_input.need(category, words, source, product, budget, timeframe)
        customer_id = self._resolve(customer_id)
        need = NeedView(id=self._state.next_id(), customer_id=customer_id,
                        created_at=self._now(), **values)
        self._state.needs.setdefault(customer_id, []).append(need)
        return need

    async def needs(self, customer_id: str) -> list[NeedView]:
        customer_id = self._resolve(customer_id)
        return sorted(self._state.needs.get(customer_id, []),
                      key=lambda n: (n.created_at, n.id), reverse=True)

    async def open_complaint(self, customer_id, *, category, description, source,
                             severity="medium", product_ref=None, order_ref=None,
                             related_to=None, owner=None, actor=None) -> ComplaintView:
        values = crm_input.complaint(category, description, source, severity, product_ref,
                                     order_ref, owner, actor)
        customer_id = self._resolve(customer_id)
        if related_to is not None:
            earlier = self._complaint(related_to)
            if earlier.customer_id != customer_id:
                raise errors.UnknownComplaint(str(related_to))
            related_to = earlier.reference
        actor = values.pop("actor")
        number = next(self._state.complaint_numbers)
        now = self._now()
        complaint = ComplaintView(
            id=number, reference=complaint_reference(number), customer_id=customer_id,
            status="open", related_to=related_to, created_at=now, updated_at=now,
            transitions=(ComplaintTransition(None, "open", now, actor, None),), **values,
        )
        self._state.complaints[number] = complaint
        return complaint

    def _complaint(self, reference: str) -> ComplaintView:
        complaint = self._state.complaints.get(crm_input.reference_number(reference))
        if complaint is None:
            raise errors.UnknownComplaint(str(reference))
        return complaint

    async def transition_complaint(self, reference, status, *, actor, note=None) -> ComplaintView:
        status = validation.choice("status", status, ("open", "in_progress", "resolved",
                                                      "reopened"))
        actor = validation.name("actor", actor)
        note = validation.optional_text("note", note, validation.MAX_LONG_TEXT)
        complaint = self._complaint(reference)
        check_transition(complaint.reference, complaint.status, status)
        now = self._now()
        step = ComplaintTransition(complaint.status, status, now, actor, note)
        updated = dataclasses.replace(complaint, status=status, updated_at=now,
                                      transitions=(*complaint.transitions, step))
        self._state.complaints[complaint.id] = updated
        return updated

    async def assign_complaint(self, reference, owner, *, actor) -> ComplaintView:
        owner = validation.name("owner", owner)
        validation.name("actor", actor)
        complaint = self._complaint(reference)
        updated = dataclasses.replace(complaint, owner=owner, updated_at=self._now())
        self._state.complaints[complaint.id] = updated
        return updated

    async def complaint(self, reference: str) -> ComplaintView:
        return self._complaint(reference)

    async def complaints(self, customer_id=None, *, status=None, owner=None,
                         limit=200) -> list[ComplaintView]:
        limit = check_limit(limit)
        if customer_id is not None:
            customer_id = self._resolve(customer_id)
        found = [
            c for c in self._state.complaints.values()
            if (customer_id is None or c.customer_id == customer_id)
            and (status is None or c.status == status) and (owner is None or c.owner == owner)
        ]
        found.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return found[:limit]

    async def schedule_follow_up(self, reference, *, due_at, actor, note=None) -> FollowUpView:
        values = crm_input.follow_up(due_at, actor, note)
        complaint = self._complaint(reference)
        follow_up = FollowUpView(
            id=self._state.next_id(), complaint_reference=complaint.reference,
            customer_id=complaint.customer_id, created_at=self._now(), **values,
        )
        self._state.follow_ups[follow_up.id] = follow_up
        return follow_up

    async def complete_follow_up(self, follow_up_id: int, *, actor: str) -> FollowUpView:
        actor = validation.name("actor", actor)
        follow_up = self._state.follow_ups.get(follow_up_id)
        if follow_up is None:
            raise errors.NotFound(f"unknown follow-up {follow_up_id!r}")
        if follow_up.done_at is None:
            follow_up = dataclasses.replace(follow_up, done_at=self._now(), done_by=actor)
            self._state.follow_ups[follow_up_id] = follow_up
        return follow_up

    async def follow_ups(self, customer_id=None, *, due_before=None, include_done=False,
                         limit=200) -> list[FollowUpView]:
        limit = check_limit(limit)
        if customer_id is not None:
            customer_id = self._resolve(customer_id)
        found = [
            f for f in self._state.follow_ups.values()
            if (customer_id is None or f.customer_id == customer_id)
            and (due_before is None or f.due_at < due_before)
            and (include_done or f.done_at is None)
        ]
        return sorted(found, key=lambda f: (f.due_at, f.id))[:limit]

    async def record_satisfaction(self, customer_id, level, *, source: Source,
                                  comment=None) -> SatisfactionReading:
        values = crm_input.satisfaction(level, source, comment)
        customer_id = self._resolve(customer_id)
        reading = SatisfactionReading(id=self._state.next_id(), customer_id=customer_id,
                                      created_at=self._now(), **values)
        self._state.satisfaction.setdefault(customer_id, []).append(reading)
        return reading

    async def satisfaction(self, customer_id: str) -> list[SatisfactionReading]:
        customer_id = self._resolve(customer_id)
        return sorted(self._state.satisfaction.get(customer_id, []),
                      key=lambda r: (r.created_at, r.id), reverse=True)

    async def satisfaction_trend(self, customer_id: str, *, last: int = 5) -> SatisfactionTrend:
        readings = (await self.satisfaction(customer_id))[: check_limit(last)]
        return trend_of(readings)

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        state = self._state
        for table in (state.needs, state.satisfaction):
            moved = [dataclasses.replace(r, customer_id=to_id) for r in table.pop(from_id, [])]
            table.setdefault(to_id, []).extend(moved)
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
        return {
            "needs": len(state.needs.pop(customer_id, [])),
            "complaints": len(numbers),
            "satisfaction": len(state.satisfaction.pop(customer_id, [])),
            **super()._erase_customer_data(customer_id),
        }

