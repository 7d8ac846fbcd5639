"""Run the Alembic migrations of the profile store (sync; call from scripts or a thread)."""
from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from memory.sql.engine import create_runner

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation would choke on '%' in passwords.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the latest).

    Runs its own event loop, so from async code call it via asyncio.to_thread().
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("memory.migrate() is synchronous; use asyncio.to_thread(migrate, url)")
    log.info("migrating the profile database to %s", revision)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def read_revision(connection: Connection) -> str | None:
    """The revision recorded in the database, or None for an empty one."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""

    async def main() -> str | None:
        runner = create_runner(url)
        try:
            return await runner.run(read_revision, write=False)
        finally:
            await runner.close()

    return asyncio.run(main())
