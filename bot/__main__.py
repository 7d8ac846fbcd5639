"""Command line: `python -m bot run` (all three processes) or `python -m bot gateway` (gateway only)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import uvloop
from aiohttp import web

from bot.settings import InsecureSettings, Settings
from bot.supervisor import supervise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", choices=["run", "gateway"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except InsecureSettings as error:
        print(f"refusing to start: {error}", file=sys.stderr)
        return 2

    if args.command == "run":
        return asyncio.run(supervise(settings))

    # Imported here, not above: the supervisor process serves nothing, so the gateway's own
    # modules (python-telegram-bot and the rest, about 18 MB) stay out of it.
    from bot import app, logs

    logs.install(settings.signing_key)
    # uvloop: the same asyncio API on libuv; every turn's socket writes and wake-ups cost
    # less, which is most of what the gateway adds to a reply (make bench-channels).
    web.run_app(app.create_app(settings), host=settings.host, port=settings.port, print=None,
                loop=uvloop.new_event_loop(), access_log_class=logs.AccessLogger)
    return 0


if __name__ == "__main__":
    sys.exit(main())
