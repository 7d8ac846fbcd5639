"""Alembic environment for the profile store: runs migrations over the async engine."""
from __future__ import annotations

import asyncio
import os

from alembic import context

from memory.sql.engine import create_runner
from memory.sql.models import metadata

config = context.config


def database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or config.get_main_option("sqlalchemy.url") or os.environ.get("MEMORY_DATABASE_URL")
    if not url:
        raise SystemExit("no database URL: pass -x url=... or set MEMORY_DATABASE_URL")
    return url


def run_in_connection(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


async def run_online() -> None:
    runner = create_runner(database_url())
    try:
        await runner.run(run_in_connection, write=True)
    finally:
        await runner.close()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
