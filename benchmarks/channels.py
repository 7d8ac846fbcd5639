"""200 concurrent web chat sessions over WebSockets through the gateway.

The gateway runs as its own process, as in production, in front of an engine stand-in
(benchmarks.engine_standin, another process) that answers after a fixed delay and reports
how long it held each message. What the customer waited, minus the engine's own time for
that message, is what the gateway added: WebSocket, session check, rate limit, transcript
writes, the handoff check and the HTTP hop to the engine. Two runs:

- paced: every session sends a message every --think seconds (a busy chat site); the
  latency here is the gateway's added latency per message;
- flat out: every session sends its next message as soon as the reply arrives; the
  throughput here is the gateway's capacity.

    python -m benchmarks.channels [--sessions 200] [--seconds 30] [--think 2] [--engine-ms 20]

Figures are printed last, as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import uvloop

from benchmarks.load import LoadResult
from benchmarks.throughput import free_port, rss_mb, wait_http
from bot.settings import REPO_ROOT
from memory import migrate


def start_engine_standin(delay_ms: float) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.engine_standin", str(port), "--delay-ms", str(delay_ms)],
        cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)), start_new_session=True,
    )
    wait_http(f"http://127.0.0.1:{port}/health", timeout=60)
    return process, port


def start_gateway(data_dir: Path, engine_port: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(
        os.environ, PYTHONPATH=str(REPO_ROOT), RAPPORT_DATA_DIR=str(data_dir), RAPPORT_PORT=str(port),
        RAPPORT_ENGINE_PORT=str(engine_port), RAPPORT_ACTIONS_PORT=str(engine_port),
        # All the load comes from one IP and the sessions are busy: lift the limits.
        RAPPORT_RATE_IP_BURST="0", RAPPORT_RATE_SESSION_BURST="1000000",
        RAPPORT_RATE_NEW_VISITOR_BURST="0", RAPPORT_WEB_MAX_SOCKETS_PER_IP="0",
        RAPPORT_RATE_SESSION_PER_SECOND="1000000",
    )
    migrate(f"sqlite+aiosqlite:///{data_dir / 'profile.db'}")
    log = open(data_dir / "gateway.log", "wb")  # noqa: SIM115 - the child owns it
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "gateway"], cwd=REPO_ROOT, env=env,
        stdout=log, stderr=log, start_new_session=True,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/health", timeout=60)
    except SystemExit:
        sys.stderr.write((data_dir / "gateway.log").read_text()[-3000:])
        raise
    return process, port


async def chat_session(http: aiohttp.ClientSession, base: str, index: int, stop_at: float,
                       think: float, waited: dict[str, float], measure_from: float) -> None:
    async with http.post(f"{base}/web/session", json={}) as response:
        token = (await response.json())["token"]
    async with http.ws_connect(f"{base}/web/ws", max_msg_size=0) as ws:
        await ws.send_json({"type": "hello", "token": token})
        while (await ws.receive_json()).get("type") != "ready":
            pass
        if think:
            await asyncio.sleep(random.uniform(0, think))  # spread the sessions out
        turn = 0
        while (sent := time.monotonic()) < stop_at:
            message_id = f"s{index}-{turn}"
            await ws.send_json({"type": "message", "id": message_id, "text": f"hello {turn}"})
            ok = False
            while True:
                frame = await ws.receive_json(timeout=30)
                if frame.get("type") == "error":
                    break
                if frame.get("type") == "typing" and frame.get("on") is False:
                    ok = True
                    break
            done = time.monotonic()
            if sent >= measure_from and done <= stop_at:
                waited[message_id] = done - sent if ok else -1.0
            turn += 1
            if think:
                await asyncio.sleep(max(0.0, think - (done - sent)))


async def run(base: str, engine: str, sessions: int, seconds: float, think: float) -> dict:
    """One run: what the customers waited, and what of that the gateway added."""
    waited: dict[str, float] = {}
    warmup = think + 2
    start = time.monotonic()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(
            chat_session(http, base, i, start + warmup + seconds, think, waited, start + warmup)
            for i in range(sessions)
        ))
        async with http.get(f"{engine}/timings") as response:
            in_engine: dict[str, float] = await response.json()
    end_to_end, added = LoadResult(seconds=seconds), LoadResult(seconds=seconds)
    for message_id, latency in waited.items():
        if latency < 0 or message_id not in in_engine:
            end_to_end.errors += 1
            continue
        end_to_end.latencies.append(latency)
        added.latencies.append(latency - in_engine[message_id])
    engine_times = LoadResult(latencies=list(in_engine.values()))
    return {"end_to_end": end_to_end.summary(), "added": added.summary(),
            "engine_p50_ms": engine_times.summary()["p50_ms"]}


async def main_async(args: argparse.Namespace) -> dict:
    engine_process, engine_port = await asyncio.to_thread(start_engine_standin, args.engine_ms)
    try:
        with tempfile.TemporaryDirectory(prefix="rapport-bench-channels-") as tmp:
            process, port = await asyncio.to_thread(start_gateway, Path(tmp), engine_port)
            base, engine = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{engine_port}"
            try:
                paced = await run(base, engine, args.sessions, args.seconds, args.think)
                flat_out = await run(base, engine, args.sessions, args.seconds, 0)
                memory = rss_mb(process.pid)
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
    finally:
        os.killpg(engine_process.pid, signal.SIGTERM)
        engine_process.wait(30)
    figures = {
        "sessions": args.sessions,
        "paced_think_s": args.think,
        "engine_standin_ms": args.engine_ms,
        "engine_p50_ms": paced["engine_p50_ms"],
        "paced_throughput_msg_s": paced["end_to_end"]["throughput_msg_s"],
    }
    for figure, part in (("message_to_reply", "end_to_end"), ("gateway_added", "added")):
        figures.update({f"{figure}_{p}_ms": paced[part][f"{p}_ms"] for p in ("p50", "p95", "p99")})
    return {
        **figures,
        "paced_errors": paced["end_to_end"]["errors"],
        "flat_out_throughput_msg_s": flat_out["end_to_end"]["throughput_msg_s"],
        "flat_out_message_to_reply_p50_ms": flat_out["end_to_end"]["p50_ms"],
        "flat_out_message_to_reply_p99_ms": flat_out["end_to_end"]["p99_ms"],
        "flat_out_gateway_added_p99_ms": flat_out["added"]["p99_ms"],
        "flat_out_errors": flat_out["end_to_end"]["errors"],
        "gateway_rss_mb": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--engine-ms", type=float, default=20.0, help="the stand-in engine's delay per message")
    # The load and the engine stand-in run on uvloop too, so that as little as possible of
    # the harness's own overhead is counted as the gateway's.
    figures = uvloop.run(main_async(parser.parse_args()))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
