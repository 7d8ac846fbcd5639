"""Engines and runners: where a unit of work's synchronous database code executes.

Store operations are written once, as synchronous functions of a unit of work.
- SQLite, over the plain sqlite3 driver: every write goes to the one writer thread of
  `memory.sql.writer`, which commits writes that arrive together as a group and
  checkpoints the write-ahead log beside them. A read runs inline on the event loop: in
  WAL mode readers never wait for writers, a point read is a few hundred microseconds of
  CPU that holds the GIL wherever it runs, and the thread handoff would cost as much again.
- PostgreSQL: each runs in SQLAlchemy's greenlet bridge over asyncpg, on the
  event loop (`AsyncConnection.run_sync`); reads in autocommit mode.

SQLite connections get WAL, a busy timeout and foreign keys; write transactions
start with BEGIN IMMEDIATE so writers in other processes queue on the busy timeout
instead of failing when a read lock cannot be upgraded.
"""
from __future__ import annotations

import abc
import asyncio
import logging
from typing import Callable, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from memory.sql.writer import WRITE_OPTION, SqliteWriter

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5_000


def normalise_url(url: str | URL) -> URL:
    """Accept the async spellings callers use and pick the driver each runner needs."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")


class Runner(abc.ABC):
    """Runs `operation(connection)` inside a fresh connection and returns its result."""

    dialect_name: str

    @abc.abstractmethod
    async def run(
        self, operation: Callable[[Connection], T], *, write: bool, grouped: bool = False
    ) -> T:
        """`grouped`: the write opens its transaction with `begin(connection)` and may
        share a commit with others."""

    @abc.abstractmethod
    async def close(self) -> None: ...


class SqliteRunner(Runner):
    dialect_name = "sqlite"

    def __init__(self, url: URL) -> None:
        self.engine: Engine = create_sync_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        configure_sqlite(self.engine)
        self._writer = SqliteWriter(self.engine)

    async def run(
        self, operation: Callable[[Connection], T], *, write: bool, grouped: bool = False
    ) -> T:
        if not write:
            with self.engine.connect() as connection:
                return operation(connection)
        return await self._writer.submit(operation, grouped=grouped)

    async def close(self) -> None:
        await asyncio.to_thread(self._writer.stop)
        self.engine.dispose()


class PostgresRunner(Runner):
    dialect_name = "postgresql"

    def __init__(self, url: URL, *, pool_size: int = 5) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size * 2
        )

    async def run(
        self, operation: Callable[[Connection], T], *, write: bool, grouped: bool = False
    ) -> T:
        async with self.engine.connect() as connection:
            if not write:
                # Under READ COMMITTED every statement takes a fresh snapshot anyway, so a
                # read-only transaction buys nothing but BEGIN and ROLLBACK round trips.
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            return await connection.run_sync(operation)

    async def close(self) -> None:
        await self.engine.dispose()


def create_runner(url: str | URL) -> Runner:
    parsed = normalise_url(url)
    log.debug("profile store on %s", parsed.get_backend_name())
    if parsed.get_backend_name() == "sqlite":
        return SqliteRunner(parsed)
    return PostgresRunner(parsed)


def configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # SqliteWriter checkpoints
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
