"""Amending needs and complaints on SQL: the changed fields, and one history row each."""
from __future__ import annotations

from memory import crm_input, errors
from memory.crm_views import UNCHANGED, ComplaintView, NeedView
from memory.ids import complaint_reference
from memory.rules import check_amendable, field_changes
from memory.sql.base import SqlBase
from memory.sql.crm import complaint_views, need_views
from memory.sql.models_crm import Complaint, Need
from memory.sql.unit_of_work import UnitOfWork
from memory.views import Source


def history_rows(changes, at, actor: str, source: Source | None) -> list[dict]:
    where = {"channel": None, "conversation_id": None, "message_id": None, "source_actor": None}
    if source is not None:
        where = {"channel": source.channel, "conversation_id": source.conversation_id,
                 "message_id": source.message_id, "source_actor": source.actor}
    return [
        {"field": name, "old_value": old, "new_value": new, "at": at, "actor": actor, **where}
        for name, old, new in changes
    ]


class SqlAmendments(SqlBase):
    async def amend_need(self, need_id, *, source, category=UNCHANGED, product=UNCHANGED,
                         budget=UNCHANGED, timeframe=UNCHANGED, words=UNCHANGED) -> NeedView:
        number, source, actor, requested = crm_input.need_amendment(
            need_id, source, {"category": category, "product": product, "budget": budget,
                              "timeframe": timeframe, "words": words},
        )
        at = self._now()

        def amend(uow: UnitOfWork) -> NeedView:
            row = uow.needs.get_for_update(number)
            if row is None:
                raise errors.UnknownNeed(need_id)
            changes = field_changes(row, requested)
            if changes:
                uow.needs.update({**{name: new for name, _, new in changes}, "amended_at": at},
                                 Need.id == number)
                uow.needs.changes.add(number, history_rows(changes, at, actor, source))
                row = uow.needs.get(number)
            [view] = need_views(uow, [row])
            uow.commit()
            return view

        return await self._write(amend)

    async def amend_complaint(self, reference, *, actor, source=None, category=UNCHANGED,
                              severity=UNCHANGED, order_ref=UNCHANGED, product_ref=UNCHANGED,
                              description=UNCHANGED) -> ComplaintView:
        number, actor, source, requested = crm_input.complaint_amendment(
            reference, actor, source,
            {"category": category, "severity": severity, "order_ref": order_ref,
             "product_ref": product_ref, "description": description},
        )
        at = self._now()

        def amend(uow: UnitOfWork) -> ComplaintView:
            row = uow.complaints.get_for_update(number)
            if row is None:
                raise errors.UnknownComplaint(str(reference))
            changes = field_changes(row, requested)
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
