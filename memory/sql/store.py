"""SqlProfileStore: the profile store on SQLite or PostgreSQL.

The operations live in mixins, one module per area (customers and facts,
conversations, privacy...); this module wires them to one engine.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import inspect, text

from memory import errors
from memory.config import FactCatalog, load_fact_catalog
from memory.interface import ProfileStore
from memory.crm_views import ValuePolicy
from memory.sql.amendments import SqlAmendments
from memory.sql.channels import SqlChannels
from memory.sql.conversations import SqlConversations
from memory.sql.crm import SqlCrm
from memory.sql.customers import SqlCustomers
from memory.sql.engine import Runner, create_runner
from memory.sql.marketing import SqlMarketing
from memory.sql.privacy import SqlPrivacy

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SqlProfileStore(
    SqlCustomers, SqlConversations, SqlCrm, SqlAmendments, SqlMarketing, SqlChannels, SqlPrivacy,
    ProfileStore,
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
        """Where this store's database work runs; other tables on the same database can share it."""
        return self._runner

    @property
    def dialect_name(self) -> str:
        return self._runner.dialect_name

    def _now(self) -> datetime:
        return self._clock()

    async def check_schema(self) -> None:
        """Fail with SchemaOutOfDate unless the database is at the migrations' head."""
        from memory.migrate import head_revision

        def read_version(connection) -> str | None:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

        try:
            found = await self._runner.run(read_version, write=False)
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
