"""`python -m benchmarks.handoff`: sets up a fresh database and agents, starts the stand-in
engine and the real gateway, runs the scenario and prints the figures."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from aiohttp import web

from benchmarks import handoff
from benchmarks.handoff.people import PASSWORD
from benchmarks.handoff.scenario import log, scenario
from benchmarks.throughput import free_port, wait_http

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
RULES = "staffed_hours: {always: true}\nqueue: {minutes_per_customer: 5, update_every_seconds: 60}\n"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.handoff", description=handoff.__doc__,
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
