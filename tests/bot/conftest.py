"""Gateway fixtures: a fake Rasa engine speaking the REST channel, and a migrated SQLite store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.settings import Settings
from memory import migrate


@dataclass
class FakeEngine:
    """Answers like `rasa run`'s REST channel: it echoes, and records what it was sent."""

    received: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] | None = None
    down: bool = False

    async def webhook(self, request: web.Request) -> web.Response:
        if self.down:
            return web.json_response({"error": "boom"}, status=500)
        body = await request.json()
        self.received.append(body)
        replies = self.replies if self.replies is not None else [
            {"recipient_id": body["sender"], "text": f"echo: {body['message']}"}
        ]
        return web.json_response(replies)


@pytest.fixture
async def fake_engine() -> FakeEngine:
    engine = FakeEngine()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", engine.webhook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    engine.port = server.port  # type: ignore[attr-defined]
    yield engine
    await server.close()


@pytest.fixture
def gateway_settings(make_settings: Callable[..., Settings], fake_engine: FakeEngine) -> Settings:
    settings = make_settings(RAPPORT_ENGINE_PORT=str(fake_engine.port))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.profile_db_url)
    return settings


@pytest.fixture
async def gateway(aiohttp_client, gateway_settings: Settings):
    return await aiohttp_client(create_app(gateway_settings))
