"""Fault drills (issue 14; `make drill`): the real stack (`python -m bot run`) under a bounded
load of scripted REST customers, with one fault injected in the middle of their conversations.

Drills: kill -9 of the engine, the action server and the gateway; the profile store's SQLite
file locked by another writer; overload at 5x the turns the gateway takes at once.
Each customer sends its messages with an Idempotency-Key and, like a well-behaved
integration, sends a refused or unanswered message again with the same key after
Retry-After (or a second), until it is answered or its deadline passes.

After each drill one JSON line: sent, stored, answered, told_failed, lost (stored or
answered but neither answered nor told, or answered but not stored: must be 0),
recorded_twice (must be 0), recover_seconds (fault to the first proper answer after it),
and the gateway's RSS. The exit status is 1 when any drill lost or doubled a message.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bot.channels.rest import conversation_id_for
from bot.conversations import APOLOGY
from memory import open_store
from tests.e2e.conftest import Stack

PHRASES = [
    "hello", "I need a faster broadband plan", "under 40 a month", "what do you know about me?",
    "my internet keeps dropping", "thanks",
]
CONVERSATION = "drill"


@dataclass
class Outcome:
    text: str
    answered: bool = False
    told_failed: bool = False
    answered_at: float | None = None


@dataclass
class Customer:
    ref: str
    outcomes: list[Outcome] = field(default_factory=list)
    failed_at: list[float] = field(default_factory=list)  # every refused or failed attempt
    shed: int = 0  # refusals with 429 or 503 and Retry-After


async def converse(session: aiohttp.ClientSession, stack: Stack, customer: Customer, *,
                   think: float, load_until: float, deadline: float) -> None:
    """Send messages until `load_until`, each one again until answered or `deadline`."""
    n = -1
    while time.monotonic() < load_until:
        n += 1
        outcome = Outcome(f"{PHRASES[n % len(PHRASES)]} [{customer.ref} #{n}]")
        customer.outcomes.append(outcome)
        key = f"{customer.ref}-{n}"
        while True:
            try:
                async with session.post(
                    f"{stack.url}/api/v1/messages",
                    json={"customer": customer.ref, "conversation": CONVERSATION, "text": outcome.text},
                    headers={"Authorization": f"Bearer {stack.api_key}", "Idempotency-Key": key},
                ) as response:
                    body = await response.json(content_type=None)
                    if response.status == 200:
                        texts = [reply.get("text") for reply in body.get("replies", [])]
                        if texts == [APOLOGY.text]:
                            # Stored, and told plainly it failed; a retry with the same key
                            # would only replay this answer.
                            outcome.told_failed = True
                            customer.failed_at.append(time.monotonic())
                            break
                        else:
                            outcome.answered, outcome.answered_at = True, time.monotonic()
                            outcome.told_failed = False
                            break
                    else:
                        outcome.told_failed = bool(body.get("error"))  # a plain refusal
                        customer.failed_at.append(time.monotonic())
                        if response.status in (429, 503) and "Retry-After" in response.headers:
                            customer.shed += 1
                    wait = float(response.headers.get("Retry-After", "1"))
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                outcome.told_failed = True  # the integration sees the request fail
                customer.failed_at.append(time.monotonic())
                wait = 1.0
            if time.monotonic() + wait > deadline:
                break
            await asyncio.sleep(wait)
        await asyncio.sleep(think)


def pid_of(stack: Stack, name: str) -> int:
    pids = [int(pid) for line in stack.output for found, pid in re.findall(r"starting (\w+) \(pid (\d+)", line)
            if found == name]
    return pids[-1]


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


async def kill(stack: Stack, name: str) -> None:
    os.killpg(pid_of(stack, name), signal.SIGKILL)


async def lock_sqlite(stack: Stack, seconds: float = 8.0) -> None:
    """Another writer holds the profile store's write lock for `seconds`."""
    connection = sqlite3.connect(stack.data_dir / "profile.db", timeout=30, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        await asyncio.sleep(seconds)
    finally:
        connection.execute("COMMIT")
        connection.close()


async def stored_messages(stack: Stack, customers: list[Customer]) -> dict[str, int]:
    """How many times each drill text is stored as a customer message."""
    store = await open_store(f"sqlite+aiosqlite:///{stack.data_dir / 'profile.db'}")
    counts: dict[str, int] = {}
    try:
        for customer in customers:
            customer_id = await store.find_customer("api", customer.ref)
            if customer_id is None:
                continue
            try:
                transcript = await store.transcript(conversation_id_for(customer_id, CONVERSATION),
                                                    limit=1_000_000)
            except Exception:  # noqa: BLE001 - no conversation: nothing stored
                continue
            for message in transcript:
                if message.sender == "customer":
                    counts[message.text] = counts.get(message.text, 0) + 1
    finally:
        await store.close()
    return counts


async def wait_until_answering(stack: Stack, timeout: float = 600.0) -> None:
    """Until a probe customer gets a proper answer: every process is up again."""
    end = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        while time.monotonic() < end:
            try:
                async with session.post(
                    f"{stack.url}/api/v1/messages", json={"customer": "drill-probe", "text": "hello"},
                    headers={"Authorization": f"Bearer {stack.api_key}"},
                ) as response:
                    body = await response.json(content_type=None)
                    if response.status == 200 and [r.get("text") for r in body["replies"]] != [APOLOGY.text]:
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError):
                pass
            await asyncio.sleep(1)
    raise RuntimeError("the stack did not answer again")


async def drill(stack: Stack, name: str, fault, *, customers: int, load_seconds: float, think: float,
                fault_after: float = 3.0, retry_for: float = 60.0) -> dict:
    await wait_until_answering(stack)
    crowd = [Customer(f"{name}-{i}") for i in range(customers)]
    load_until = time.monotonic() + load_seconds
    end = load_until + retry_for
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        talking = [asyncio.create_task(converse(session, stack, c, think=think, load_until=load_until, deadline=end)) for c in crowd]
        await asyncio.sleep(fault_after)
        faulted_at = time.monotonic()
        await fault(stack)
        await asyncio.gather(*talking)
    outcomes = [o for c in crowd for o in c.outcomes]
    stored = await stored_messages(stack, crowd)
    # Recovered: the last failure after the fault, with a proper answer after it.
    last_failure = max([at for c in crowd for at in c.failed_at if at >= faulted_at], default=faulted_at)
    after = [o.answered_at for o in outcomes if o.answered_at and o.answered_at > last_failure]
    lost = [o.text for o in outcomes
            if (o.answered and not stored.get(o.text))
            or (stored.get(o.text) and not (o.answered or o.told_failed))]
    return {
        "drill": name, "sent": len(outcomes),
        "stored": sum(1 for o in outcomes if stored.get(o.text)),
        "answered": sum(o.answered for o in outcomes),
        "told_failed": sum(o.told_failed and not o.answered for o in outcomes),
        "lost": len(lost),
        "recorded_twice": sum(1 for o in outcomes if stored.get(o.text, 0) > 1),
        "shed_with_retry_after": sum(c.shed for c in crowd),
        "recover_seconds": round(last_failure - faulted_at, 1) if after else None,
        "gateway_rss_mb": rss_mb(pid_of(stack, "gateway")),
    }


async def overload(stack: Stack) -> None:
    """No extra fault: the crowd itself is 5x what the gateway takes at once."""


# Load lasts past the time the faulted process takes to come back (the engine loads its model).
DRILLS = {
    "kill-engine": (lambda s: kill(s, "engine"), dict(customers=6, load_seconds=150, think=1.0)),
    "kill-actions": (lambda s: kill(s, "actions"), dict(customers=6, load_seconds=40, think=1.0)),
    "kill-gateway": (lambda s: kill(s, "gateway"), dict(customers=6, load_seconds=40, think=1.0)),
    "sqlite-locked": (lock_sqlite, dict(customers=6, load_seconds=25, think=1.0)),
    "overload-5x": (overload, dict(customers=40, load_seconds=20, think=0.0, fault_after=0.0)),
}
MAX_TURNS_IN_FLIGHT = 8  # the drill stack's capacity; overload-5x runs 40 customers at once


def drill_stack(data_dir: Path) -> Stack:
    """A stack whose capacity is MAX_TURNS_IN_FLIGHT, and with no per-IP limits: every
    scripted customer comes from 127.0.0.1."""
    stack = Stack(data_dir)
    stack.env.update(
        RAPPORT_MAX_TURNS_IN_FLIGHT=str(MAX_TURNS_IN_FLIGHT),
        RAPPORT_RATE_IP_BURST="0", RAPPORT_RATE_NEW_VISITOR_BURST="0",
    )
    return stack


async def main(names: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="rapport-drill-") as data_dir:
        stack = drill_stack(Path(data_dir))
        stack.start()
        failed = False
        try:
            for name in names:
                fault, load = DRILLS[name]
                result = await drill(stack, name, fault, **load)
                print(json.dumps(result), flush=True)
                failed |= bool(result["lost"] or result["recorded_twice"] or result["recover_seconds"] is None)
                if stack.process is None or stack.process.poll() is not None:
                    print(json.dumps({"drill": name, "error": "the stack stopped"}), flush=True)
                    return 1
        finally:
            stack.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drills", nargs="*", choices=list(DRILLS), help="default: all of them")
    sys.exit(asyncio.run(main(parser.parse_args().drills or list(DRILLS))))
