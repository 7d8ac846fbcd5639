"""Whole-stack throughput and latency at 50 concurrent customers, against a vanilla `rasa init` bot.

    python -m benchmarks.throughput                 # Rapport: gateway + engine + actions + stores
    python -m benchmarks.throughput --vanilla       # a fresh `rasa init` bot on Rasa's REST channel

Both run with a SQL tracker store (SQLite). Figures are printed last as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

from benchmarks.load import run_load
from bot.conversations import APOLOGY
from bot.settings import REPO_ROOT
from bot.engine.processes import ENGINE_PYTHON, engine_env

SCRIPT = [
    "hello",
    "Ann",
    "I need a faster broadband plan for working from home, under 40 a month, before September",
    "what do you know about me?",
    "thanks",
    "are you a bot?",
]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 900, process: subprocess.Popen | None = None) -> None:
    """Wait until url answers; give up early if process (the server behind it) has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the process behind {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def start_rapport(workdir: Path) -> tuple[subprocess.Popen, str, dict[str, str]]:
    port = free_port()
    env = dict(
        os.environ, PYTHONPATH=str(REPO_ROOT), RAPPORT_DATA_DIR=str(workdir),
        RAPPORT_MODELS_DIR=str(REPO_ROOT / "var" / "models"), RAPPORT_API_KEY="bench-key",
        RAPPORT_PORT=str(port), RAPPORT_ENGINE_PORT=str(free_port()), RAPPORT_ACTIONS_PORT=str(free_port()),
        # The load comes from one IP: lift the per-IP and per-session limits for the measurement.
        RAPPORT_RATE_IP_BURST="1000000", RAPPORT_RATE_IP_PER_SECOND="1000000",
        RAPPORT_RATE_NEW_VISITOR_BURST="0", RAPPORT_WEB_MAX_SOCKETS_PER_IP="0",
        RAPPORT_RATE_SESSION_BURST="1000000", RAPPORT_RATE_SESSION_PER_SECOND="1000000",
    )
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_http(f"http://127.0.0.1:{port}/health")
    url, headers = f"http://127.0.0.1:{port}/api/v1/messages", {"Authorization": "Bearer bench-key"}
    wait_answered(url, headers)
    return process, url, headers


def wait_answered(url: str, headers: dict[str, str], timeout: float = 900) -> None:
    """The gateway is up before the engine and the action server: until they are, every
    message gets the apology, a fast 200 that must not be measured as an answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            url, data=json.dumps({"customer": "bench-probe", "text": "hello"}).encode(),
            headers={**headers, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if not is_apology(json.loads(response.read())):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {timeout:.0f} s")


def is_apology(body: dict) -> bool:
    return any(reply.get("text") == APOLOGY.text for reply in body.get("replies", []))


def start_vanilla(workdir: Path) -> tuple[subprocess.Popen, str, dict[str, str]]:
    rasa = [str(ENGINE_PYTHON), "-m", "rasa"]
    project = workdir / "vanilla"
    if not (project / "models").exists():
        project.mkdir(parents=True, exist_ok=True)
        subprocess.run([*rasa, "init", "--no-prompt", "--init-dir", str(project)], check=True,
                       env=engine_env(), stdout=subprocess.DEVNULL)
    (project / "endpoints.yml").write_text(
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {project / 'tracker.db'}\n"
    )
    port = free_port()
    process = subprocess.Popen(
        [*rasa, "run", "--interface", "127.0.0.1", "--port", str(port), "--endpoints", "endpoints.yml"],
        cwd=project, env=engine_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_http(f"http://127.0.0.1:{port}/")
    return process, f"http://127.0.0.1:{port}/webhooks/rest/webhook", {}


def rss_mb(pid: int) -> float:
    """Resident memory of a process tree, from /proc."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pending.extend(int(child) for child in children)
        except (OSError, StopIteration):
            continue
    return round(total / 1024, 1)


async def measure(url: str, headers: dict[str, str], *, vanilla: bool, users: int, seconds: float) -> dict:
    run_id = os.urandom(3).hex()

    async def send(session: aiohttp.ClientSession, user: int, turn: int) -> bool:
        cycle, step = divmod(turn, len(SCRIPT))
        customer = f"bench-{run_id}-{user}-{cycle}"
        text = SCRIPT[step] if not vanilla else ["hello", "I am great", "bye"][turn % 3]
        body = {"sender": customer, "message": text} if vanilla else {"customer": customer, "text": text}
        try:
            async with session.post(url, json=body, headers=headers) as response:
                if response.status != 200:
                    return False
                # Rapport's apology (engine or action server failing) is a 200 but no answer.
                return vanilla or not is_apology(await response.json())
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False  # counted as an error, like a non-200 answer

    result = await run_load(send, users=users, seconds=seconds)
    return result.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vanilla", action="store_true")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    if args.vanilla:
        cache = REPO_ROOT / "var" / "bench-vanilla"
        cache.mkdir(parents=True, exist_ok=True)
        workdir = cache
    process, url, headers = (start_vanilla if args.vanilla else start_rapport)(workdir)
    try:
        figures = asyncio.run(measure(url, headers, vanilla=args.vanilla, users=args.users, seconds=args.seconds))
        figures["rss_mb"] = rss_mb(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(60)
        if not args.vanilla:
            shutil.rmtree(workdir, ignore_errors=True)
    figures.update(target="vanilla-rasa-init" if args.vanilla else "rapport", users=args.users)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
