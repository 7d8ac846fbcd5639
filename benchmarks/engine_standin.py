"""An engine stand-in for gateway benchmarks, in a process of its own.

It answers like `rasa run`'s REST channel (and like the action server's health check)
after a fixed delay, and keeps how long it took over each message, by the message id
the gateway passes in the metadata, so a benchmark can take the engine's time out of
what the customer waited and see what the gateway itself added.

    python -m benchmarks.engine_standin PORT [--delay-ms 20]

GET /timings returns {message id: seconds in the engine} and forgets them.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import uvloop
from aiohttp import web


def create_app(delay: float) -> web.Application:
    timings: dict[str, float] = {}

    async def webhook(request: web.Request) -> web.Response:
        started = time.perf_counter()
        body = await request.json()
        if delay:
            await asyncio.sleep(delay)
        response = web.json_response([{"recipient_id": body["sender"], "text": f"echo: {body['message']}"}])
        message_id = (body.get("metadata") or {}).get("message_id")
        if message_id:
            timings[message_id] = time.perf_counter() - started
        return response

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def report(_: web.Request) -> web.Response:
        taken = dict(timings)
        timings.clear()
        return web.json_response(taken)

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/health", health)
    app.router.add_get("/timings", report)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", type=int)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args()
    web.run_app(create_app(args.delay_ms / 1000), host="127.0.0.1", port=args.port, print=None, access_log=None,
                loop=uvloop.new_event_loop())


if __name__ == "__main__":
    main()
