"""SQLite's one writer: group commit, savepoints, and checkpoints off the commit path.

SQLite has one writer at a time, so every write goes to one writer thread that holds the
write connection (`SqliteWriter`). Writes that arrive while it is busy are committed
together, each in a savepoint of one transaction: group commit. A busy gateway pays for one
BEGIN IMMEDIATE and one COMMIT per batch instead of per write, and its writers never sleep in
SQLite's busy handler waiting for each other (the handler backs off in steps of up to
100 ms). It also checkpoints the write-ahead log once a second on a thread of its own, so no
commit pays for a checkpoint's fsync.

A write that may share its commit (`grouped=True`) opens its transaction with
`begin(connection)`: a savepoint inside a group, a transaction of its own otherwise. Its
result reaches the caller only once the group has committed.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from typing import Any, Callable, TypeVar

from sqlalchemy import Connection, Engine, Transaction

log = logging.getLogger(__name__)

T = TypeVar("T")

WRITE_OPTION = "memory_write"  # execution option: the engine starts these with BEGIN IMMEDIATE
MAX_GROUP = 128  # writes committed together at most
SAVEPOINT = "grouped_write"
CHECKPOINT_SECONDS = 1.0


class _Write:
    __slots__ = ("operation", "grouped", "loop", "future", "result", "error")

    def __init__(self, operation: Callable[[Connection], Any], grouped: bool,
                 loop: asyncio.AbstractEventLoop, future: asyncio.Future) -> None:
        self.operation, self.grouped, self.loop, self.future = operation, grouped, loop, future
        self.result: Any = None
        self.error: BaseException | None = None

    def settle(self) -> None:
        self.loop.call_soon_threadsafe(_settle, self.future, self.result, self.error)


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return  # the caller stopped waiting; the write itself stands or fell as reported
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class SqliteWriter:
    """The one thread that writes to a SQLite database, committing queued writes together."""

    def __init__(self, engine: Engine, *, max_group: int = MAX_GROUP) -> None:
        self._engine = engine
        self._max_group = max_group
        self._queue: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._closed = False
        # Checkpoints copy the write-ahead log into the database file and fsync it: a few
        # milliseconds that SQLite would otherwise spend inside whichever commit crossed
        # its threshold. Here they run beside the writes instead (PASSIVE never blocks them).
        self._written = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._work, name="memory-sqlite-writer", daemon=True)
        self._checkpointer = threading.Thread(
            target=self._checkpoint_periodically, name="memory-sqlite-checkpoint", daemon=True
        )
        self._thread.start()
        self._checkpointer.start()

    async def submit(self, operation: Callable[[Connection], T], *, grouped: bool) -> T:
        if self._closed:
            raise RuntimeError("the SQLite writer is closed")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Write(operation, grouped, loop, future))
        return await future

    def stop(self) -> None:
        """Finish the writes already queued, then end the thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
        self._thread.join()
        self._stopped.set()
        self._checkpointer.join()
        self._checkpoint()

    def _checkpoint_periodically(self) -> None:
        while not self._stopped.wait(CHECKPOINT_SECONDS):
            if self._written:
                self._written = False
                self._checkpoint()

    def _checkpoint(self) -> None:
        try:
            connection = self._engine.raw_connection()
            try:
                connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
            finally:
                connection.close()
        except Exception as error:  # noqa: BLE001 - the next checkpoint tries again
            log.warning("SQLite checkpoint failed: %s", type(error).__name__)

    def _work(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_group:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._written = True
            grouped = [write for write in batch if write.grouped]
            if len(grouped) > 1:
                self._commit_group(grouped)
            for write in batch:
                if not write.grouped or len(grouped) == 1:
                    self._run_alone(write)

    def _run_alone(self, write: _Write) -> None:
        try:
            with self._engine.connect() as connection:
                write.result = write.operation(
                    connection.execution_options(**{WRITE_OPTION: True})
                )
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            write.error = error
        write.settle()

    def _commit_group(self, batch: list[_Write]) -> None:
        try:
            with self._engine.connect() as connection:
                connection = connection.execution_options(**{WRITE_OPTION: True})
                with connection.begin():
                    for write in batch:
                        try:
                            write.result = write.operation(connection)
                        except Exception as error:  # noqa: BLE001 - handed to the caller
                            # Its savepoint is rolled back; the rest of the group goes on.
                            write.error = error
                        if not connection.in_transaction():
                            raise RuntimeError("a grouped write ended the shared transaction")
        except BaseException as error:  # noqa: BLE001 - nothing in the group was committed
            for write in batch:
                write.result, write.error = None, write.error or error
        for write in batch:
            write.settle()


def begin(connection: Connection) -> Transaction | Savepoint:
    """The transaction of one write: a savepoint when the writer groups it with others."""
    return Savepoint(connection) if connection.in_transaction() else connection.begin()


class Savepoint:
    """One grouped write's savepoint, in plain SQL: SQLAlchemy compiles its own
    SAVEPOINT statements afresh every time, which costs more than the write."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        connection.exec_driver_sql(f"SAVEPOINT {SAVEPOINT}")
        self.is_active = True

    def commit(self) -> None:
        self._end(f"RELEASE SAVEPOINT {SAVEPOINT}")

    def rollback(self) -> None:
        self._end(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}", f"RELEASE SAVEPOINT {SAVEPOINT}")

    def _end(self, *statements: str) -> None:
        if self.is_active:
            self.is_active = False
            for statement in statements:
                self._connection.exec_driver_sql(statement)

    def __enter__(self) -> Savepoint:
        return self

    def __exit__(self, error_type, *_) -> None:
        self.rollback() if error_type is not None else self.commit()
