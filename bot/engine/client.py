"""Client for the Rasa engine on localhost: send a customer's turn, get the bot's replies."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

PARSE_TIMEOUT = 5.0  # seconds; a parse off a turn's path may wait this long, then is given up


class EngineUnavailable(RuntimeError):
    """The engine could not be reached or answered with an error."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text, "buttons": [b.to_json() for b in self.buttons]}
        if self.custom:
            body["custom"] = self.custom
        return body

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Reply:
        # Anything but a list of objects is no buttons (found by fuzzing: a stored payload
        # or an engine reply of another shape raised instead).
        listed = raw.get("buttons")
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in (listed if isinstance(listed, list) else ()) if isinstance(b, dict)
        )
        custom = raw.get("custom") if isinstance(raw.get("custom"), dict) else {}
        return cls(text=str(raw.get("text") or ""), buttons=buttons, custom=custom)


class ActionServerProbe:
    """Whether the action server answers, checked at most once a second.

    Rasa swallows action-server failures and carries on with its fallback ("I didn't
    get that"), which would mislead the customer; the gateway apologises instead.
    """

    def __init__(self, session: aiohttp.ClientSession, health_url: str, *, every: float = 1.0) -> None:
        self._session = session
        self._health_url = health_url
        self._every = every
        self._checked_at = float("-inf")
        self._healthy = True
        self._lock = asyncio.Lock()

    async def healthy(self) -> bool:
        if time.monotonic() - self._checked_at < self._every:
            return self._healthy
        async with self._lock:
            if time.monotonic() - self._checked_at >= self._every:
                self._healthy = await self._check()
                self._checked_at = time.monotonic()
        return self._healthy

    async def _check(self) -> bool:
        try:
            async with self._session.get(self._health_url, timeout=aiohttp.ClientTimeout(total=1)) as response:
                ok = response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if not ok:
            logger.warning("action server is not answering its health check")
        return ok


class SwapGate:
    """Lets engine calls through, except while a new model is being swapped in.

    Rasa's PUT /model loads the new model on the engine's event loop, so the engine
    answers nothing while it loads. The gateway therefore holds new calls at the gate,
    lets the calls in flight finish, swaps, and then releases what it held: nothing is
    dropped and nothing times out half-way through the swap.
    """

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._in_flight = 0
        self._swap = asyncio.Lock()

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        await self._open.wait()
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    @asynccontextmanager
    async def closed(self, drain_timeout: float) -> AsyncIterator[None]:
        async with self._swap:
            self._open.clear()
            try:
                try:
                    await asyncio.wait_for(self._idle.wait(), drain_timeout)
                except TimeoutError:
                    logger.warning("engine calls still in flight after %.0f s; swapping anyway", drain_timeout)
                yield
            finally:
                self._open.set()


class EngineClient:
    """Talks to `rasa run` through its REST channel and its HTTP API."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        token: str,
        actions: ActionServerProbe | None = None,
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._actions = actions
        self._gate = SwapGate()

    async def send(
        self,
        conversation_id: str,
        text: str,
        *,
        channel: str,
        metadata: dict[str, Any] | None = None,
    ) -> list[Reply]:
        if self._actions is not None and not await self._actions.healthy():
            raise EngineUnavailable("the action server is not answering")
        body = {
            "sender": conversation_id,
            "message": text,
            "input_channel": channel,
            "metadata": metadata or {},
        }
        raw = await self._request("POST", "/webhooks/rest/webhook", json=body, authorised=False)
        return [Reply.from_json(item) for item in raw if isinstance(item, dict)]

    async def parse(self, text: str, *, timeout: float = PARSE_TIMEOUT) -> dict[str, Any]:
        """What the NLU makes of `text` (intent, entities), from Rasa's POST /model/parse.

        Stateless: the text reaches no conversation's tracker and no policy runs."""
        try:
            async with asyncio.timeout(timeout):
                raw = await self._request("POST", "/model/parse", json={"text": text})
        except TimeoutError:
            raise EngineUnavailable(f"the engine did not parse within {timeout:.0f} s") from None
        return raw if isinstance(raw, dict) else {}

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        await self._request(
            "POST", f"/conversations/{conversation_id}/tracker/events", json=events
        )

    async def pause(self, conversation_id: str) -> None:
        """A person takes over: the engine keeps recording but predicts nothing."""
        await self.append_events(conversation_id, [{"event": "pause"}])

    async def resume(self, conversation_id: str) -> None:
        await self.append_events(conversation_id, [{"event": "resume"}])

    async def execute(self, conversation_id: str, action: str) -> list[Reply]:
        """Run one action (e.g. a response such as utter_ask_satisfaction) and return its replies.

        The engine then listens, as after any bot turn: without that action_listen the
        customer's answer would not match the rules that follow the question."""
        raw = await self._request(
            "POST", f"/conversations/{conversation_id}/execute", json={"name": action}
        )
        await self.append_events(conversation_id, [{"event": "action", "name": "action_listen"}])
        messages = raw.get("messages") if isinstance(raw, dict) else None
        return [Reply.from_json(item) for item in messages or () if isinstance(item, dict)]

    async def replace_model(self, model_file: str, *, timeout: float = 300.0, drain_timeout: float = 10.0) -> None:
        """Swap the engine onto another model (Rasa's PUT /model) without dropping a turn."""
        async with self._gate.closed(drain_timeout):
            try:
                async with self._session.put(
                    self._base_url + "/model", json={"model_file": model_file},
                    params={"token": self._token}, timeout=aiohttp.ClientTimeout(total=timeout),
                ) as response:
                    if response.status >= 400:
                        detail = (await response.text())[:300]
                        raise EngineUnavailable(f"the engine refused the model (HTTP {response.status}): {detail}")
            except (aiohttp.ClientError, TimeoutError) as error:
                raise EngineUnavailable(f"the engine did not load the model: {type(error).__name__}") from error

    async def is_ready(self) -> bool:
        try:
            status = await self._request("GET", "/status")
        except EngineUnavailable:
            return False
        return bool(status.get("model_file"))

    async def _request(
        self, method: str, path: str, *, json: Any = None, authorised: bool = True
    ) -> Any:
        params = {"token": self._token} if authorised else None
        try:
            async with self._gate.call(), self._session.request(
                method, self._base_url + path, json=json, params=params
            ) as response:
                if response.status >= 400:
                    logger.warning("engine answered %s on %s %s", response.status, method, path)
                    raise EngineUnavailable(f"engine answered HTTP {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.warning("engine unreachable on %s %s: %s", method, path, type(error).__name__)
            raise EngineUnavailable(str(error) or type(error).__name__) from error
