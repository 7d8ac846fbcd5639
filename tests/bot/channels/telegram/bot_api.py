"""A local server that speaks the Telegram Bot API, so python-telegram-bot runs without Telegram.

It records every method call, answers with Bot API shaped JSON and enforces the limits
Telegram enforces (4096-character messages, 1-64 byte callback data), so a channel that
breaks them fails here as it would in production. `blocked` chats get the 403 Telegram
sends when a user has blocked the bot. `queue_update` feeds `getUpdates` for polling.

The update payloads beside this module (`*.json`) follow the Bot API's update objects
field for field; `recorded_update` loads one, optionally with a new update_id, chat or text.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

PAYLOADS = Path(__file__).resolve().parent
TOKEN = "7712345678:AAHk3x-test-token-for-the-local-bot-api"
SECRET = "webhook-secret_0123456789"  # the webhook's secret token header
BOT_USER = {
    "id": 7712345678,
    "is_bot": True,
    "first_name": "Northwind",
    "username": "rapport_demo_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
# python-telegram-bot sends strings as they are and everything else JSON-encoded.
_STRING_PARAMS = {
    "text", "caption", "callback_query_id", "url", "secret_token", "action", "parse_mode"
}


def recorded_update(
    name: str, *, update_id: int | None = None, chat_id: int | None = None, text: str | None = None
) -> dict[str, Any]:
    """One stored update payload, with the given fields changed."""
    update = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    if update_id is not None:
        update["update_id"] = update_id
    body = next(value for key, value in update.items() if key != "update_id")
    message = body.get("message", body) if "data" in body else body
    if chat_id is not None:
        message["chat"]["id"] = chat_id
        if message["chat"]["type"] == "private":
            body["from"]["id"] = chat_id
    if text is not None:
        message["text"] = text
    return update


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    method: str
    params: dict[str, Any]


class BotApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class FakeBotApi:
    """Records calls such as sendMessage and answers them the way api.telegram.org does."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.blocked: set[int] = set()
        self.delivered: dict[int, list[str]] = {}
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._message_ids = itertools.count(5000)
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sent(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call to `method`, in order, accepted or not."""
        return [call.params for call in self.calls if call.method == method]

    def texts_in(self, chat_id: int) -> list[str]:
        """The texts of the messages that reached `chat_id`, in order."""
        return list(self.delivered.get(chat_id, []))

    def queue_update(self, update: dict[str, Any]) -> None:
        """Make an update available to the next getUpdates call."""
        self._updates.append(copy.deepcopy(update))
        self._new_update.set()

    # Serving

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)  # URLs carry the bot token
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self) -> None:
        """Serve from a thread of its own, for tests whose own loop blocks (other processes)."""
        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._new_update = asyncio.Event()
            self._loop.run_until_complete(self.start())
            started.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self.close())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake Bot API did not start")

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = self._loop = None

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append(Call(method, params))
        answer = getattr(self, f"_{method}", None)
        if answer is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status=404,
            )
        try:
            result = await answer(params)
        except BotApiError as error:
            return web.json_response(
                {"ok": False, "error_code": error.code, "description": error.description},
                status=error.code,
            )
        return web.json_response({"ok": True, "result": result})

    # Bot API methods

    async def _getMe(self, _: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        text = params.get("text", "")
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        message = {
            "message_id": next(self._message_ids),
            "from": {key: BOT_USER[key] for key in ("id", "is_bot", "first_name", "username")},
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "date": int(time.time()),
            "text": text,
        }
        if markup:
            message["reply_markup"] = markup
        self.delivered.setdefault(chat_id, []).append(text)
        return message

    async def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise BotApiError(400, "Bad Request: query is too old and response timeout expired")
        return True

    async def _setWebhook(self, params: dict[str, Any]) -> bool:
        if not str(params.get("url", "")).startswith("https://"):
            raise BotApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        return True

    async def _deleteWebhook(self, _: dict[str, Any]) -> bool:
        return True

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            timeout = min(float(params.get("timeout") or 0), 1.0)
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                pass
        return [u for u in self._updates if u["update_id"] >= offset]


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    form = await request.post() if request.can_read_body else request.query
    params: dict[str, Any] = {}
    for key, value in form.items():
        if key in _STRING_PARAMS or not isinstance(value, str):
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params
