"""Alembic migrations: from empty and from the previous revision, on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from conftest import in_thread
from memory import Source, errors, migrate, open_store
from memory.migrate import alembic_config, current_revision, downgrade, head_revision
from memory.sql.engine import create_runner
from memory.sql.models import metadata

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("new_postgres_database")()


def schema_differences(url: str) -> list:
    def ours(name, type_, parent_names) -> bool:
        # Other packages may add their own tables to the same migration history.
        return type_ != "table" or name in metadata.tables or name == "alembic_version"

    def compare(connection) -> list:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": ours}
        )
        return compare_metadata(context, metadata)

    async def run() -> list:
        runner = create_runner(url)
        try:
            return await runner.run(compare, write=False)
        finally:
            await runner.close()

    return in_thread(asyncio.run, run())


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_there_is_a_linear_history_of_several_revisions():
    history = revisions()
    assert history[:3] == ["0001", "0002", "0003"]
    assert head_revision() == history[-1]


async def test_upgrade_head_on_an_empty_database_matches_the_models(empty_url: str):
    assert in_thread(current_revision, empty_url) is None
    in_thread(migrate, empty_url)
    assert in_thread(current_revision, empty_url) == head_revision()
    assert schema_differences(empty_url) == []
    in_thread(migrate, empty_url)  # running it again is harmless


@pytest.mark.parametrize("previous", ["0002", "0001"])
async def test_upgrade_from_an_earlier_revision_keeps_the_data(empty_url: str, previous: str):
    in_thread(migrate, empty_url, previous)
    with pytest.raises(errors.SchemaOutOfDate):
        await open_store(empty_url)
    old = await open_store(empty_url, check_schema=False)
    try:
        customer = await old.identify("telegram", "veteran")
        await old.remember(customer, "first_name", "Vera", source=Source("telegram"))
        await old.start_interaction(customer, "telegram", "t-1")
        await old.record_message("t-1", sender="customer", text="still here")
    finally:
        await old.close()

    in_thread(migrate, empty_url)

    store = await open_store(empty_url)
    try:
        assert (await store.profile(customer)).get("first_name") == "Vera"
        assert [m.text for m in await store.transcript("t-1")] == ["still here"]
        complaint = await store.open_complaint(customer, category="c", description="d",
                                               source=Source("telegram"))
        assert complaint.reference == "C-000001"
        await store.grant_consent(customer, "offers", channel="telegram", wording="ok?")
        assert await store.has_consent(customer, "offers")
    finally:
        await store.close()
    assert schema_differences(empty_url) == []


async def test_needs_and_complaints_from_the_previous_head_can_be_amended(empty_url: str):
    from datetime import datetime, timezone

    from sqlalchemy import bindparam, text

    from memory.sql.types import UTCDateTime

    previous = revisions()[-2]
    in_thread(migrate, empty_url, previous)
    old = await open_store(empty_url, check_schema=False)
    try:
        customer = await old.identify("web", "before")

        def write_as_the_old_code(connection) -> None:
            # Rows as the previous revision's code wrote them (today's models have more columns).
            values = {"c": customer, "at": datetime(2026, 11, 30, tzinfo=timezone.utc)}
            at = bindparam("at", type_=UTCDateTime())
            connection.execute(text(
                "INSERT INTO needs (customer_id, category, budget, words, channel, created_at) "
                "VALUES (:c, 'broadband', '25', 'faster', 'web', :at)").bindparams(at), values)
            connection.execute(text(
                "INSERT INTO complaints (customer_id, category, description, severity, status, "
                "channel, created_at, updated_at) VALUES "
                "(:c, 'other', 'down since yesterday', 'medium', 'open', 'web', :at, :at)"
            ).bindparams(at), values)
            connection.commit()

        await old.runner.run(write_as_the_old_code, write=True)
    finally:
        await old.close()

    in_thread(migrate, empty_url)

    store = await open_store(empty_url)
    try:
        [need] = await store.needs(customer)
        assert need.budget == "25" and need.changes == ()
        amended = await store.amend_need(need.id, budget="30", source=Source("web"))
        assert [(c.old_value, c.new_value) for c in amended.changes] == [("25", "30")]
        [complaint] = await store.complaints(customer)
        moved = await store.amend_complaint(complaint.reference, actor="bot", category="connection")
        assert [(c.old_value, c.new_value) for c in moved.changes] == [("other", "connection")]
    finally:
        await store.close()
    in_thread(downgrade, empty_url, previous)
    assert in_thread(current_revision, empty_url) == previous
    in_thread(migrate, empty_url)
    assert schema_differences(empty_url) == []


async def test_downgrade_to_base_and_back(empty_url: str):
    in_thread(migrate, empty_url)
    in_thread(downgrade, empty_url, "base")
    assert in_thread(current_revision, empty_url) is None
    in_thread(migrate, empty_url)
    assert schema_differences(empty_url) == []


async def test_open_store_refuses_an_unmigrated_database(empty_url: str):
    with pytest.raises(errors.SchemaOutOfDate, match="python -m memory upgrade"):
        await open_store(empty_url)


def test_the_command_line_and_plain_alembic_both_migrate(tmp_path: Path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "memory", "upgrade", "--url", first],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"revision {head_revision()}" in done.stdout
    second = f"sqlite+aiosqlite:///{tmp_path / 'alembic.db'}"
    alembic = Path(sys.executable).with_name("alembic")
    done = subprocess.run(
        [str(alembic), "-c", "memory/alembic.ini", "-x", f"url={second}", "upgrade", "head"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert current_revision(second) == head_revision()
