"""Gateway fixtures: a fake Rasa engine speaking the REST channel, and a migrated SQLite store."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.settings import Settings
from memory import migrate
from tests.bot.channels.telegram.bot_api import SECRET, TOKEN, FakeBotApi


@dataclass
class FakeEngine:
    """Answers like `rasa run`'s REST channel: it echoes, and records what it was sent."""

    received: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] | None = None
    down: bool = False
    actions_down: bool = False

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"}, status=503 if self.actions_down else 200)

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
    # The fake also stands in for the action server's health check.
    app.router.add_get("/health", engine.health)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    engine.port = server.port  # type: ignore[attr-defined]
    yield engine
    await server.close()


@pytest.fixture(scope="session")
def migrated_profile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A profile store migrated once per run; each test gets its own copy."""
    path = tmp_path_factory.mktemp("template") / "profile.db"
    migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def gateway_settings(
    make_settings: Callable[..., Settings], fake_engine: FakeEngine, migrated_profile_db: Path
) -> Settings:
    settings = make_settings(
        RAPPORT_ENGINE_PORT=str(fake_engine.port), RAPPORT_ACTIONS_PORT=str(fake_engine.port)
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_profile_db, settings.data_dir / "profile.db")
    return settings


@pytest.fixture
async def gateway(aiohttp_client, gateway_settings: Settings):
    return await aiohttp_client(create_app(gateway_settings))


# --- Handoff and staff console (bot/handoff, bot/console, bot/accounts) -------------------

ALWAYS_STAFFED_RULES = """
staffed_hours: {always: true, timezone: Europe/London}
queue: {minutes_per_customer: 5, update_every_seconds: 0}
priority:
  reason: {customer_asked: 10, completely_dissatisfied: 30, default: 10}
  severity: {high: 30, medium: 15, low: 5}
  value_tier: {top: 40, standard: 10, new: 0}
triggers:
  - reason: legal_threat
    when: {text_matches: "\\\\blawyer\\\\b"}
    message: "I'm bringing in a colleague right away."
"""

HANDOFF_WORD = "human"


@dataclass
class FakeEngineAPI(FakeEngine):
    """FakeEngine plus the HTTP API the handoff uses: tracker events, logged messages, execute.

    A message containing "human" is answered the way actions/handoff.py answers it. While
    paused it answers nothing, like Rasa."""

    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    logged: list[tuple[str, str]] = field(default_factory=list)
    executed: list[tuple[str, str]] = field(default_factory=list)
    paused: set[str] = field(default_factory=set)
    # POST /model/parse: text -> the NLU's answer (unknown text: no intent, no entities).
    parses: dict[str, dict[str, Any]] = field(default_factory=dict)
    parsed: list[str] = field(default_factory=list)
    parse_down: bool = False

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body["sender"] in self.paused:
            self.received.append(body)
            return web.json_response([])
        if HANDOFF_WORD in body["message"] and self.replies is None:
            self.received.append(body)
            return web.json_response([
                {"recipient_id": body["sender"], "text": "Of course. I'm bringing in a colleague."},
                {"recipient_id": body["sender"], "custom": {"handoff": {"reason": "customer_asked"}}},
            ])
        return await super().webhook(request)

    def _authorised(self, request: web.Request) -> None:
        if request.query.get("token") != "test-engine-token":
            raise web.HTTPUnauthorized()

    async def tracker_events(self, request: web.Request) -> web.Response:
        self._authorised(request)
        conversation_id = request.match_info["conversation_id"]
        events = await request.json()
        self.events.setdefault(conversation_id, []).extend(events)
        for event in events:
            if event.get("event") == "pause":
                self.paused.add(conversation_id)
            elif event.get("event") == "resume":
                self.paused.discard(conversation_id)
        return web.json_response({"sender_id": conversation_id})

    async def log_message(self, request: web.Request) -> web.Response:
        self._authorised(request)
        body = await request.json()
        self.logged.append((request.match_info["conversation_id"], body["text"]))
        return web.json_response({"sender_id": request.match_info["conversation_id"]})

    async def execute(self, request: web.Request) -> web.Response:
        self._authorised(request)
        conversation_id = request.match_info["conversation_id"]
        name = (await request.json())["name"]
        self.executed.append((conversation_id, name))
        return web.json_response({"tracker": {}, "messages": [{
            "recipient_id": conversation_id, "text": "How was your experience today?",
            "buttons": [{"title": "Good", "payload": "/feedback_satisfied"}],
        }]})

    async def parse(self, request: web.Request) -> web.Response:
        self._authorised(request)
        text = (await request.json())["text"]
        self.parsed.append(text)
        if self.parse_down:
            return web.json_response({"error": "no model"}, status=500)
        return web.json_response({"text": text, "intent": {"name": None, "confidence": 0.0}, "entities": [],
                                  **self.parses.get(text, {})})

    def event_names(self, conversation_id: str) -> list[str]:
        return [e["event"] for e in self.events.get(conversation_id, [])]


@pytest.fixture
async def engine_api() -> FakeEngineAPI:
    engine = FakeEngineAPI()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", engine.webhook)
    app.router.add_get("/health", engine.health)
    app.router.add_post("/conversations/{conversation_id}/tracker/events", engine.tracker_events)
    app.router.add_post("/conversations/{conversation_id}/messages", engine.log_message)
    app.router.add_post("/conversations/{conversation_id}/execute", engine.execute)
    app.router.add_post("/model/parse", engine.parse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    engine.port = server.port  # type: ignore[attr-defined]
    yield engine
    await server.close()


@pytest.fixture
def staff_settings(
    make_settings: Callable[..., Settings], engine_api: FakeEngineAPI, migrated_profile_db: Path, tmp_path: Path
) -> Settings:
    """Gateway settings with the engine API fake and staff always on duty."""
    rules = tmp_path / "handoff-rules.yml"
    rules.write_text(ALWAYS_STAFFED_RULES, encoding="utf-8")
    settings = make_settings(
        RAPPORT_ENGINE_PORT=str(engine_api.port), RAPPORT_ACTIONS_PORT=str(engine_api.port),
        RAPPORT_HANDOFF_RULES=str(rules),
        RAPPORT_RATE_SESSION_BURST="0", RAPPORT_RATE_IP_BURST="0",
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_profile_db, settings.data_dir / "profile.db")
    return settings


STAFF_PASSWORD = "correct horse battery staple"


@dataclass
class SignedIn:
    """A staff member's browser: its own cookie jar, and the session's CSRF token."""

    client: Any
    csrf: str
    member: Any

    async def post(self, path: str, payload: dict[str, Any] | None = None, **kwargs: Any):
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return await self.client.post(path, json=payload or {}, headers=headers, **kwargs)

    async def get_json(self, path: str) -> Any:
        response = await self.client.get(path, headers={"Accept": "application/json"})
        assert response.status == 200, await response.text()
        return await response.json()


@dataclass
class WebCustomer:
    """A customer in the web chat, over the widget's WebSocket."""

    ws: Any
    conversation_id: str
    customer_id: str
    frames: list[dict[str, Any]] = field(default_factory=list)
    counter: int = 0

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Send a message; the messages of its turn (up to the ack and the end of typing)."""
        import asyncio
        import json as jsonlib

        self.counter += 1
        message_id = f"m{self.counter}"
        await self.ws.send_json({"type": "message", "id": message_id, "text": text})
        turn: list[dict[str, Any]] = []
        acked = False
        async with asyncio.timeout(5):
            while True:
                frame = jsonlib.loads((await self.ws.receive()).data)
                self.frames.append(frame)
                acked = acked or (frame["type"] == "ack" and frame["id"] == message_id)
                if frame["type"] == "message" and frame.get("reply_to") == message_id:
                    turn.append(frame)
                if acked and frame["type"] == "typing" and not frame["on"]:
                    return turn

    async def pushed(self, sender: str | None = None, timeout: float = 5.0) -> dict[str, Any]:
        """The next message frame pushed outside a turn (an agent's, the queue's...)."""
        import asyncio
        import json as jsonlib

        async with asyncio.timeout(timeout):
            while True:
                frame = jsonlib.loads((await self.ws.receive()).data)
                self.frames.append(frame)
                if frame["type"] == "message" and "reply_to" not in frame and frame["sender"] != "customer":
                    if sender is None or frame["sender"] == sender:
                        return frame


@dataclass
class StaffHarness:
    server: Any
    make_client: Any

    @property
    def app(self):
        return self.server.app

    async def account(self, username: str, role: str = "agent", name: str | None = None):
        from bot.accounts import AUTH

        return await self.app[AUTH].create_account(username, role, STAFF_PASSWORD, name or username.title())

    async def sign_in(self, username: str, role: str = "agent", name: str | None = None) -> SignedIn:
        import re

        member = await self.account(username, role, name)
        client = await self.make_client(self.server)
        form = await (await client.get("/staff/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        response = await client.post("/staff/login", data={
            "username": username, "password": STAFF_PASSWORD, "csrf_token": token,
        }, allow_redirects=False)
        assert response.status == 303, await response.text()
        me = await (await client.get("/staff/me")).json()
        return SignedIn(client, me["csrf_token"], member)

    async def customer(self) -> WebCustomer:
        import json as jsonlib

        from bot.channels.web.socket import SESSIONS

        client = await self.make_client(self.server)
        token = (await (await client.post("/web/session", json={})).json())["token"]
        session = self.app[SESSIONS].read(token)
        ws = await client.ws_connect("/web/ws")
        await ws.send_json({"type": "hello", "token": token})
        while jsonlib.loads((await ws.receive()).data)["type"] != "ready":
            pass
        return WebCustomer(ws, session.conversation_id, session.customer_id)


@pytest.fixture
async def staff(aiohttp_server, aiohttp_client, staff_settings: Settings) -> StaffHarness:
    server = await aiohttp_server(create_app(staff_settings))
    return StaffHarness(server, aiohttp_client)


@pytest.fixture
async def bot_api():
    """A local Bot API server in the test's event loop."""
    server = FakeBotApi()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def settings_for(make_settings, fake_engine, bot_api, migrated_profile_db):
    """Settings for a gateway with Telegram on the local Bot API; keyword arguments override."""
    def factory(**overrides: str):
        settings = make_settings(**{
            "RAPPORT_ENGINE_PORT": str(fake_engine.port),
            "RAPPORT_ACTIONS_PORT": str(fake_engine.port),  # the fake answers its health check
            "RAPPORT_TELEGRAM_TOKEN": TOKEN,
            "RAPPORT_TELEGRAM_SECRET": SECRET,
            "RAPPORT_TELEGRAM_API_URL": bot_api.url,
            **overrides,
        })
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_profile_db, settings.data_dir / "profile.db")
        return settings

    return factory
