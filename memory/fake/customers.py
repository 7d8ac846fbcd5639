"""Customers area in memory: customers, identities and facts."""
from __future__ import annotations

import dataclasses
from datetime import datetime

from memory import errors
from memory.api.customers import FactView, IdentityView, Profile
from memory.fake.base import FakeBase
from memory.fake.state import CustomerRow, IdentityRow, ObservationRow
from memory.ids import new_customer_id


class FakeCustomers(FakeBase):
    async def _identify(self, channel: str, external_id: str) -> str:
        owner = self._state.identities.get((channel, external_id))
        if owner is not None:
            return self._resolve(owner.customer_id)
        customer_id = new_customer_id()
        now = self._now()
        self._state.customers[customer_id] = CustomerRow(created_at=now)
        self._state.identities[(channel, external_id)] = IdentityRow(
            customer_id, now, None, self._state.next_id()
        )
        return customer_id

    async def _find_customer(self, channel: str, external_id: str) -> str | None:
        owner = self._state.identities.get((channel, external_id))
        if owner is None:
            return None
        try:
            return self._resolve(owner.customer_id)
        except errors.UnknownCustomer:
            return None

    async def identities(self, customer_id: str) -> list[IdentityView]:
        customer_id = self._resolve(customer_id)
        rows = sorted(
            (row.seq, key, row)
            for key, row in self._state.identities.items()
            if row.customer_id == customer_id
        )
        return [
            IdentityView(channel, external_id, customer_id, row.linked_at, row.linked_by)
            for _, (channel, external_id), row in rows
        ]

    async def _link_identity(
        self, customer_id: str, channel: str, external_id: str, *, actor: str, reason: str
    ) -> None:
        customer_id = self._resolve(customer_id)
        owner = self._state.identities.get((channel, external_id))
        if owner is not None:
            if self._resolve(owner.customer_id) != customer_id:
                raise errors.IdentityConflict(channel)
            return
        now = self._now()
        self._state.identities[(channel, external_id)] = IdentityRow(
            customer_id, now, actor, self._state.next_id()
        )
        self._audit(now, actor, "link_identity", customer_id, None,
                    {"channel": channel, "reason": reason})

    async def _merge_customers(self, keep_id: str, absorb_id: str, *, actor: str) -> None:
        keep = self._resolve(keep_id)
        absorb = self._resolve(absorb_id)
        if keep == absorb:
            return
        self._absorb(keep, absorb, actor=actor)

    def _absorb(self, keep: str, absorb: str, *, actor: str) -> None:
        """Merge two live customers (also used when a link token joins two channels)."""
        state = self._state
        moved = state.observations.pop(absorb, [])
        for row in moved:
            row.customer_id = keep
        state.observations.setdefault(keep, []).extend(moved)
        for row in state.current.pop(absorb, {}).values():
            self._promote(keep, row)
        for row in state.identities.values():
            if row.customer_id == absorb:
                row.customer_id = keep
        self._move_customer_data(absorb, keep)
        for row in state.customers.values():
            if row.merged_into == absorb:
                row.merged_into = keep
        state.customers[absorb].merged_into = keep
        self._audit(self._now(), actor, "merge", keep, absorb, None)

    def _audit(self, at, actor, action, customer_id, other_customer_id, detail) -> None:
        self._state.audit.append(
            {
                "at": at, "actor": actor, "action": action, "customer_id": customer_id,
                "other_customer_id": other_customer_id, "detail": detail,
            }
        )

    def _promote(self, customer_id: str, row: ObservationRow) -> None:
        facts = self._state.current.setdefault(customer_id, {})
        current = facts.get(row.fact.key)
        if current is None or current.fact.observed_at <= row.fact.observed_at:
            facts[row.fact.key] = row

    async def _remember(self, customer_id: str, fact: FactView, now: datetime) -> None:
        customer_id = self._resolve(customer_id)
        row = ObservationRow(self._state.next_id(), customer_id, fact)
        self._state.observations.setdefault(customer_id, []).append(row)
        self._promote(customer_id, row)

    def _fresh(self, fact: FactView, now: datetime) -> FactView:
        spec = self._catalog.specs.get(fact.key)
        stale = spec.is_stale(fact.observed_at, now) if spec is not None else True
        return dataclasses.replace(fact, stale=stale)

    async def profile(self, customer_id: str) -> Profile:
        customer_id = self._resolve(customer_id)
        now = self._now()
        current = self._state.current.get(customer_id, {})
        facts = {key: self._fresh(current[key].fact, now) for key in sorted(current)}
        return Profile(customer_id=customer_id, facts=facts)

    async def _fact_history(self, customer_id: str, key: str | None) -> list[FactView]:
        customer_id = self._resolve(customer_id)
        now = self._now()
        rows = [
            row for row in self._state.observations.get(customer_id, [])
            if key is None or row.fact.key == key
        ]
        rows.sort(key=lambda row: (row.fact.observed_at, row.id), reverse=True)
        return [self._fresh(row.fact, now) for row in rows]
