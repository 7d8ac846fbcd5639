"""Customers area on SQL: customers, identities and facts."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select

from memory import errors
from memory.api.customers import FactView, IdentityView, Profile
from memory.api.provenance import Source
from memory.ids import new_customer_id
from memory.sql.base import SqlBase
from memory.sql.models.complaints import Complaint
from memory.sql.models.conversations import Interaction
from memory.sql.models.customers import FactObservation, Identity
from memory.sql.models.handoffs import Handoff
from memory.sql.models.needs import Need
from memory.sql.models.offers import Consent, OfferEvent
from memory.sql.models.satisfaction import SatisfactionRow
from memory.sql.models.value import Purchase
from memory.sql.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

_IDENTIFY_ATTEMPTS = 5
# What a customer has told or been told: any one row makes the customer "someone with history".
_HISTORY = (FactObservation, Interaction, Need, Complaint, SatisfactionRow, Consent, OfferEvent,
            Purchase, Handoff)


def has_history(uow: UnitOfWork, customer_id: str) -> bool:
    """True when the customer holds anything besides a single identity (links refuse them)."""
    for model in _HISTORY:
        found = select(model.customer_id).where(model.customer_id == customer_id).limit(1)
        if uow.connection.execute(found).first() is not None:
            return True
    identities = select(func.count()).where(Identity.customer_id == customer_id)
    return uow.connection.execute(identities).scalar_one() > 1


def absorb_customer(uow: UnitOfWork, keep: str, absorb: str, *, actor: str, at: datetime) -> None:
    """Move everything of one live customer into another, inside the caller's unit of work."""
    # Lock both rows in a fixed order so two opposite merges cannot deadlock.
    for customer_id in sorted((keep, absorb)):
        uow.customers.lock_for_update(customer_id)
    for repository in uow.customer_data.values():
        repository.move(absorb, keep)
    uow.customers.move_identities(absorb, keep)
    uow.customers.mark_merged(absorb, keep)
    uow.audit.add(
        at=at, actor=actor, action="merge", customer_id=keep,
        other_customer_id=absorb, detail=None,
    )


class SqlCustomers(SqlBase):
    async def _identify(self, channel: str, external_id: str) -> str:
        def get_or_create(uow: UnitOfWork) -> str | None:
            owner = uow.customers.identity_owner(channel, external_id)
            if owner is not None:
                return uow.customers.resolve(owner)
            customer_id = new_customer_id()
            now = self._now()
            uow.customers.add(customer_id, now)
            if not uow.customers.add_identity(customer_id, channel, external_id, now, None):
                return None  # another transaction attached it first; roll back and re-read
            uow.commit()
            log.info("new customer %s from %s", customer_id, channel)
            return customer_id

        for _ in range(_IDENTIFY_ATTEMPTS):
            customer_id = await self._write(get_or_create)
            if customer_id is not None:
                return customer_id
        raise errors.StoreUnavailable("could not identify the customer under contention")

    async def _find_customer(self, channel: str, external_id: str) -> str | None:
        def find(uow: UnitOfWork) -> str | None:
            owner = uow.customers.identity_owner(channel, external_id)
            if owner is None:
                return None
            try:
                return uow.customers.resolve(owner)
            except errors.UnknownCustomer:
                return None

        return await self._read(find)

    async def identities(self, customer_id: str) -> list[IdentityView]:
        def read(uow: UnitOfWork) -> list[IdentityView]:
            live_id = uow.customers.resolve(customer_id)
            return [
                IdentityView(r.channel, r.external_id, live_id, r.linked_at, r.linked_by)
                for r in uow.customers.identities(live_id)
            ]

        return await self._read(read)

    async def _link_identity(
        self, customer_id: str, channel: str, external_id: str, *, actor: str, reason: str
    ) -> None:
        def link(uow: UnitOfWork) -> str:
            live_id = uow.customers.resolve(customer_id, lock=True)
            owner = uow.customers.identity_owner(channel, external_id)
            if owner is not None:
                if uow.customers.resolve(owner) != live_id:
                    raise errors.IdentityConflict(channel)
                return live_id
            now = self._now()
            if not uow.customers.add_identity(live_id, channel, external_id, now, actor):
                raise errors.IdentityConflict(channel)
            uow.audit.add(
                at=now, actor=actor, action="link_identity", customer_id=live_id,
                other_customer_id=None, detail={"channel": channel, "reason": reason},
            )
            uow.commit()
            return live_id

        live_id = await self._write(link)
        log.info("linked a %s identity to customer %s", channel, live_id)

    async def _merge_customers(self, keep_id: str, absorb_id: str, *, actor: str) -> None:
        def merge(uow: UnitOfWork) -> tuple[str, str]:
            keep = uow.customers.resolve(keep_id)
            absorb = uow.customers.resolve(absorb_id)
            if keep == absorb:
                return keep, absorb
            absorb_customer(uow, keep, absorb, actor=actor, at=self._now())
            uow.commit()
            return keep, absorb

        keep, absorb = await self._write(merge)
        if keep != absorb:
            log.info("merged customer %s into %s", absorb, keep)

    async def _remember(self, customer_id: str, fact: FactView, now: datetime) -> None:
        key, observed_at = fact.key, fact.observed_at
        values = {
            "key": key, "value": fact.value, "observed_at": observed_at,
            "confidence": fact.confidence, "recorded_at": now, **fact.source.as_dict(),
        }

        def record(uow: UnitOfWork) -> None:
            live_id = uow.customers.resolve(customer_id, lock=True)
            observation_id = uow.facts.add(live_id, values)
            uow.facts.promote(live_id, key, observation_id, observed_at)
            uow.commit()

        await self._write(record)

    async def profile(self, customer_id: str) -> Profile:
        def read(uow: UnitOfWork) -> tuple[str, list]:
            live_id = customer_id
            while True:  # one round trip, plus one per merge to follow
                rows = uow.facts.current_with_customer(live_id)
                if not rows or rows[0].erased_at is not None:
                    raise errors.UnknownCustomer(customer_id)
                if rows[0].merged_into is None:
                    return live_id, rows
                live_id = rows[0].merged_into

        live_id, rows = await self._read(read)
        now = self._now()
        views = [self._fact_view(row, now) for row in rows if row[2] is not None]
        facts = {view.key: view for view in sorted(views, key=lambda view: view.key)}
        return Profile(customer_id=live_id, facts=facts)

    async def _fact_history(self, customer_id: str, key: str | None) -> list[FactView]:
        def read(uow: UnitOfWork) -> list:
            return list(uow.facts.history(uow.customers.resolve(customer_id), key))

        rows = await self._read(read)
        now = self._now()
        return [self._fact_view(row, now) for row in rows]

    def _fact_view(self, row, now: datetime) -> FactView:
        """A FactView from a row ending in the FACT_COLUMNS (see repositories.customers)."""
        key, value, channel, conversation_id, message_id, actor, observed_at, confidence = (
            tuple(row)[-8:]
        )
        spec = self._catalog.specs.get(key)
        return FactView(
            key,
            value,
            Source(channel, conversation_id, message_id, actor),
            observed_at,
            confidence,
            spec.is_stale(observed_at, now) if spec is not None else True,
        )
