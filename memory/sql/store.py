"""SqlProfileStore: the profile store on SQLite or PostgreSQL, and the staff database.

The storage steps live in mixins, one module per area (memory.sql.customers,
memory.sql.complaints...); this module wires them to one engine. `open_staff_database`
gives the staff and handoff stores on the same database.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from memory import errors
from memory.api.store import ProfileStore
from memory.api.value import ValuePolicy
from memory.config import FactCatalog, load_fact_catalog
from memory.migrate import head_revision, read_revision
from memory.sql.channels import SqlChannels
from memory.sql.complaints import SqlComplaints
from memory.sql.conversations import SqlConversations
from memory.sql.customers import SqlCustomers
from memory.sql.engine import Runner, create_runner
from memory.sql.handoffs import SqlHandoffStore
from memory.sql.needs import SqlNeeds
from memory.sql.offers import SqlOffers
from memory.sql.privacy import SqlPrivacy
from memory.sql.satisfaction import SqlSatisfaction
from memory.sql.staff import SqlStaffStore
from memory.sql.value import SqlValue

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SqlProfileStore(
    SqlCustomers, SqlConversations, SqlNeeds, SqlComplaints, SqlSatisfaction, SqlOffers,
    SqlValue, SqlChannels, SqlPrivacy, ProfileStore,
):
    def __init__(
        self,
        runner: Runner,
        catalog: FactCatalog,
        *,
        clock: Clock = utc_now,
        value_policy: ValuePolicy | None = None,
    ) -> None:
        self._runner = runner
        self._value_policy = value_policy if value_policy is not None else ValuePolicy()
        self._catalog = catalog
        self._clock = clock

    @property
    def runner(self) -> Runner:
        """Where this store's database work runs; memory's own tests read tables through it.
        Other packages reach the same connections only through open_staff_database."""
        return self._runner

    @property
    def dialect_name(self) -> str:
        return self._runner.dialect_name

    def _now(self) -> datetime:
        return self._clock()

    async def check_schema(self) -> None:
        """Fail with SchemaOutOfDate unless the database is at the migrations' head."""
        try:
            found = await self._runner.run(read_revision, write=False)
        except Exception as exc:
            raise errors.StoreUnavailable("the profile database cannot be reached") from exc
        expected = head_revision()
        if found != expected:
            raise errors.SchemaOutOfDate(
                f"profile database is at revision {found or 'none'}, expected {expected}; "
                "run `python -m memory upgrade --url URL`"
            )

    async def close(self) -> None:
        await self._runner.close()


async def open_store(
    url: str,
    *,
    facts_path: str | Path | None = None,
    clock: Clock = utc_now,
    value_policy: ValuePolicy | None = None,
    check_schema: bool = True,
) -> SqlProfileStore:
    """Connect to a migrated profile database. Does not migrate: see memory.migrate()."""
    catalog = load_fact_catalog(facts_path)
    store = SqlProfileStore(
        create_runner(url), catalog, clock=clock, value_policy=value_policy
    )
    if check_schema:
        try:
            await store.check_schema()
        except BaseException:
            await store.close()
            raise
    return store


class StaffDatabase:
    """The staff and handoff stores on one connection runner; close it when done."""

    def __init__(self, runner: Runner, *, owns_runner: bool) -> None:
        self.staff = SqlStaffStore(runner)
        self.handoffs = SqlHandoffStore(runner)
        self._runner, self._owns_runner = runner, owns_runner

    async def close(self) -> None:
        """Release the connections, unless they are the profile store's (it closes them)."""
        if self._owns_runner:
            await self._runner.close()


def open_staff_database(url: str, *, profiles: ProfileStore | None = None) -> StaffDatabase:
    """The staff and handoff stores on the (migrated) profile database at `url`.

    Given the SQL profile store, they share its connections instead: one SQLite writer
    thread (one queue for the write lock instead of two writers polling for it) and one
    PostgreSQL pool per gateway.
    """
    if isinstance(profiles, SqlProfileStore):
        return StaffDatabase(profiles.runner, owns_runner=False)
    return StaffDatabase(create_runner(url), owns_runner=True)
