"""Client for the Rasa engine on localhost: send a customer's turn, get the bot's replies."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)


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
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in raw.get("buttons") or ()
        )
        custom = raw.get("custom") if isinstance(raw.get("custom"), dict) else {}
        return cls(text=str(raw.get("text") or ""), buttons=buttons, custom=custom)


class EngineClient:
    """Talks to `rasa run` through its REST channel and its HTTP API."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._token = token

    async def send(
        self,
        conversation_id: str,
        text: str,
        *,
        channel: str,
        metadata: dict[str, Any] | None = None,
    ) -> list[Reply]:
        body = {
            "sender": conversation_id,
            "message": text,
            "input_channel": channel,
            "metadata": metadata or {},
        }
        raw = await self._request("POST", "/webhooks/rest/webhook", json=body, authorised=False)
        return [Reply.from_json(item) for item in raw if isinstance(item, dict)]

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        await self._request(
            "POST", f"/conversations/{conversation_id}/tracker/events", json=events
        )

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
            async with self._session.request(
                method, self._base_url + path, json=json, params=params
            ) as response:
                if response.status >= 400:
                    logger.warning("engine answered %s on %s %s", response.status, method, path)
                    raise EngineUnavailable(f"engine answered HTTP {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.warning("engine unreachable on %s %s: %s", method, path, type(error).__name__)
            raise EngineUnavailable(str(error) or type(error).__name__) from error
