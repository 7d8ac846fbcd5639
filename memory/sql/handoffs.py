"""Handoffs area on SQL: the handoff queue and notes in the profile database.

Claiming is one conditional UPDATE (`... WHERE id = :id AND status = 'waiting'`): the
database lets exactly one of two racing agents change the row. A partial unique index
keeps one open handoff per conversation even when two gateways queue it at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from memory.api.handoffs import (
    ACTIVE, AFTER_HOURS, CLOSED, WAITING, HandoffStore, HandoffView, NoteView, appended, changed,
    kept, queue_sorted,
)
from memory.sql.models.handoffs import Handoff, HandoffNote
from memory.sql.models.staff import StaffAccount
from memory.sql.unit_of_work import Transactions

_COLUMNS = (
    Handoff.id, Handoff.conversation_id, Handoff.customer_id, Handoff.channel, Handoff.reason,
    Handoff.priority, Handoff.status, Handoff.created_at, Handoff.detail, Handoff.agent_id,
    Handoff.outcome, Handoff.claimed_at, Handoff.closed_at,
)


def _view(row) -> HandoffView:
    return HandoffView(
        id=row.id, conversation_id=row.conversation_id, customer_id=row.customer_id,
        channel=row.channel, reason=row.reason, priority=row.priority, status=row.status,
        created_at=row.created_at, detail=dict(row.detail or {}), agent_id=row.agent_id,
        outcome=row.outcome, claimed_at=row.claimed_at, closed_at=row.closed_at,
    )


# Statements on the per-message path are built once, with bound parameters: building a
# select costs more than running it on SQLite.
_BY_ID = select(*_COLUMNS).where(Handoff.id == bindparam("handoff_id"))
_OPEN_FOR = select(*_COLUMNS).where(
    Handoff.conversation_id == bindparam("conversation_id"), Handoff.status != CLOSED
)
_OPEN = select(*_COLUMNS).where(Handoff.status.in_((WAITING, ACTIVE)))
_WAITING_ORDER = (
    select(Handoff.id, Handoff.conversation_id)
    .where(Handoff.status == WAITING)
    .order_by(Handoff.priority.desc(), Handoff.created_at, Handoff.id)
)
_AHEAD = select(func.count()).select_from(Handoff).where(
    Handoff.status == WAITING,
    or_(
        Handoff.priority > bindparam("priority"),
        and_(
            Handoff.priority == bindparam("priority"),
            or_(
                Handoff.created_at < bindparam("created_at"),
                and_(Handoff.created_at == bindparam("created_at"), Handoff.id < bindparam("handoff_id")),
            ),
        ),
    ),
)


def _one(connection: Connection, handoff_id: int) -> HandoffView | None:
    row = connection.execute(_BY_ID, {"handoff_id": handoff_id}).first()
    return None if row is None else _view(row)


def _open_for(connection: Connection, conversation_id: str) -> HandoffView | None:
    row = connection.execute(_OPEN_FOR, {"conversation_id": conversation_id}).first()
    return None if row is None else _view(row)


class SqlHandoffStore(Transactions, HandoffStore):
    async def open(self, *, conversation_id, customer_id, channel, reason, priority, detail, now):
        def add(connection: Connection) -> tuple[HandoffView, bool]:
            existing = _open_for(connection, conversation_id)
            if existing is not None:
                return existing, False
            handoff_id = connection.execute(
                insert(Handoff).values(
                    conversation_id=conversation_id, customer_id=customer_id, channel=channel,
                    reason=reason, priority=priority, detail=detail, status=WAITING, created_at=now,
                ).returning(Handoff.id)
            ).scalar_one()
            return _one(connection, handoff_id), True

        try:
            return await self._write(add)
        except IntegrityError:
            # Another gateway queued the same conversation a moment ago: theirs stands.
            existing = await self.open_for_conversation(conversation_id)
            if existing is None:
                raise
            return existing, False

    async def record_closed(self, *, conversation_id, customer_id, channel, reason, detail, outcome, now):
        def add(connection: Connection) -> HandoffView:
            handoff_id = connection.execute(
                insert(Handoff).values(
                    conversation_id=conversation_id, customer_id=customer_id, channel=channel,
                    reason=reason, priority=0, detail=detail, status=CLOSED, outcome=outcome,
                    created_at=now, closed_at=now,
                ).returning(Handoff.id)
            ).scalar_one()
            return _one(connection, handoff_id)

        return await self._write(add)

    async def get(self, handoff_id):
        return await self._read(lambda c: _one(c, handoff_id))

    async def open_for_conversation(self, conversation_id):
        return await self._read(lambda c: _open_for(c, conversation_id))

    async def open_handoffs(self):
        return await self._read(lambda c: queue_sorted([_view(row) for row in c.execute(_OPEN)]))

    async def waiting_order(self):
        return await self._read(lambda c: [(row.id, row.conversation_id) for row in c.execute(_WAITING_ORDER)])

    async def position(self, handoff):
        if handoff.status != WAITING:
            return None
        parameters = {"priority": handoff.priority, "created_at": handoff.created_at, "handoff_id": handoff.id}
        return await self._read(lambda c: c.execute(_AHEAD, parameters).scalar_one() + 1)

    async def follow_ups(self, limit=50):
        statement = (
            select(*_COLUMNS).where(Handoff.outcome == AFTER_HOURS)
            .order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(limit)
        )
        return await self._read(lambda c: [_view(row) for row in c.execute(statement)])

    async def had_reason(self, conversation_id, reason):
        return await self._read(lambda c: c.execute(select(exists().where(
            Handoff.conversation_id == conversation_id, Handoff.reason == reason
        ))).scalar())

    async def _change(self, handoff_id: int, conditions, values) -> HandoffView | None:
        def change(connection: Connection) -> HandoffView | None:
            result = connection.execute(
                update(Handoff).where(Handoff.id == handoff_id, *conditions).values(**values)
            )
            return _one(connection, handoff_id) if result.rowcount == 1 else None

        return await self._write(change)

    async def claim(self, handoff_id, agent_id, now):
        return await self._change(
            handoff_id, [Handoff.status == WAITING],
            {"status": ACTIVE, "agent_id": agent_id, "claimed_at": now},
        )

    async def transfer(self, handoff_id, from_agent_id, to_agent_id, now):
        conditions = [Handoff.status == ACTIVE]
        if from_agent_id is not None:
            conditions.append(Handoff.agent_id == from_agent_id)
        if to_agent_id is None:
            values = {"status": WAITING, "agent_id": None, "claimed_at": None}
        else:
            values = {"agent_id": to_agent_id, "claimed_at": now}
        return await self._change(handoff_id, conditions, values)

    async def close(self, handoff_id, agent_id, outcome, now):
        conditions = [Handoff.status != CLOSED]
        if agent_id is not None:
            conditions.append(Handoff.agent_id == agent_id)
        return await self._change(
            handoff_id, conditions, {"status": CLOSED, "outcome": outcome, "closed_at": now}
        )

    async def add_note(self, handoff_id, author_id, text, now):
        def add(connection: Connection) -> NoteView:
            note_id = connection.execute(
                insert(HandoffNote).values(handoff_id=handoff_id, author_id=author_id, text=text, created_at=now)
                .returning(HandoffNote.id)
            ).scalar_one()
            name = connection.execute(
                select(StaffAccount.display_name).where(StaffAccount.id == author_id)
            ).scalar_one()
            return NoteView(note_id, handoff_id, author_id, name, text, now)

        return await self._write(add)

    async def notes(self, conversation_id):
        def read(connection: Connection) -> list[NoteView]:
            rows = connection.execute(
                select(
                    HandoffNote.id, HandoffNote.handoff_id, HandoffNote.author_id,
                    StaffAccount.display_name, HandoffNote.text, HandoffNote.created_at,
                )
                .join(Handoff, Handoff.id == HandoffNote.handoff_id)
                .join(StaffAccount, StaffAccount.id == HandoffNote.author_id)
                .where(Handoff.conversation_id == conversation_id)
                .order_by(HandoffNote.id)
            )
            return [NoteView(r.id, r.handoff_id, r.author_id, r.display_name, r.text, r.created_at) for r in rows]

        return await self._read(read)

    # Suggestions live in the handoff's detail document: read and rewritten in one
    # transaction with the row locked (FOR UPDATE on PostgreSQL; SQLite has one writer).

    async def _rewrite_detail(self, handoff_id: int, rewrite):
        def run(connection: Connection):
            detail = connection.execute(
                select(Handoff.detail).where(Handoff.id == handoff_id).with_for_update()
            ).scalar_one_or_none()
            result, new_detail = rewrite(dict(detail or {}))
            if new_detail is not None:
                connection.execute(update(Handoff).where(Handoff.id == handoff_id).values(detail=new_detail))
            return result

        return await self._write(run)

    async def add_suggestions(self, handoff_id, suggestions):
        await self._rewrite_detail(handoff_id, lambda detail: (None, appended(detail, suggestions)))

    async def suggestions(self, handoff_id):
        detail = await self._read(lambda c: c.execute(
            select(Handoff.detail).where(Handoff.id == handoff_id)
        ).scalar_one_or_none())
        return kept(detail or {})

    async def change_suggestion(self, handoff_id, suggestion_id, change):
        def rewrite(detail):
            after, done, new_detail = changed(detail, suggestion_id, change)
            return (after, done), new_detail

        return await self._rewrite_detail(handoff_id, rewrite)
