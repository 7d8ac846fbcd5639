"""What only the SQL store has: SQLite settings, failure modes, timestamps in the database."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from memory import Source, errors, open_store


async def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(sqlite_url: str):
    store = await open_store(sqlite_url)
    try:
        def pragmas(connection):
            return {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys")
            }

        assert await store._runner.run(pragmas, write=False) == {
            "journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1,
        }
    finally:
        await store.close()


async def test_an_unreachable_postgres_is_store_unavailable():
    with pytest.raises(errors.StoreUnavailable):
        await open_store("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")


async def test_an_unopenable_sqlite_file_is_store_unavailable(tmp_path: Path):
    with pytest.raises(errors.StoreUnavailable):
        await open_store(f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'profile.db'}")


async def test_a_database_locked_past_the_timeout_is_store_unavailable(sqlite_url: str,
                                                                         monkeypatch):
    import sqlite3

    from memory.sql import engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    store = await open_store(sqlite_url)
    customer = await store.identify("web", "locked")
    blocker = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(errors.StoreUnavailable):
            await store.remember(customer, "city", "Oslo", source=Source("web"))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    await store.remember(customer, "city", "Oslo", source=Source("web"))  # recovers
    assert (await store.profile(customer)).get("city") == "Oslo"
    await store.close()


async def test_timestamps_come_back_in_utc_from_the_database(sql_url: str):
    store = await open_store(sql_url)
    try:
        customer = await store.identify("web", "tz")
        await store.remember(customer, "city", "Tokyo", source=Source("web"))
        fact = (await store.profile(customer)).facts["city"]
        assert fact.observed_at.utcoffset().total_seconds() == 0
    finally:
        await store.close()


async def test_concurrent_tasks_share_one_store(sql_url: str):
    store = await open_store(sql_url)
    try:
        customer = await store.identify("web", "busy")
        await asyncio.gather(*(
            store.remember(customer, "plan", f"p{i}", source=Source("web")) for i in range(20)
        ))
        assert len(await store.fact_history(customer, "plan")) == 20
    finally:
        await store.close()


async def test_sqlite_writes_queued_together_share_one_commit_and_fail_alone(sqlite_url: str):
    """Group commit: writes that queue while the writer is busy commit in one transaction,
    and one that fails is rolled back on its own (its savepoint), not with the group."""
    import threading

    from sqlalchemy import event

    store = await open_store(sqlite_url)
    try:
        customer = await store.identify("web", "grouped")
        commits = []
        event.listen(store._runner.engine, "commit", lambda _connection: commits.append(1))
        gate = threading.Event()

        def hold_the_writer(uow):
            gate.wait(10)

        def start_then_fail(uow):
            uow.conversations.start({"conversation_id": "doomed", "customer_id": customer,
                                     "channel": "web", "started_at": store._now()})
            raise RuntimeError("this write fails after writing")

        held = asyncio.ensure_future(store._write(hold_the_writer))
        await asyncio.sleep(0.05)
        writes = [store.remember(customer, "plan", f"p{i}", source=Source("web")) for i in range(10)]
        writes.insert(5, store._write(start_then_fail))
        pending = asyncio.gather(*writes, return_exceptions=True)
        await asyncio.sleep(0.05)
        gate.set()
        results = await pending
        await held

        assert [type(r).__name__ for r in results].count("RuntimeError") == 1
        assert len(commits) == 1  # the eleven queued behind the held write (it committed nothing)
        assert {f.value for f in await store.fact_history(customer, "plan")} == {f"p{i}" for i in range(10)}
        assert await store.customer_for_conversation("doomed") is None
    finally:
        await store.close()


async def test_sqlite_checkpoints_the_log_in_the_background(sqlite_url: str, monkeypatch):
    """Commits never checkpoint (that fsync would land on a customer's message); a thread
    copies the write-ahead log into the database file instead, soon after the writes."""
    import sqlite3

    from memory.sql import writer

    monkeypatch.setattr(writer, "CHECKPOINT_SECONDS", 0.05)
    store = await open_store(sqlite_url)
    path = sqlite_url.split("///", 1)[1]

    def in_database_file() -> int:
        # immutable=1 reads the database file alone, ignoring the write-ahead log.
        with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as reader:
            return reader.execute("SELECT count(*) FROM customers").fetchone()[0]

    try:
        before = in_database_file()
        for number in range(5):
            await store.identify("web", f"checkpointed-{number}")
        async with asyncio.timeout(5):
            while in_database_file() < before + 5:
                await asyncio.sleep(0.05)
    finally:
        await store.close()
