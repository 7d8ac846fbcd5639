"""A live gateway for fuzzing: the real app on a port of its own, served from a thread with
its own event loop, so hypothesis and schemathesis drive it from plain synchronous tests.

It talks to an echoing fake engine and a local Bot API in the same thread; rate limits are
off, so every generated case reaches the code under test."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from memory import migrate
from tests.bot.channels.telegram.bot_api import SECRET, TOKEN, FakeBotApi
from tests.conftest import free_port

API_KEY = "fuzz-api-key"


@dataclass
class LiveGateway:
    url: str
    settings: Settings
    loop: asyncio.AbstractEventLoop
    app: web.Application

    def run(self, coroutine, timeout: float = 30):
        """Run a coroutine on the gateway's loop (to read its state) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


async def _echo(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response([{"recipient_id": body["sender"], "text": f"echo: {body['message']}",
                               "buttons": [{"title": "Yes", "payload": "/affirm"}]}])


async def _health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@pytest.fixture(scope="session")
def live_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    bot_api = FakeBotApi()
    bot_api.start_in_thread()
    engine_port = free_port()
    settings = Settings.from_env({
        "RAPPORT_DATA_DIR": str(data_dir), "RAPPORT_API_KEY": API_KEY,
        "RAPPORT_SIGNING_KEY": "fuzz-signing-key", "RAPPORT_ENGINE_TOKEN": "fuzz-engine-token",
        "RAPPORT_PORT": str(free_port()), "RAPPORT_ENGINE_PORT": str(engine_port),
        "RAPPORT_ACTIONS_PORT": str(engine_port),
        "RAPPORT_TELEGRAM_TOKEN": TOKEN, "RAPPORT_TELEGRAM_SECRET": SECRET,
        "RAPPORT_TELEGRAM_API_URL": bot_api.url,
        "RAPPORT_RATE_SESSION_BURST": "0", "RAPPORT_RATE_IP_BURST": "0",
        "RAPPORT_RATE_NEW_VISITOR_BURST": "0", "RAPPORT_WEB_MAX_SOCKETS_PER_IP": "0",
    })
    data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.profile_db_url)

    loop = asyncio.new_event_loop()
    started = threading.Event()
    runners: list[web.AppRunner] = []
    holder: dict[str, web.Application] = {}

    async def start() -> None:
        engine = web.Application()
        engine.router.add_post("/webhooks/rest/webhook", _echo)
        engine.router.add_get("/health", _health)
        for app, port in ((engine, engine_port), (create_app(settings), settings.port)):
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
            holder["app"] = app

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(60), "the fuzzing gateway did not start"
    yield LiveGateway(f"http://127.0.0.1:{settings.port}", settings, loop, holder["app"])

    async def stop() -> None:
        for runner in reversed(runners):
            await runner.cleanup()

    asyncio.run_coroutine_threadsafe(stop(), loop).result(60)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    bot_api.stop_thread()
