"""The handoff store's contract on the fake, SQLite and PostgreSQL, and claim exclusivity under races.

The race tests run claimers in separate OS processes, each with its own connections, as
two gateways would: whatever the timing, every handoff ends up claimed by exactly one
agent, and each agent's own view of what it won agrees with the database.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT
from memory import InMemoryHandoffStore, InMemoryStaffStore, migrate, open_staff_database
from memory.api.handoffs import ACTIVE, AFTER_HOURS, CLOSED, HANDED_BACK, MAX_KEPT, RESOLVED, WAITING
from tests.memory.conftest import PG_ADMIN_URL, _pg_url, in_thread, pg_admin

BACKENDS = ["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
NOW = datetime(2030, 1, 7, 10, 0, tzinfo=timezone.utc)

CLAIMER = r"""
import asyncio, json, sys
from datetime import datetime, timezone
from memory import open_staff_database

async def main(url, agent_ids, handoff_ids):
    database = open_staff_database(url)
    store = database.handoffs
    now = datetime.now(timezone.utc)
    await store.get(0)  # connected and warm
    print("ready", flush=True)
    sys.stdin.readline()  # both gateways start claiming at the same moment
    async def claim(agent_id, handoff_id):
        return (agent_id, handoff_id) if await store.claim(handoff_id, agent_id, now) else None
    results = await asyncio.gather(*(claim(a, h) for h in handoff_ids for a in agent_ids))
    await database.close()
    print(json.dumps([r for r in results if r]))

asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])))
"""


def _pg_reachable() -> bool:
    try:
        pg_admin("SELECT 1")
        return True
    except Exception:
        return False


def database_url(kind: str, tmp_path: Path, request) -> str:
    """A freshly migrated database of the kind; PostgreSQL ones are dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'profile.db'}"
        in_thread(migrate, url)
        return url
    if not _pg_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: the postgres cases did NOT run")
    name = f"rapport_handoff_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    request.addfinalizer(lambda: pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    url = _pg_url(name)
    in_thread(migrate, url)
    return url


class Backend:
    def __init__(self, store, accounts, database=None, url: str | None = None) -> None:
        self.store, self.accounts, self.database, self.url = store, accounts, database, url

    async def customer(self, name: str) -> str:
        """A customer row for the foreign key (the fake needs none)."""
        if self.database is None:
            return name
        from memory import open_store

        profiles = await open_store(self.url, check_schema=False)
        try:
            return await profiles.identify("web", name)
        finally:
            await profiles.close()

    async def agent(self, username: str) -> int:
        member = await self.accounts.create_account(username, username.title(), "agent", "hash", now=NOW)
        if isinstance(self.store, InMemoryHandoffStore):
            self.store.names[member.id] = member.display_name
        return member.id


@pytest.fixture
async def backend(request, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "fake":
        yield Backend(InMemoryHandoffStore(), InMemoryStaffStore())
        return
    url = database_url(request.param, tmp_path, request)
    database = open_staff_database(url)
    yield Backend(database.handoffs, database.staff, database, url)
    await database.close()


def backends(names):
    return pytest.mark.parametrize("backend", names, indirect=True)


async def queue(backend: Backend, name: str, priority: int = 10, at: datetime = NOW):
    customer_id = await backend.customer(name)
    handoff, created = await backend.store.open(
        conversation_id=f"web.{name}", customer_id=customer_id, channel="web", reason="customer_asked",
        priority=priority, detail={"name": name.title(), "words": "<b>help</b>"}, now=at,
    )
    assert created
    return handoff


@backends(BACKENDS)
async def test_a_conversation_has_at_most_one_open_handoff(backend):
    first = await queue(backend, "ann")
    again, created = await backend.store.open(
        conversation_id="web.ann", customer_id=first.customer_id, channel="web", reason="other",
        priority=99, detail={}, now=NOW,
    )
    assert (again.id, created) == (first.id, False)
    assert (await backend.store.open_for_conversation("web.ann")).detail["words"] == "<b>help</b>"
    agent = await backend.agent("zoe")
    await backend.store.claim(first.id, agent, NOW)
    await backend.store.close(first.id, agent, RESOLVED, NOW)
    later, created = await backend.store.open(
        conversation_id="web.ann", customer_id=first.customer_id, channel="web", reason="other",
        priority=1, detail={}, now=NOW,
    )
    assert created and later.id != first.id
    assert await backend.store.had_reason("web.ann", "customer_asked")
    assert not await backend.store.had_reason("web.ann", "legal_threat")


@backends(BACKENDS)
async def test_the_queue_is_ordered_by_priority_then_arrival(backend):
    low = await queue(backend, "low", 10, NOW)
    high = await queue(backend, "high", 50, NOW + timedelta(minutes=5))
    also_low = await queue(backend, "also", 10, NOW + timedelta(minutes=1))
    agent = await backend.agent("zoe")
    taken = await queue(backend, "taken", 99)
    await backend.store.claim(taken.id, agent, NOW)
    order = [(h.id, h.status) for h in await backend.store.open_handoffs()]
    assert order == [(high.id, WAITING), (low.id, WAITING), (also_low.id, WAITING), (taken.id, ACTIVE)]
    assert await backend.store.waiting_order() == [
        (high.id, "web.high"), (low.id, "web.low"), (also_low.id, "web.also"),
    ]
    assert [await backend.store.position(h) for h in (high, low, also_low)] == [1, 2, 3]
    assert await backend.store.position(await backend.store.get(taken.id)) is None


@backends(BACKENDS)
async def test_claim_transfer_and_close_only_from_the_expected_state(backend):
    handoff = await queue(backend, "ann")
    ann, bob = await backend.agent("ann"), await backend.agent("bob")
    claimed = await backend.store.claim(handoff.id, ann, NOW)
    assert (claimed.status, claimed.agent_id) == (ACTIVE, ann)
    assert await backend.store.claim(handoff.id, bob, NOW) is None
    assert await backend.store.transfer(handoff.id, bob, ann, NOW) is None  # bob does not hold it
    moved = await backend.store.transfer(handoff.id, ann, bob, NOW)
    assert moved.agent_id == bob
    assert await backend.store.close(handoff.id, ann, RESOLVED, NOW) is None
    queued_again = await backend.store.transfer(handoff.id, None, None, NOW)
    assert (queued_again.status, queued_again.agent_id) == (WAITING, None)
    await backend.store.claim(handoff.id, ann, NOW)
    closed = await backend.store.close(handoff.id, ann, HANDED_BACK, NOW)
    assert (closed.status, closed.outcome) == (CLOSED, HANDED_BACK)
    assert await backend.store.open_for_conversation("web.ann") is None
    assert await backend.store.get(10**9) is None


@backends(BACKENDS)
async def test_requests_outside_staffed_hours_are_kept_as_follow_ups(backend):
    customer_id = await backend.customer("night")
    older = await backend.store.record_closed(
        conversation_id="web.night", customer_id=customer_id, channel="web", reason="customer_asked",
        detail={"complaint": "C-000007", "follow_up_from": "2030-01-08T09:00:00+00:00"},
        outcome=AFTER_HOURS, now=NOW,
    )
    newer = await backend.store.record_closed(
        conversation_id="web.night2", customer_id=customer_id, channel="web", reason="customer_asked",
        detail={}, outcome=AFTER_HOURS, now=NOW + timedelta(hours=1),
    )
    await queue(backend, "day")
    assert [h.id for h in await backend.store.follow_ups()] == [newer.id, older.id]
    assert (await backend.store.follow_ups())[1].to_json()["follow_up_from"] == "2030-01-08T09:00:00+00:00"
    assert await backend.store.open_for_conversation("web.night") is None
    assert await backend.store.open_handoffs() != [] and all(h.conversation_id == "web.day" for h in await backend.store.open_handoffs())


@backends(BACKENDS)
async def test_notes_belong_to_the_conversation_and_keep_their_author(backend):
    handoff = await queue(backend, "ann")
    ann = await backend.agent("ann")
    note = await backend.store.add_note(handoff.id, ann, "<script>x</script> upset", NOW)
    assert note.author_name == "Ann"
    assert [n.text for n in await backend.store.notes("web.ann")] == ["<script>x</script> upset"]
    assert await backend.store.notes("web.other") == []


@backends(BACKENDS)
async def test_racing_agents_in_one_process_never_share_a_customer(backend):
    handoffs = [await queue(backend, f"c{i}") for i in range(10)]
    agents = [await backend.agent(f"agent{i}") for i in range(8)]
    results = await asyncio.gather(*(
        backend.store.claim(h.id, a, NOW) for h in handoffs for a in agents
    ))
    winners = [r for r in results if r is not None]
    assert sorted(w.id for w in winners) == sorted(h.id for h in handoffs)  # each exactly once
    for winner in winners:
        assert (await backend.store.get(winner.id)).agent_id == winner.agent_id


@backends(SQL_BACKENDS)
async def test_racing_gateways_in_separate_processes_never_share_a_customer(backend):
    handoffs = [await queue(backend, f"c{i}") for i in range(40)]
    agents = [await backend.agent(f"agent{i}") for i in range(6)]
    handoff_ids = json.dumps([h.id for h in handoffs])
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))

    def run(agent_ids) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", CLAIMER, backend.url, json.dumps(agent_ids), handoff_ids],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    gateways = [run(agents[:3]), run(agents[3:])]
    for gateway in gateways:
        assert await asyncio.to_thread(gateway.stdout.readline) == "ready\n", gateway.stderr.read()
    for gateway in gateways:
        gateway.stdin.write("go\n")
        gateway.stdin.flush()
    outputs = [await asyncio.to_thread(g.communicate, timeout=120) for g in gateways]
    assert all(g.returncode == 0 for g in gateways), [err for _, err in outputs]
    wins = [tuple(w) for out, _ in outputs for w in json.loads(out)]
    # Both processes tried every claim; on a busy machine one of them may win none of them,
    # which is the exclusive claim refusing it, not a missed race.
    assert sorted(h for _, h in wins) == sorted(h.id for h in handoffs)  # exactly one winner each
    for agent_id, handoff_id in wins:
        assert (await backend.store.get(handoff_id)).agent_id == agent_id


@backends(SQL_BACKENDS)
async def test_erasing_a_customer_erases_their_handoffs_and_the_notes_about_them(backend):
    from memory import open_store

    handoff = await queue(backend, "ann")
    agent = await backend.agent("bob")
    await backend.store.add_note(handoff.id, agent, "Ann was upset about her bill", NOW)
    profiles = await open_store(backend.url, check_schema=False)
    try:
        await profiles.erase(handoff.customer_id, actor="customer", reason="forget me")
    finally:
        await profiles.close()
    assert await backend.store.notes("web.ann") == []
    assert await backend.store.open_for_conversation("web.ann") is None


# --- suggestions kept with the handoff --------------------------------------------------------

def _suggestion(number: int, status: str = "pending") -> dict:
    return {"id": f"s{number}", "kind": "complaint", "status": status, "label": f"other complaint: '{number}'",
            "fields": {"category": "other", "description": str(number), "severity": "medium"}}


@backends(BACKENDS)
async def test_suggestions_are_kept_with_their_handoff_and_decided_once(backend):
    handoff = await queue(backend, "ann")
    await backend.store.add_suggestions(handoff.id, [_suggestion(1)])
    await backend.store.add_suggestions(handoff.id, [_suggestion(2)])
    assert [s["id"] for s in await backend.store.suggestions(handoff.id)] == ["s1", "s2"]
    assert (await backend.store.get(handoff.id)).detail["words"] == "<b>help</b>"  # the rest stays

    def claim(suggestion):
        return {**suggestion, "status": "recording"} if suggestion["status"] == "pending" else None

    results = await asyncio.gather(*(backend.store.change_suggestion(handoff.id, "s1", claim) for _ in range(5)))
    assert sorted(changed for _, changed in results) == [False] * 4 + [True]  # two clicks never both win
    assert all(after["status"] == "recording" for after, _ in results)
    assert [s["status"] for s in await backend.store.suggestions(handoff.id)] == ["recording", "pending"]
    assert await backend.store.change_suggestion(handoff.id, "nope", claim) == (None, False)
    assert await backend.store.suggestions(999_999) == []


@backends(["fake", "sqlite"])
async def test_a_handoff_keeps_its_newest_suggestions_and_drops_decided_ones_first(backend):
    handoff = await queue(backend, "ann")
    await backend.store.add_suggestions(handoff.id, [_suggestion(0, "recorded"), _suggestion(1)])
    await backend.store.add_suggestions(handoff.id, [_suggestion(n) for n in range(2, MAX_KEPT + 1)])
    kept = [s["id"] for s in await backend.store.suggestions(handoff.id)]
    assert len(kept) == MAX_KEPT and kept[0] == "s1" and kept[-1] == f"s{MAX_KEPT}"


@backends(SQL_BACKENDS)
async def test_erasing_a_customer_erases_what_was_suggested_from_their_words(backend):
    from memory import open_store

    handoff = await queue(backend, "ann")
    await backend.store.add_suggestions(handoff.id, [_suggestion(1)])
    profiles = await open_store(backend.url, check_schema=False)
    try:
        await profiles.erase(handoff.customer_id, actor="customer", reason="forget me")
    finally:
        await profiles.close()
    assert await backend.store.suggestions(handoff.id) == []
