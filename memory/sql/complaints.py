"""Complaints area on SQL: complaints, their transitions, amendments and follow-ups."""
from __future__ import annotations

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
from memory.ids import complaint_reference
from memory.sql.base import SqlBase, changes_by_owner, history_rows, source_of
from memory.sql.models.complaints import Complaint
from memory.sql.unit_of_work import UnitOfWork


def follow_up_view(row) -> FollowUpView:
    return FollowUpView(
        row.id, complaint_reference(row.complaint_id), row.customer_id, row.due_at,
        row.created_at, row.created_by, row.note, row.done_at, row.done_by,
    )


def complaint_views(uow: UnitOfWork, rows) -> list[ComplaintView]:
    steps: dict[int, list[ComplaintTransition]] = {}
    for step in uow.complaints.transitions([row.id for row in rows]):
        steps.setdefault(step.complaint_id, []).append(
            ComplaintTransition(step.from_status, step.to_status, step.at, step.actor, step.note)
        )
    changes = changes_by_owner(uow.complaints.changes, [r.id for r in rows if r.amended_at])
    return [
        ComplaintView(
            id=row.id, reference=complaint_reference(row.id), customer_id=row.customer_id,
            category=row.category, description=row.description, severity=row.severity,
            status=row.status, owner=row.owner, product_ref=row.product_ref,
            order_ref=row.order_ref,
            related_to=complaint_reference(row.related_to) if row.related_to else None,
            source=source_of(row), created_at=row.created_at, updated_at=row.updated_at,
            transitions=tuple(steps.get(row.id, ())), changes=changes.get(row.id, ()),
        )
        for row in rows
    ]


class SqlComplaints(SqlBase):
    async def _open_complaint(
        self, customer_id: str, values: dict[str, Any], *, actor: str,
        related: tuple[int, str] | None,
    ) -> ComplaintView:
        related_number, related_to = related if related is not None else (None, None)
        now = self._now()
        values.update(values.pop("source").as_dict(), status="open", created_at=now,
                      updated_at=now)

        def open_(uow: UnitOfWork) -> ComplaintView:
            live_id = uow.customers.resolve(customer_id, lock=True)
            if related_number is not None:
                earlier = uow.complaints.first(Complaint.id == related_number)
                if earlier is None or earlier.customer_id != live_id:
                    raise errors.UnknownComplaint(str(related_to))
            complaint_id = uow.complaints.add(
                {"customer_id": live_id, "related_to": related_number, **values}
            )
            uow.complaints.add_transition(
                complaint_id,
                {"from_status": None, "to_status": "open", "at": now, "actor": actor, "note": None},
            )
            [view] = complaint_views(uow, [uow.complaints.get(complaint_id)])
            uow.commit()
            return view

        return await self._write(open_)

    async def _transition_complaint(
        self, number: int, reference: str, status: str, actor: str, note: str | None
    ) -> ComplaintView:
        def move(uow: UnitOfWork) -> ComplaintView:
            row = uow.complaints.get_for_update(number)
            if row is None:
                raise errors.UnknownComplaint(str(reference))
            check_transition(complaint_reference(number), row.status, status)
            now = self._now()
            uow.complaints.update({"status": status, "updated_at": now}, Complaint.id == number)
            uow.complaints.add_transition(
                number,
                {"from_status": row.status, "to_status": status, "at": now, "actor": actor,
                 "note": note},
            )
            [view] = complaint_views(uow, [uow.complaints.get(number)])
            uow.commit()
            return view

        return await self._write(move)

    async def _assign_complaint(self, number: int, reference: str, owner: str) -> ComplaintView:
        def assign(uow: UnitOfWork) -> ComplaintView:
            changed = uow.complaints.update(
                {"owner": owner, "updated_at": self._now()}, Complaint.id == number
            )
            if not changed:
                raise errors.UnknownComplaint(str(reference))
            [view] = complaint_views(uow, [uow.complaints.get(number)])
            uow.commit()
            return view

        return await self._write(assign)

    async def _complaint(self, number: int, reference: str) -> ComplaintView:
        def read(uow: UnitOfWork) -> ComplaintView:
            row = uow.complaints.first(Complaint.id == number)
            if row is None:
                raise errors.UnknownComplaint(str(reference))
            return complaint_views(uow, [row])[0]

        return await self._read(read)

    async def _complaints(
        self, customer_id: str | None, status: str | None, owner: str | None, limit: int
    ) -> list[ComplaintView]:
        def read(uow: UnitOfWork) -> list[ComplaintView]:
            live_id = None if customer_id is None else uow.customers.resolve(customer_id)
            return complaint_views(uow, uow.complaints.search(live_id, status, owner, limit))

        return await self._read(read)

    async def _schedule_follow_up(
        self, number: int, reference: str, values: dict[str, Any]
    ) -> FollowUpView:
        values["created_at"] = self._now()

        def schedule(uow: UnitOfWork) -> FollowUpView:
            complaint = uow.complaints.first(Complaint.id == number)
            if complaint is None:
                raise errors.UnknownComplaint(str(reference))
            row = uow.complaints.add_follow_up(
                {"complaint_id": number, "customer_id": complaint.customer_id, **values}
            )
            uow.commit()
            return follow_up_view(row)

        return await self._write(schedule)

    async def _complete_follow_up(self, follow_up_id: int, actor: str) -> FollowUpView:
        def complete(uow: UnitOfWork) -> FollowUpView:
            if uow.complaints.follow_up(follow_up_id) is None:
                raise errors.NotFound(f"unknown follow-up {follow_up_id!r}")
            uow.complaints.complete_follow_up(follow_up_id, self._now(), actor)
            row = uow.complaints.follow_up(follow_up_id)
            uow.commit()
            return follow_up_view(row)

        return await self._write(complete)

    async def _follow_ups(
        self, customer_id: str | None, due_before: datetime | None, include_done: bool, limit: int
    ) -> list[FollowUpView]:
        def read(uow: UnitOfWork) -> list[FollowUpView]:
            live_id = None if customer_id is None else uow.customers.resolve(customer_id)
            rows = uow.complaints.follow_ups(live_id, due_before, include_done, limit)
            return [follow_up_view(row) for row in rows]

        return await self._read(read)

    async def _amend_complaint(
        self, number: int, reference: str, actor: str, source: Source | None,
        wanted: dict[str, Any],
    ) -> ComplaintView:
        at = self._now()

        def amend(uow: UnitOfWork) -> ComplaintView:
            row = uow.complaints.get_for_update(number)
            if row is None:
                raise errors.UnknownComplaint(str(reference))
            changes = field_changes(row, wanted)
            check_amendable(complaint_reference(number), row.status, [c[0] for c in changes])
            if changes:
                uow.complaints.update(
                    {**{name: new for name, _, new in changes}, "updated_at": at,
                     "amended_at": at},
                    Complaint.id == number,
                )
                uow.complaints.changes.add(number, history_rows(changes, at, actor, source))
            [view] = complaint_views(uow, [uow.complaints.get(number)])
            uow.commit()
            return view

        return await self._write(amend)
