"""Amending needs and complaints in memory: the changed fields, and one history entry each."""
from __future__ import annotations

import dataclasses

from memory import crm_input, errors
from memory.crm_views import UNCHANGED, ComplaintView, FieldChange, NeedView
from memory.fake.base import FakeBase
from memory.rules import check_amendable, field_changes


class FakeAmendments(FakeBase):
    async def amend_need(self, need_id, *, source, category=UNCHANGED, product=UNCHANGED,
                         budget=UNCHANGED, timeframe=UNCHANGED, words=UNCHANGED) -> NeedView:
        number, source, actor, requested = crm_input.need_amendment(
            need_id, source, {"category": category, "product": product, "budget": budget,
                              "timeframe": timeframe, "words": words},
        )
        for needs in self._state.needs.values():
            for index, need in enumerate(needs):
                if need.id == number:
                    changes = field_changes(need, requested)
                    if changes:
                        needs[index] = need = self._amended(need, changes, actor, source)
                    return need
        raise errors.UnknownNeed(need_id)

    async def amend_complaint(self, reference, *, actor, source=None, category=UNCHANGED,
                              severity=UNCHANGED, order_ref=UNCHANGED, product_ref=UNCHANGED,
                              description=UNCHANGED) -> ComplaintView:
        number, actor, source, requested = crm_input.complaint_amendment(
            reference, actor, source,
            {"category": category, "severity": severity, "order_ref": order_ref,
             "product_ref": product_ref, "description": description},
        )
        complaint = self._state.complaints.get(number)
        if complaint is None:
            raise errors.UnknownComplaint(str(reference))
        changes = field_changes(complaint, requested)
        check_amendable(complaint.reference, complaint.status, [c[0] for c in changes])
        if changes:
            complaint = self._amended(complaint, changes, actor, source)
            complaint = dataclasses.replace(complaint, updated_at=complaint.changes[-1].at)
            self._state.complaints[number] = complaint
        return complaint

    def _amended(self, view, changes, actor, source):
        at = self._now()
        history = tuple(
            FieldChange(name, old, new, at, actor, source) for name, old, new in changes
        )
        return dataclasses.replace(
            view, **{name: new for name, _, new in changes}, changes=(*view.changes, *history)
        )
