"""200 concurrent web chat sessions over WebSockets through the gateway.

The gateway runs as its own process, as in production, in front of an engine stand-in that
answers at once; so the latency measured is what the gateway itself adds (WebSocket, session
check, rate limit, transcript writes, the engine hop). Two runs:

- paced: every session sends a message every --think seconds (a busy chat site); the
  latency here is the gateway's added latency per message;
- flat out: every session sends its next message as soon as the reply arrives; the
  throughput here is the gateway's capacity.

    python -m benchmarks.channels [--sessions 200] [--seconds 30] [--think 2]

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
from aiohttp import web

from benchmarks.load import LoadResult
from benchmarks.throughput import free_port, rss_mb, wait_http
from bot.settings import REPO_ROOT
from memory import migrate


async def start_instant_engine(port: int) -> web.AppRunner:
    """Answers like `rasa run`'s REST channel, and like the action server's health check."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response([{"recipient_id": body["sender"], "text": f"echo: {body['message']}"}])

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/health", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def start_gateway(data_dir: Path, engine_port: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(
        os.environ, PYTHONPATH=str(REPO_ROOT), RAPPORT_DATA_DIR=str(data_dir), RAPPORT_PORT=str(port),
        RAPPORT_ENGINE_PORT=str(engine_port), RAPPORT_ACTIONS_PORT=str(engine_port),
        # All the load comes from one IP and the sessions are busy: lift the limits.
        RAPPORT_RATE_IP_BURST="0", RAPPORT_RATE_SESSION_BURST="1000000",
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
                       think: float, result: LoadResult, measure_from: float) -> None:
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
                if ok:
                    result.latencies.append(done - sent)
                else:
                    result.errors += 1
            turn += 1
            if think:
                await asyncio.sleep(max(0.0, think - (done - sent)))


async def run(base: str, sessions: int, seconds: float, think: float) -> dict:
    result = LoadResult(seconds=seconds)
    warmup = think + 2
    start = time.monotonic()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(
            chat_session(http, base, i, start + warmup + seconds, think, result, start + warmup)
            for i in range(sessions)
        ))
    return result.summary()


async def main_async(args: argparse.Namespace) -> dict:
    engine_port = free_port()
    runner = await start_instant_engine(engine_port)
    with tempfile.TemporaryDirectory(prefix="rapport-bench-channels-") as tmp:
        process, port = await asyncio.to_thread(start_gateway, Path(tmp), engine_port)
        base = f"http://127.0.0.1:{port}"
        try:
            paced = await run(base, args.sessions, args.seconds, args.think)
            flat_out = await run(base, args.sessions, args.seconds, 0)
            memory = rss_mb(process.pid)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
            await runner.cleanup()
    return {
        "sessions": args.sessions,
        "paced_think_s": args.think,
        "gateway_added_p50_ms": paced["p50_ms"],
        "gateway_added_p95_ms": paced["p95_ms"],
        "gateway_added_p99_ms": paced["p99_ms"],
        "paced_throughput_msg_s": paced["throughput_msg_s"],
        "paced_errors": paced["errors"],
        "flat_out_throughput_msg_s": flat_out["throughput_msg_s"],
        "flat_out_p50_ms": flat_out["p50_ms"],
        "flat_out_p99_ms": flat_out["p99_ms"],
        "flat_out_errors": flat_out["errors"],
        "gateway_rss_mb": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=2.0)
    figures = asyncio.run(main_async(parser.parse_args()))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
