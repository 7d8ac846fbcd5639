"""The staff tables' connection to the profile database, and running one transaction on it.

Staff data (accounts, sessions, handoffs, notes) lives beside the customers it refers to,
so it reuses the profile store's runners (memory.sql.engine): SQLite off the event loop
in a small thread pool, PostgreSQL over asyncpg.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from memory import errors
from memory.sql.engine import Runner, begin, create_runner
from memory.sql.unit_of_work import is_unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")


def open_runner(url: str) -> Runner:
    return create_runner(url)


async def transaction(runner: Runner, operation: Callable[[Connection], T], *, write: bool) -> T:
    """Run `operation` in one transaction, committed when it returns without raising."""

    def in_transaction(connection: Connection) -> T:
        with begin(connection):
            return operation(connection)

    try:
        # A read is one statement (or a few that tolerate READ COMMITTED): no explicit
        # transaction, so nothing to commit; the runner rolls back whatever it began.
        return await runner.run(in_transaction if write else operation, write=write, grouped=write)
    except Exception as error:
        if is_unavailable(error):
            logger.warning("staff database operation failed: %s", type(error).__name__)
            raise errors.StoreUnavailable("the database is busy or unreachable") from error
        raise
