"""Handoff benchmark: 50 agents and 500 customers waiting or in a handoff, through a real gateway.

`make bench-handoff` runs `python -m benchmarks.handoff` from the repository root.

- The gateway is the real one (`python -m bot gateway`, its own process) on a fresh SQLite
  profile database (--postgres: a fresh PostgreSQL one); a stand-in engine (another
  process) answers "I want a human" with the bot's handoff payload and takes the pause,
  resume and execute calls a handoff makes.
- 500 customers open web chats over the widget's WebSocket and ask for a person.
  50 agents sign in (argon2, sessions, CSRF as in the console), each keeps the queue page
  open over the console WebSocket, and claims 5 customers, one tab per conversation:
  250 conversations are with an agent, 250 wait.
- Measured, with everybody connected: each of the 250 pairs exchanges messages, each
  side every ~10 s (--think; live chat is typically slower, 20-60 s), so ~50 messages/s;
  each waiting customer adds a line every ~30 s (--waiting-every), and agents keep
  claiming from the queue, so it moves. A customer's message is timed from the WebSocket
  send to the agent's tab receiving it; an agent's reply from the HTTP POST to the
  customer's WebSocket receiving it. `--think 5` doubles the rate (a stress run).

Figures are printed last, as one JSON line (milliseconds). Target: p99 < 200 ms both ways.

    python -m benchmarks.handoff                     # the full scenario
    python -m benchmarks.handoff --redis             # live events through Redis pub/sub
    python -m benchmarks.handoff --agents 5 --customers 50 --rounds 3   # a quick run
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from benchmarks.throughput import free_port, wait_http

REPO_ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark agent password"
RULES = "staffed_hours: {always: true}\nqueue: {minutes_per_customer: 5, update_every_seconds: 60}\n"


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


# --- the stand-in engine (its own process) ---------------------------------------------------

def serve_engine(port: int) -> None:
    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        if "human" in body["message"]:
            return web.json_response([
                {"recipient_id": body["sender"], "text": "Of course. I'm bringing in a colleague."},
                {"recipient_id": body["sender"], "custom": {"handoff": {"reason": "customer_asked"}}},
            ])
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    async def ok(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def execute(_: web.Request) -> web.Response:
        return web.json_response({"messages": [{"text": "How was your experience today?"}]})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/health", ok)
    app.router.add_post("/conversations/{cid}/tracker/events", ok)
    app.router.add_post("/conversations/{cid}/messages", ok)
    app.router.add_post("/conversations/{cid}/execute", execute)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- setting up ------------------------------------------------------------------------------

def prepare(data_dir: Path, agents: int, env: dict[str, str]) -> None:
    """Migrate the database and create the agent accounts (one hash shared: setup speed)."""
    script = f"""
import asyncio
from datetime import datetime, timezone
from memory import migrate
from bot.settings import Settings
from memory import open_staff_database
from bot.accounts.passwords import Passwords

settings = Settings.from_env()
settings.data_dir.mkdir(parents=True, exist_ok=True)
migrate(settings.profile_db_url)

async def main():
    staff_db = open_staff_database(settings.profile_db_url)
    store = staff_db.staff
    password_hash = Passwords().hash_sync({PASSWORD!r})
    now = datetime.now(timezone.utc)
    for n in range({agents}):
        await store.create_account(f"agent{{n}}", f"Agent {{n}}", "agent", password_hash, now=now)
    await staff_db.close()

asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO_ROOT, check=True)


# --- the people ------------------------------------------------------------------------------

@dataclass
class Customer:
    ws: aiohttp.ClientWebSocketResponse
    tag: str
    pending: dict[str, asyncio.Future] = field(default_factory=dict)
    sent: int = 0

    async def read(self) -> None:
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            if data.get("type") == "message" and data.get("sender") == "agent":
                future = self.pending.pop(data["text"], None)
                if future is not None and not future.done():
                    future.set_result(time.perf_counter())

    async def say(self, text: str) -> None:
        self.sent += 1
        await self.ws.send_json({"type": "message", "id": f"b{self.sent}", "text": text})


@dataclass
class Tab:
    """One console WebSocket: the queue page, or one conversation."""

    ws: aiohttp.ClientWebSocketResponse
    pending: dict[str, asyncio.Future] = field(default_factory=dict)
    events: int = 0
    watching: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self) -> None:
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            self.events += 1
            data = json.loads(frame.data)
            if data.get("type") == "watching":
                self.watching.set()
            elif data.get("type") == "message" and data.get("sender") == "customer":
                future = self.pending.pop(data["text"], None)
                if future is not None and not future.done():
                    future.set_result(time.perf_counter())


@dataclass
class Agent:
    session: aiohttp.ClientSession
    csrf: str
    queue_tab: Tab | None = None
    tabs: dict[int, Tab] = field(default_factory=dict)


async def new_customer(http: aiohttp.ClientSession, base: str) -> Customer:
    async with http.post(f"{base}/web/session", json={}) as response:
        token = (await response.json())["token"]
    ws = await http.ws_connect(f"{base}/web/ws", max_msg_size=0)
    await ws.send_json({"type": "hello", "token": token})
    while True:
        data = json.loads((await ws.receive()).data)
        if data["type"] == "ready":
            break
    customer = Customer(ws, uuid.uuid4().hex[:12])
    await ws.send_json({"type": "message", "id": "ask", "text": f"I want a human please ({customer.tag})"})
    while True:
        data = json.loads((await ws.receive()).data)
        if data["type"] == "typing" and not data["on"]:
            return customer


async def sign_in(base: str, n: int) -> Agent:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get(f"{base}/staff/login") as response:
        form = await response.text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    async with session.post(f"{base}/staff/login", allow_redirects=False, data={
        "username": f"agent{n}", "password": PASSWORD, "csrf_token": token,
    }) as response:
        assert response.status == 303, await response.text()
    async with session.get(f"{base}/staff/me") as response:
        csrf = (await response.json())["csrf_token"]
    return Agent(session, csrf)


async def open_tab(agent: Agent, base: str, handoff_id: int | None = None) -> Tab:
    ws = await agent.session.ws_connect(f"{base.replace('http', 'ws')}/console/ws", max_msg_size=0)
    tab = Tab(ws)
    asyncio.create_task(tab.read())
    if handoff_id is not None:
        await ws.send_json({"type": "watch", "handoff_id": handoff_id})
        await asyncio.wait_for(tab.watching.wait(), 30)
    return tab


async def post(agent: Agent, url: str, payload: dict[str, Any] | None = None) -> tuple[int, Any]:
    async with agent.session.post(url, json=payload or {}, headers={"X-CSRF-Token": agent.csrf}) as response:
        return response.status, await response.json()


async def gather_limited(limit: int, factories) -> list:
    semaphore = asyncio.Semaphore(limit)

    async def run(factory):
        async with semaphore:
            return await factory()

    return await asyncio.gather(*(run(f) for f in factories))


# --- the scenario ----------------------------------------------------------------------------

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.handoff", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--claims-per-agent", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=6, help="messages each way per conversation")
    parser.add_argument("--think", type=float, default=10.0,
                        help="mean seconds between a pair's exchanges (uniform, 0.5x to 1.5x)")
    parser.add_argument("--waiting-every", type=float, default=30.0,
                        help="mean seconds between messages from each waiting customer")
    parser.add_argument("--redis", action="store_true", help="live events through RAPPORT_REDIS_URL or local Redis")
    parser.add_argument("--postgres", action="store_true",
                        help="profile and staff data in a fresh PostgreSQL database (dropped afterwards)")
    parser.add_argument("--serve-engine", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_engine:
        serve_engine(args.serve_engine)
        return 0

    data_dir = Path(tempfile.mkdtemp(prefix="bench-handoff-"))
    (data_dir / "rules.yml").write_text(RULES, encoding="utf-8")
    engine_port, gateway_port = free_port(), free_port()
    redis_url = os.environ.get("RAPPORT_REDIS_URL", "redis://127.0.0.1:6379/0") if args.redis else ""
    env = dict(
        os.environ, PYTHONPATH=str(REPO_ROOT), RAPPORT_DATA_DIR=str(data_dir),
        RAPPORT_PORT=str(gateway_port), RAPPORT_ENGINE_PORT=str(engine_port),
        RAPPORT_ACTIONS_PORT=str(engine_port), RAPPORT_HANDOFF_RULES=str(data_dir / "rules.yml"),
        RAPPORT_RATE_SESSION_BURST="0", RAPPORT_RATE_IP_BURST="0", RAPPORT_REDIS_URL=redis_url,
        RAPPORT_RATE_NEW_VISITOR_BURST="0", RAPPORT_WEB_MAX_SOCKETS_PER_IP="0",
        RAPPORT_ENGINE_TOKEN="bench-engine-token", RAPPORT_TELEGRAM_TOKEN="",
    )
    database = "sqlite"
    if args.postgres:
        name = f"bench_handoff_{uuid.uuid4().hex[:10]}"
        admin = os.environ.get("MEMORY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        subprocess.run(["psql", admin, "-q", "-c", f'CREATE DATABASE "{name}"'], check=True)
        env["RAPPORT_PROFILE_DB_URL"] = admin.rsplit("/", 1)[0].replace("postgresql:", "postgresql+asyncpg:") + "/" + name
        database = "postgresql"
    log(f"preparing {data_dir}")
    prepare(data_dir, args.agents, env)
    processes = [
        subprocess.Popen([sys.executable, "-m", "benchmarks.handoff", "--serve-engine", str(engine_port)],
                         cwd=REPO_ROOT, env=env),
        subprocess.Popen([sys.executable, "-m", "bot", "gateway"], cwd=REPO_ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=open(data_dir / "gateway.log", "w")),
    ]
    try:
        wait_http(f"http://127.0.0.1:{engine_port}/health", timeout=60, process=processes[0])
        wait_http(f"http://127.0.0.1:{gateway_port}/health", timeout=60, process=processes[1])
        figures = asyncio.run(scenario(f"http://127.0.0.1:{gateway_port}", args))
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        if args.postgres:
            subprocess.run(["psql", admin, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
    result = {
        "benchmark": "handoff", "agents": args.agents, "customers": args.customers,
        "broker": "redis" if redis_url else "memory", "database": database,
        "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "rounds": args.rounds, "think_seconds": args.think, "waiting_every_seconds": args.waiting_every,
        "target_p99_ms": 200, **figures,
    }
    result["meets_target"] = (
        figures["customer_to_agent_ms"].get("p99", 1e9) < 200 and figures["agent_to_customer_ms"].get("p99", 1e9) < 200
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
