"""Repositories of the customers area: customers, identities and facts.

Each takes the unit of work's connection, queries with select() and never commits.
Statements on the per-message path are built once, with bound parameters:
building a select costs more than running it on SQLite.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from memory import errors
from memory.sql.dialect import insert_on_conflict
from memory.sql.models.customers import CurrentFact, Customer, FactObservation, Identity

FACT_COLUMNS = (
    FactObservation.key,
    FactObservation.value,
    FactObservation.channel,
    FactObservation.conversation_id,
    FactObservation.message_id,
    FactObservation.actor,
    FactObservation.observed_at,
    FactObservation.confidence,
)

_RESOLVE = select(Customer.merged_into, Customer.erased_at).where(
    Customer.id == bindparam("customer_id")
)
_RESOLVE_SHARED = _RESOLVE.with_for_update(read=True)
_IDENTITY_OWNER = select(Identity.customer_id).where(
    Identity.channel == bindparam("channel"), Identity.external_id == bindparam("external_id")
)
_PROFILE = (
    select(Customer.merged_into, Customer.erased_at, *FACT_COLUMNS)
    .select_from(Customer)
    .outerjoin(CurrentFact, CurrentFact.customer_id == Customer.id)
    .outerjoin(FactObservation, FactObservation.id == CurrentFact.observation_id)
    .where(Customer.id == bindparam("customer_id"))
)
_ADD_OBSERVATION = insert(FactObservation).returning(FactObservation.id)


_PROMOTE = insert_on_conflict(
    CurrentFact.__table__,
    ("customer_id", "key", "observation_id", "observed_at"),
    ("customer_id", "key"),
    update=("observation_id", "observed_at"),
    where='"current_facts"."observed_at" <= excluded."observed_at"',
)
_ADD_IDENTITY = insert_on_conflict(
    Identity.__table__,
    ("customer_id", "channel", "external_id", "linked_at", "linked_by"),
    ("channel", "external_id"),
    returning="id",
)


class CustomerRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, customer_id: str, created_at: datetime) -> None:
        self._c.execute(insert(Customer).values(id=customer_id, created_at=created_at))

    def resolve(self, customer_id: str, *, lock: bool = False) -> str:
        """The live id for `customer_id`, following a merge; UnknownCustomer otherwise.

        With `lock`, PostgreSQL holds a share lock on the row until the end of the
        transaction, so a concurrent merge or erasure waits for this write.
        """
        statement = _RESOLVE_SHARED if lock else _RESOLVE
        row = self._c.execute(statement, {"customer_id": customer_id}).first()
        if row is None or row.erased_at is not None:
            raise errors.UnknownCustomer(customer_id)
        if row.merged_into is not None:
            return self.resolve(row.merged_into, lock=lock)
        return customer_id

    def lock_for_update(self, customer_id: str) -> None:
        self._c.execute(
            select(Customer.id).where(Customer.id == customer_id).with_for_update()
        )

    def created_at(self, customer_id: str) -> datetime:
        return (
            self._c.execute(select(Customer.created_at).where(Customer.id == customer_id))
        ).scalar_one()

    def mark_merged(self, absorb_id: str, keep_id: str) -> None:
        self._c.execute(
            update(Customer).where(Customer.merged_into == absorb_id).values(merged_into=keep_id)
        )
        self._c.execute(
            update(Customer).where(Customer.id == absorb_id).values(merged_into=keep_id)
        )

    def mark_erased(self, customer_id: str, at: datetime) -> None:
        self._c.execute(
            update(Customer)
            .where((Customer.id == customer_id) | (Customer.merged_into == customer_id))
            .values(erased_at=at)
        )

    def identity_owner(self, channel: str, external_id: str) -> str | None:
        parameters = {"channel": channel, "external_id": external_id}
        return self._c.execute(_IDENTITY_OWNER, parameters).scalar_one_or_none()

    def add_identity(
        self, customer_id: str, channel: str, external_id: str, at: datetime, by: str | None
    ) -> bool:
        """Attach the identity; False when another transaction got there first."""
        parameters = {
            "customer_id": customer_id, "channel": channel, "external_id": external_id,
            "linked_at": at, "linked_by": by,
        }
        return self._c.execute(_ADD_IDENTITY, parameters).first() is not None

    def identities(self, customer_id: str) -> Sequence[Row[Any]]:
        statement = (
            select(Identity.channel, Identity.external_id, Identity.linked_at, Identity.linked_by)
            .where(Identity.customer_id == customer_id)
            .order_by(Identity.id)
        )
        return (self._c.execute(statement)).all()

    def move_identities(self, from_id: str, to_id: str) -> None:
        self._c.execute(
            update(Identity).where(Identity.customer_id == from_id).values(customer_id=to_id)
        )

    def delete_identities(self, customer_id: str) -> int:
        result = self._c.execute(delete(Identity).where(Identity.customer_id == customer_id))
        return result.rowcount


class FactRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def current_with_customer(self, customer_id: str) -> Sequence[Row[Any]]:
        """The customer row joined to its current facts: one round trip per profile."""
        return self._c.execute(_PROFILE, {"customer_id": customer_id}).all()

    def add(self, customer_id: str, values: dict[str, Any]) -> int:
        return self._c.execute(
            _ADD_OBSERVATION, {"customer_id": customer_id, **values}
        ).scalar_one()

    def promote(
        self, customer_id: str, key: str, observation_id: int, observed_at: datetime
    ) -> None:
        """Make the observation current unless a newer one already is.

        A single INSERT ... ON CONFLICT DO UPDATE ... WHERE, so concurrent writers
        cannot interleave between reading and writing the current value.
        """
        self._c.execute(
            _PROMOTE,
            {
                "customer_id": customer_id, "key": key, "observation_id": observation_id,
                "observed_at": observed_at,
            },
        )

    def history(self, customer_id: str, key: str | None = None) -> Sequence[Row[Any]]:
        statement = select(*FACT_COLUMNS).where(FactObservation.customer_id == customer_id)
        if key is not None:
            statement = statement.where(FactObservation.key == key)
        statement = statement.order_by(
            FactObservation.observed_at.desc(), FactObservation.id.desc()
        )
        return (self._c.execute(statement)).all()

    def current_pointers(self, customer_id: str) -> Sequence[Row[Any]]:
        statement = select(
            CurrentFact.key, CurrentFact.observation_id, CurrentFact.observed_at
        ).where(CurrentFact.customer_id == customer_id)
        return (self._c.execute(statement)).all()

    def move(self, from_id: str, to_id: str) -> None:
        """Give all of `from_id`'s history to `to_id`; the newer current value wins."""
        pointers = self.current_pointers(from_id)
        self._c.execute(
            update(FactObservation)
            .where(FactObservation.customer_id == from_id)
            .values(customer_id=to_id)
        )
        self._c.execute(delete(CurrentFact).where(CurrentFact.customer_id == from_id))
        for pointer in pointers:
            self.promote(to_id, pointer.key, pointer.observation_id, pointer.observed_at)

    def delete_all(self, customer_id: str) -> int:
        self._c.execute(delete(CurrentFact).where(CurrentFact.customer_id == customer_id))
        result = self._c.execute(
            delete(FactObservation).where(FactObservation.customer_id == customer_id)
        )
        return result.rowcount
