"""Needs, complaints and satisfaction on SQL."""
from __future__ import annotations

from memory import crm_input, errors, validation
from memory.crm_views import (
    COMPLAINT_STATUSES,
    ComplaintTransition,
    ComplaintView,
    FieldChange,
    FollowUpView,
    NeedView,
    SatisfactionReading,
    SatisfactionTrend,
)
from memory.ids import complaint_reference
from memory.rules import check_limit, check_transition, trend_of
from memory.sql.base import SqlBase
from memory.sql.models_crm import Complaint
from memory.sql.unit_of_work import UnitOfWork
from memory.views import Source


def source_of(row) -> Source:
    return Source(row.channel, row.conversation_id, row.message_id, row.actor)


def change_view(row) -> FieldChange:
    source = (None if row.channel is None else
              Source(row.channel, row.conversation_id, row.message_id, row.source_actor))
    return FieldChange(row.field, row.old_value, row.new_value, row.at, row.actor, source)


def changes_by_owner(log, owner_ids: list[int]) -> dict[int, tuple[FieldChange, ...]]:
    """The amendments of each need or complaint (see repositories_crm.ChangeLog), oldest first."""
    found: dict[int, list[FieldChange]] = {}
    for row in log.for_owners(owner_ids):
        found.setdefault(getattr(row, log.owner_key), []).append(change_view(row))
    return {key: tuple(changes) for key, changes in found.items()}


def need_view(row, changes: tuple[FieldChange, ...] = ()) -> NeedView:
    return NeedView(
        row.id, row.customer_id, row.category, row.product, row.budget, row.timeframe,
        row.words, source_of(row), row.created_at, changes,
    )


def need_views(uow: UnitOfWork, rows) -> list[NeedView]:
    changes = changes_by_owner(uow.needs.changes, [r.id for r in rows if r.amended_at])
    return [need_view(row, changes.get(row.id, ())) for row in rows]


def reading_view(row) -> SatisfactionReading:
    return SatisfactionReading(
        row.id, row.customer_id, row.level, source_of(row), row.created_at, row.comment
    )


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


class SqlCrm(SqlBase):
    async def add_need(self, customer_id, *, category, words, source, product=None, budget=None,
                       timeframe=None) -> NeedView:
        values = crm_input.need(category, words, source, product, budget, timeframe)
        values.update(values.pop("source").as_dict(), created_at=self._now())

        def add(uow: UnitOfWork) -> NeedView:
            live_id = uow.customers.resolve(customer_id, lock=True)
            row = uow.needs.get(uow.needs.add({"customer_id": live_id, **values}))
            uow.commit()
            return need_view(row)

        return await self._write(add)

    async def needs(self, customer_id: str) -> list[NeedView]:
        def read(uow: UnitOfWork) -> list[NeedView]:
            return need_views(uow, uow.needs.for_customer(uow.customers.resolve(customer_id)))

        return await self._read(read)

    async def open_complaint(self, customer_id, *, category, description, source,
                             severity="medium", product_ref=None, order_ref=None,
                             related_to=None, owner=None, actor=None) -> ComplaintView:
        values = crm_input.complaint(category, description, source, severity, product_ref,
                                     order_ref, owner, actor)
        related_number = None if related_to is None else crm_input.reference_number(related_to)
        actor = values.pop("actor")
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

    async def transition_complaint(self, reference, status, *, actor, note=None) -> ComplaintView:
        status = validation.choice("status", status, COMPLAINT_STATUSES)
        actor = validation.name("actor", actor)
        note = validation.optional_text("note", note, validation.MAX_LONG_TEXT)
        number = crm_input.reference_number(reference)

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

    async def assign_complaint(self, reference, owner, *, actor) -> ComplaintView:
        owner = validation.name("owner", owner)
        validation.name("actor", actor)
        number = crm_input.reference_number(reference)

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

    async def complaint(self, reference: str) -> ComplaintView:
        number = crm_input.reference_number(reference)

        def read(uow: UnitOfWork) -> ComplaintView:
            row = uow.complaints.first(Complaint.id == number)
            if row is None:
                raise errors.UnknownComplaint(str(reference))
            return complaint_views(uow, [row])[0]

        return await self._read(read)

    async def complaints(self, customer_id=None, *, status=None, owner=None,
                         limit=200) -> list[ComplaintView]:
        limit = check_limit(limit)

        def read(uow: UnitOfWork) -> list[ComplaintView]:
            live_id = None if customer_id is None else uow.customers.resolve(customer_id)
            return complaint_views(uow, uow.complaints.search(live_id, status, owner, limit))

        return await self._read(read)

    async def schedule_follow_up(self, reference, *, due_at, actor, note=None) -> FollowUpView:
        values = crm_input.follow_up(due_at, actor, note)
        number = crm_input.reference_number(reference)
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

    async def complete_follow_up(self, follow_up_id: int, *, actor: str) -> FollowUpView:
        actor = validation.name("actor", actor)

        def complete(uow: UnitOfWork) -> FollowUpView:
            if not isinstance(follow_up_id, int) or uow.complaints.follow_up(follow_up_id) is None:
                raise errors.NotFound(f"unknown follow-up {follow_up_id!r}")
            uow.complaints.complete_follow_up(follow_up_id, self._now(), actor)
            row = uow.complaints.follow_up(follow_up_id)
            uow.commit()
            return follow_up_view(row)

        return await self._write(complete)

    async def follow_ups(self, customer_id=None, *, due_before=None, include_done=False,
                         limit=200) -> list[FollowUpView]:
        limit = check_limit(limit)

        def read(uow: UnitOfWork) -> list[FollowUpView]:
            live_id = None if customer_id is None else uow.customers.resolve(customer_id)
            rows = uow.complaints.follow_ups(live_id, due_before, include_done, limit)
            return [follow_up_view(row) for row in rows]

        return await self._read(read)

    async def record_satisfaction(self, customer_id, level, *, source: Source,
                                  comment=None) -> SatisfactionReading:
        values = crm_input.satisfaction(level, source, comment)
        values.update(values.pop("source").as_dict(), created_at=self._now())

        def add(uow: UnitOfWork) -> SatisfactionReading:
            live_id = uow.customers.resolve(customer_id, lock=True)
            row = uow.satisfaction.get(uow.satisfaction.add({"customer_id": live_id, **values}))
            uow.commit()
            return reading_view(row)

        return await self._write(add)

    async def satisfaction(self, customer_id: str) -> list[SatisfactionReading]:
        def read(uow: UnitOfWork) -> list[SatisfactionReading]:
            live_id = uow.customers.resolve(customer_id)
            return [reading_view(r) for r in uow.satisfaction.for_customer(live_id)]

        return await self._read(read)

    async def satisfaction_trend(self, customer_id: str, *, last: int = 5) -> SatisfactionTrend:
        last = check_limit(last)
        return trend_of((await self.satisfaction(customer_id))[:last])
