"""The measured scenario: customers queue, agents claim them, and each pair exchanges messages
while the waiting customers chatter and the queue moves."""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from typing import Any

import aiohttp

from benchmarks.handoff.people import (
    Agent, Customer, Tab, gather_limited, new_customer, open_tab, post, sign_in,
)


def log(message: str) -> None:
    print(f"[bench-handoff] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values), "p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2),
        "p99": round(percentile(values, 99), 2), "max": round(max(values), 2),
        "mean": round(statistics.fmean(values), 2),
    }


async def scenario(base: str, args: argparse.Namespace) -> dict[str, Any]:
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    started = time.perf_counter()
    customers = await gather_limited(25, [lambda: new_customer(http, base) for _ in range(args.customers)])
    readers = [asyncio.create_task(c.read()) for c in customers]
    log(f"{len(customers)} customers queued in {time.perf_counter() - started:.1f} s")

    agents = await gather_limited(10, [lambda n=n: sign_in(base, n) for n in range(args.agents)])
    for agent in agents:
        agent.queue_tab = await open_tab(agent, base)
    async with agents[0].session.get(f"{base}/console/api/queue") as response:
        queue = (await response.json())["handoffs"]
    log(f"{len(agents)} agents signed in; {len(queue)} handoffs waiting")

    # Each agent claims its share of the queue (one tab per conversation).
    waiting_ids = [h["id"] for h in queue if h["status"] == "waiting"]
    per_agent = args.claims_per_agent
    pairs: list[tuple[Agent, Tab, int, Customer]] = []
    by_tag = {c.tag: c for c in customers}
    customer_of = {h["id"]: by_tag[h["words"].rsplit("(", 1)[1].rstrip(")")] for h in queue}
    claims = []
    for index, agent in enumerate(agents):
        for handoff_id in waiting_ids[index * per_agent:(index + 1) * per_agent]:
            claims.append((agent, handoff_id))

    async def claim(agent: Agent, handoff_id: int) -> None:
        status, body = await post(agent, f"{base}/console/api/handoffs/{handoff_id}/claim")
        assert status == 200, body
        tab = await open_tab(agent, base, handoff_id)
        agent.tabs[handoff_id] = tab
        pairs.append((agent, tab, handoff_id, customer_of[handoff_id]))

    await gather_limited(20, [lambda a=a, h=h: claim(a, h) for a, h in claims])
    still_waiting = [customer_of[h] for h in waiting_ids[len(claims):]]
    log(f"{len(pairs)} conversations with an agent, {len(still_waiting)} waiting")
    await asyncio.sleep(1.0)

    to_agent: list[float] = []
    to_customer: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()

    async def exchange(agent: Agent, tab: Tab, handoff_id: int, customer: Customer) -> None:
        nonlocal failures
        await asyncio.sleep(random.uniform(0, args.think))  # people do not all start typing at once
        for round_ in range(args.rounds):
            text = f"c{handoff_id}-{round_}-{uuid.uuid4().hex[:6]}"
            arrived = loop.create_future()
            tab.pending[text] = arrived
            sent_at = time.perf_counter()
            await customer.say(text)
            try:
                to_agent.append((await asyncio.wait_for(arrived, 10)) - sent_at)
            except asyncio.TimeoutError:
                failures += 1
            text = f"a{handoff_id}-{round_}-{uuid.uuid4().hex[:6]}"
            arrived = loop.create_future()
            customer.pending[text] = arrived
            sent_at = time.perf_counter()
            status, _ = await post(agent, f"{base}/console/api/handoffs/{handoff_id}/reply", {"text": text})
            try:
                if status != 200:
                    raise asyncio.TimeoutError
                to_customer.append((await asyncio.wait_for(arrived, 10)) - sent_at)
            except asyncio.TimeoutError:
                failures += 1
            await asyncio.sleep(random.uniform(0.5, 1.5) * args.think)

    async def waiting_chatter(customer: Customer) -> None:
        """A waiting customer adds a line now and then (and hears their place at times)."""
        await asyncio.sleep(random.uniform(0, args.waiting_every))
        while True:
            await customer.say(f"still waiting {customer.sent}")
            await asyncio.sleep(random.uniform(0.5, 1.5) * args.waiting_every)

    async def queue_moves() -> None:
        """Agents keep taking customers from the queue, so queue events keep flowing."""
        spare = waiting_ids[len(claims):]
        for n, handoff_id in enumerate(spare[: args.rounds * 5]):
            await post(agents[n % len(agents)], f"{base}/console/api/handoffs/{handoff_id}/claim")
            await asyncio.sleep(0.2)

    measure_started = time.perf_counter()
    background = [asyncio.create_task(waiting_chatter(c)) for c in still_waiting]
    background.append(asyncio.create_task(queue_moves()))
    await asyncio.gather(*(exchange(*pair) for pair in pairs))
    elapsed = time.perf_counter() - measure_started
    for task in background:
        task.cancel()
    waiting_messages = sum(c.sent - 1 for c in still_waiting)
    log(f"measured {len(to_agent)} + {len(to_customer)} messages in {elapsed:.1f} s ({failures} failures)")

    events = sum(a.queue_tab.events for a in agents) + sum(t.events for a in agents for t in a.tabs.values())
    for task in readers:
        task.cancel()
    for agent in agents:
        await agent.session.close()
    await http.close()
    return {
        "customer_to_agent_ms": summary([v * 1000 for v in to_agent]),
        "agent_to_customer_ms": summary([v * 1000 for v in to_customer]),
        "failures": failures,
        "messages_per_second": round((len(to_agent) + len(to_customer) + waiting_messages) / elapsed, 1),
        "measured_seconds": round(elapsed, 1),
        "console_events_received": events,
        "in_handoff": len(pairs),
        "waiting": len(still_waiting),
    }
