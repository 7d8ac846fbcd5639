"""Chatting with a draft before it goes live.

A draft with the live training key (wording changes) is previewed on the live engine: the
preview conversation's id is registered with the NLG endpoint, which answers it from the
draft's responses. A draft that changes intents, flows or forms is first trained (with a
progress bar), then served by a second engine on a spare localhost port, started on demand
and stopped after PREVIEW_IDLE seconds without use. Either way the marketer picks the
customer to preview as (value tier, channel, first name): those slots are set on the
preview conversation before its first message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.accounts import staff
from bot.conversations import InvalidMessage, clean_text
from bot.engine.client import EngineClient, EngineUnavailable
from bot.engine.config import engine_command, engine_process_env, write_preview_config
from bot.engine.processes import spawn_logged, stop_process_group
from bot.errors import json_error, read_json_object
from bot.settings import Settings
from bot.state import ENGINE, SETTINGS, STORE
from bot.studio.offer_checks import CHANNELS, VALUE_TIERS
from bot.studio.jobs import Job
from bot.studio.project import responses_of, training_key
from bot.studio.service import STUDIO
from bot.studio.startup import stored_model, studio_root

logger = logging.getLogger(__name__)

PREVIEW_CHANNEL = "preview"
PREVIEW_IDLE = 600.0
START_TIMEOUT = 300.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PreviewEngine:
    """A second `rasa run` for drafts that need their own model."""

    def __init__(self, settings: Settings, session: aiohttp.ClientSession) -> None:
        self._settings = settings
        self._session = session
        self._process: asyncio.subprocess.Process | None = None
        self._client: EngineClient | None = None
        self._model: Path | None = None
        self._used = time.monotonic()
        self._lock = asyncio.Lock()

    async def client_for(self, model: Path) -> EngineClient:
        async with self._lock:
            self._used = time.monotonic()
            if self._process is None or self._process.returncode is not None:
                await self._start(model)
            elif self._model != model:
                assert self._client is not None
                await self._client.replace_model(str(model))
            self._model = model
            assert self._client is not None
            return self._client

    async def _start(self, model: Path) -> None:
        port, token = _free_port(), "preview-" + secrets.token_urlsafe(24)
        endpoints, credentials = write_preview_config(self._settings, studio_root(self._settings))
        # Launched like the live engine, on its own port and token.
        preview = dataclasses.replace(self._settings, engine_port=port, engine_token=token)
        self._process = await spawn_logged(
            engine_command(preview, endpoints, credentials, model), engine_process_env(preview),
            self._settings.logs_dir / "preview-engine.log",
        )
        self._client = EngineClient(self._session, f"http://127.0.0.1:{port}", token)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.returncode is not None:
                raise EngineUnavailable("the preview engine exited while starting; "
                                        "see preview-engine.log")
            if await self._client.is_ready():
                logger.info("preview engine ready on port %d", port)
                return
            await asyncio.sleep(0.5)
        await self.stop()
        raise EngineUnavailable("the preview engine did not start in time")

    def touch(self) -> None:
        """The preview is in use: the idle clock starts again."""
        self._used = time.monotonic()

    async def stop_if_idle(self) -> None:
        if self._process is not None and time.monotonic() - self._used > PREVIEW_IDLE:
            async with self._lock:
                await self.stop()

    async def stop(self) -> None:
        process, self._process, self._client, self._model = self._process, None, None, None
        if process is not None and process.returncode is None:
            await stop_process_group(process)


@dataclass
class Session:
    conversation_id: str
    engine: EngineClient | None
    options: dict[str, Any]
    job: Job | None = None


class Previews:
    def __init__(self, app: web.Application, engine: PreviewEngine) -> None:
        self._app = app
        self.engine = engine
        self._sessions: dict[str, Session] = {}

    async def start(self, member: Any, options: dict[str, Any]) -> Session:
        studio = self._app[STUDIO]
        files = studio.draft(member).files()
        previous = self._sessions.pop(member.username, None)
        if previous is not None:
            studio.responses.end_preview(previous.conversation_id)
        session = Session(f"{PREVIEW_CHANNEL}.{uuid.uuid4().hex}", None, options)
        studio.responses.preview(session.conversation_id, responses_of(files))
        self._sessions[member.username] = session
        key = training_key(files)
        if key == training_key(studio.live_files()):
            session.engine = self._app[ENGINE]
            await self._open(session, member)
            return session
        session.job = Job(kind="preview", owner=member.display_name, needs_training=True)
        session.job.task = asyncio.ensure_future(self._prepare(session, member, files, key))
        return session

    async def _prepare(self, session: Session, member: Any, files: dict[str, str],
                       key: str) -> None:
        job = session.job
        assert job is not None
        try:
            model = stored_model(self._app[SETTINGS], key)
            if model is None:
                tools = self._app[STUDIO].tools
                model = await tools.train(files, key, lambda f, s: job.progress(0.9 * f, s))
            job.progress(0.92, "Starting the preview engine")
            session.engine = await self.engine.client_for(model)
            await self._open(session, member)
            job.finish(0)
            job.step = "The draft is ready to chat with"
        except Exception as error:  # noqa: BLE001 - shown on the page
            logger.warning("preview failed: %s", error)
            job.fail(f"The preview could not start: {error}")

    async def _open(self, session: Session, member: Any) -> None:
        store = self._app[STORE]
        customer_id = await store.identify("studio-preview", member.username)
        await store.start_interaction(customer_id, PREVIEW_CHANNEL, session.conversation_id)
        slots = {"value_tier": session.options["value_tier"], "channel": session.options["channel"]}
        if session.options.get("first_name"):
            slots["first_name"] = session.options["first_name"]
        assert session.engine is not None
        await session.engine.append_events(session.conversation_id, [
            {"event": "action", "name": "action_session_start"},
            {"event": "session_started"},
            *({"event": "slot", "name": name, "value": value} for name, value in slots.items()),
            {"event": "action", "name": "action_listen"},
        ])

    def session(self, member: Any) -> Session | None:
        return self._sessions.get(member.username)

    async def say(self, member: Any, text: str) -> list[dict[str, Any]]:
        session = self._sessions.get(member.username)
        if session is None or session.engine is None:
            raise json_error(409, "Start a preview first (and wait until it is ready).")
        self.engine.touch()  # chatting is use; the reaper stops the engine once it is idle
        replies = await session.engine.send(session.conversation_id, text,
                                            channel=session.options["channel"])
        shown = []
        for reply in replies:
            if reply.text or reply.buttons:
                shown.append(reply.to_json())
            elif "handoff" in reply.custom:
                shown.append({"text": "(Here the bot hands the customer over to a person.)",
                              "buttons": [], "note": True})
        return shown


def _options(body: dict[str, Any]) -> dict[str, Any]:
    tier, channel = body.get("value_tier", "standard"), body.get("channel", "web")
    if tier not in VALUE_TIERS or channel not in CHANNELS:
        raise json_error(400, f"Preview as a value tier in {', '.join(VALUE_TIERS)} on a channel "
                              f"in {', '.join(CHANNELS)}.")
    name = body.get("first_name") or ""
    if not isinstance(name, str) or len(name) > 40:
        raise json_error(400, "The first name must be text of at most 40 characters.")
    return {"value_tier": tier, "channel": channel, "first_name": name.strip()}


PREVIEWS = web.AppKey("studio_previews", Previews)


def _json(session: Session) -> dict[str, Any]:
    return {"conversation": session.conversation_id, "ready": session.engine is not None,
            "job": session.job.to_json() if session.job else None, "options": session.options}


def setup_routes(app: web.Application, guard: Callable) -> None:
    async def previews_ctx(app: web.Application) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(total=app[SETTINGS].engine_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            engine = PreviewEngine(app[SETTINGS], http)
            app[PREVIEWS] = Previews(app, engine)

            async def reap() -> None:
                while True:
                    await asyncio.sleep(60)
                    await engine.stop_if_idle()

            reaper = asyncio.ensure_future(reap())
            try:
                yield
            finally:
                reaper.cancel()
                await asyncio.gather(reaper, return_exceptions=True)
                await engine.stop()

    @guard
    async def start(request: web.Request) -> web.Response:
        options = _options(await read_json_object(request))
        session = await request.app[PREVIEWS].start(staff(request), options)
        return web.json_response(_json(session))

    @guard
    async def state(request: web.Request) -> web.Response:
        session = request.app[PREVIEWS].session(staff(request))
        none = {"conversation": None, "ready": False}
        return web.json_response(_json(session) if session else none)

    @guard
    async def say(request: web.Request) -> web.Response:
        body = await read_json_object(request)
        try:
            text = clean_text(body.get("text"), max_chars=request.app[SETTINGS].max_message_chars)
        except InvalidMessage as error:
            raise json_error(400, str(error)) from None
        try:
            replies = await request.app[PREVIEWS].say(staff(request), text)
        except EngineUnavailable:
            raise json_error(503, "The preview engine is not answering. Start the preview "
                                  "again.") from None
        return web.json_response({"replies": replies})

    app.cleanup_ctx.append(previews_ctx)
    app.router.add_post("/studio/api/preview", start)
    app.router.add_get("/studio/api/preview", state)
    app.router.add_post("/studio/api/preview/messages", say)
