"""Profile store fixtures: the same tests run on the fake, SQLite and PostgreSQL.

SQLite databases are copies of one migrated template file. PostgreSQL databases are
created per test from a migrated template database with a unique name, and dropped
afterwards, because the server outlives test runs. Without a reachable PostgreSQL
the postgres cases skip with a loud reason.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

from memory import InMemoryProfileStore, migrate, open_store

PG_ADMIN_URL = os.environ.get(
    "MEMORY_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def in_thread(function: Callable[..., Any], *args: Any) -> Any:
    """Run sync code that starts its own event loop (migrations, admin) off the test loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def _pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def pg_admin(*statements: str) -> None:
    """Run statements outside a transaction (CREATE/DROP DATABASE) on the admin database."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN_URL)

    async def run() -> None:
        connection = await asyncpg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password,
            database=url.database, timeout=5,
        )
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    in_thread(asyncio.run, run())


class Clock:
    """A controllable UTC clock that ticks a millisecond per reading, so order is total."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("memory-template") / "profile.db"
    in_thread(migrate, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "profile.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_available() -> None:
    try:
        pg_admin("SELECT 1")
    except Exception as exc:  # any failure to connect means: no server for these tests
        pytest.skip(
            f"POSTGRESQL UNAVAILABLE at {PG_ADMIN_URL} ({type(exc).__name__}: {exc}); "
            "PostgreSQL profile-store tests are SKIPPED. Start it (see .ci/run) or set "
            "MEMORY_TEST_POSTGRES_URL."
        )


@pytest.fixture(scope="session")
def postgres_template(postgres_available: None):
    name = f"memtest_tpl_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    try:
        in_thread(migrate, _pg_url(name))
        yield name
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def new_postgres_database(postgres_available: None):
    """A factory of empty, unmigrated databases, dropped after the test."""
    created: list[str] = []

    def create(template: str | None = None) -> str:
        name = f"memtest_{uuid.uuid4().hex[:16]}"
        suffix = f' TEMPLATE "{template}"' if template else ""
        pg_admin(f'CREATE DATABASE "{name}"{suffix}')
        created.append(name)
        return _pg_url(name)

    yield create
    for name in created:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_template: str, new_postgres_database) -> str:
    return new_postgres_database(postgres_template)


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database URL of the backend named by the test's `backend` parameter."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, clock: Clock):
    if request.param == "fake":
        yield InMemoryProfileStore(clock=clock)
        return
    url = request.getfixturevalue(f"{request.param}_url")
    sql_store = await open_store(url, clock=clock)
    try:
        yield sql_store
    finally:
        await sql_store.close()


@pytest.fixture(params=SQL_BACKENDS)
def sql_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    skipped = [
        report for report in terminalreporter.stats.get("skipped", [])
        if "POSTGRESQL UNAVAILABLE" in str(report.longrepr)
    ]
    if skipped:
        terminalreporter.write_sep(
            "!", f"{len(skipped)} PostgreSQL profile-store tests SKIPPED: server unreachable",
            red=True, bold=True,
        )
