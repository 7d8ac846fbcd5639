"""Fixtures for the studio tests: a fake engine that, like `rasa run` with an NLG endpoint,
asks the gateway for every response it sends, and a fake of Rasa's validate/train tools.

(No tests here; test_studio*.py import these fixtures.)
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.channels.rest import conversation_id_for
from bot.settings import Settings
from bot.state import STORE
from bot.studio.rasa_tools import RasaReport, RasaTools
from bot.studio.startup import studio_models, studio_root
from bot.studio.validation import Problem
from bot.studio.views import STUDIO, TOOLS
from tests.bot.conftest import ALWAYS_STAFFED_RULES, StaffHarness

API = {"Authorization": "Bearer test-api-key"}


@dataclass
class NlgEngine:
    """Answers the REST channel like Rasa would for greet/goodbye, fetching wording from /nlg.

    "hello" runs action_greet (utter_welcome_back with first_name for a known customer,
    utter_welcome otherwise), "bye" utters utter_goodbye, and "help" utter_help. Slots
    come from tracker events (as the preview sets them) or from `profiles`. While a model
    loads (PUT /model) it answers 503, as a busy engine's callers would see a failure.
    """

    nlg_url: str = ""
    nlg_token: str = ""
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    refused_while_loading: int = 0
    load_seconds: float = 0.3
    loading: bool = False
    session: aiohttp.ClientSession | None = None

    def slots_of(self, conversation_id: str) -> dict[str, Any]:
        default = {"value_tier": "standard", "channel": conversation_id.split(".")[0]}
        return self.slots.setdefault(conversation_id, default)

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.loading:
            self.refused_while_loading += 1
            return web.json_response({"error": "loading a model"}, status=503)
        self.received.append(body["message"])
        conversation = body["sender"]
        slots = self.slots_of(conversation)
        arguments: dict[str, Any] = {}
        if body["message"] == "hello":
            name = "utter_welcome_back" if slots.get("first_name") else "utter_welcome"
            arguments = {"first_name": slots.get("first_name")} if slots.get("first_name") else {}
        else:
            said = {"bye": "utter_goodbye", "help": "utter_help"}
            name = said.get(body["message"], "utter_default")
        assert self.session is not None
        async with self.session.post(self.nlg_url, json={
            "response": name, "arguments": arguments, "channel": {"name": "collector"},
            "tracker": {"sender_id": conversation, "slots": slots},
        }, headers={"Authorization": f"Bearer {self.nlg_token}"}) as response:
            message = await response.json() if response.status == 200 else {"text": f"[no {name}]"}
        return web.json_response([{"recipient_id": conversation, **message}])

    async def events(self, request: web.Request) -> web.Response:
        if request.query.get("token") != "test-engine-token":
            raise web.HTTPUnauthorized()
        slots = self.slots_of(request.match_info["conversation_id"])
        for event in await request.json():
            if event.get("event") == "slot":
                slots[event["name"]] = event["value"]
        return web.json_response({})

    async def put_model(self, request: web.Request) -> web.Response:
        if request.query.get("token") != "test-engine-token":
            raise web.HTTPUnauthorized()
        self.loading = True
        try:
            await asyncio.sleep(self.load_seconds)
            self.models.append((await request.json())["model_file"])
        finally:
            self.loading = False
        return web.Response(status=204)

    async def status(self, request: web.Request) -> web.Response:
        model = self.models[-1] if self.models else "initial.tar.gz"
        return web.json_response({"model_file": model})

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})


class FakeTools(RasaTools):
    """Rasa's validator and trainer, instantly: training writes a stand-in model file."""

    def __init__(self, work_dir: Path, models_dir: Path) -> None:
        super().__init__(work_dir, models_dir)
        self.validated: list[dict[str, str]] = []
        self.trained: list[str] = []
        self.refuse: list[Problem] = []
        self.train_steps = 3

    async def validate(self, files):
        self.validated.append(dict(files))
        await asyncio.sleep(0.01)
        if self.refuse:
            return RasaReport("failed", list(self.refuse), 0.01)
        return RasaReport("passed", [], 0.01)

    async def train(self, files, key, progress, *, finetune=None):
        target = self.model_path(key)
        if target.exists():
            return target
        for step in range(self.train_steps):
            progress(step / self.train_steps, f"Training component {step + 1}")
            await asyncio.sleep(0.05)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"model {key}")
        self.trained.append(key)
        progress(1.0, "Model trained")
        return target


@dataclass
class Studio:
    """A running gateway with the studio, its fake engine and tools, and signed-in staff."""

    harness: StaffHarness
    engine: NlgEngine
    tools: FakeTools
    settings: Settings

    @property
    def app(self):
        return self.harness.app

    @property
    def service(self):
        return self.app[STUDIO]

    async def marketer(self, username: str = "mia", role: str = "marketer"):
        return await self.harness.sign_in(username, role)

    async def customer_says(self, client, customer: str, text: str,
                            conversation: str | None = None) -> str:
        body = {"customer": customer, "text": text}
        if conversation:
            body["conversation"] = conversation
        response = await client.post("/api/v1/messages", json=body, headers=API)
        assert response.status == 200, await response.text()
        return " ".join(r["text"] for r in (await response.json())["replies"])

    async def profile(self, customer: str, *, first_name: str | None = None, tier: str = "standard",
                      conversation: str | None = None) -> None:
        """What action_session_start would put in the slots for this REST customer."""
        customer_id = await self.app[STORE].identify("api", customer)
        slots = self.engine.slots_of(conversation_id_for(customer_id, conversation))
        slots["value_tier"] = tier
        if first_name:
            slots["first_name"] = first_name


@pytest.fixture
async def studio(aiohttp_server, aiohttp_client, make_settings, migrated_profile_db: Path,
                 tmp_path: Path):
    rules = tmp_path / "handoff-rules.yml"
    rules.write_text(ALWAYS_STAFFED_RULES, encoding="utf-8")
    engine = NlgEngine()
    fake = web.Application()
    fake.router.add_post("/webhooks/rest/webhook", engine.webhook)
    fake.router.add_post("/conversations/{conversation_id}/tracker/events", engine.events)
    fake.router.add_put("/model", engine.put_model)
    fake.router.add_get("/status", engine.status)
    fake.router.add_get("/health", engine.health)
    server = TestServer(fake, host="127.0.0.1")
    await server.start_server()
    settings = make_settings(
        RAPPORT_ENGINE_PORT=str(server.port), RAPPORT_ACTIONS_PORT=str(server.port),
        RAPPORT_HANDOFF_RULES=str(rules), RAPPORT_RATE_SESSION_BURST="0", RAPPORT_RATE_IP_BURST="0",
        RAPPORT_MODELS_DIR=str(tmp_path / "models"),
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_profile_db, settings.data_dir / "profile.db")
    app = create_app(settings)
    tools = FakeTools(studio_root(settings) / "work", studio_models(settings))
    app[TOOLS] = tools
    gateway = await aiohttp_server(app, port=settings.port)
    engine.nlg_url, engine.nlg_token = settings.nlg_url, settings.nlg_token
    async with aiohttp.ClientSession() as session:
        engine.session = session
        yield Studio(StaffHarness(gateway, aiohttp_client), engine, tools, settings)
    await server.close()
