"""The real gateway as customers reach it: Telegram chats posting to its webhook (a local Bot
API server answers) and browser tabs with a signed session and a WebSocket."""

from __future__ import annotations

import json

from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.channels.web.socket import SESSIONS
from bot.state import STORE
from tests.bot.channels.telegram.bot_api import SECRET, FakeBotApi, recorded_update


class Stack:
    """The gateway, with a browser per web visitor and Telegram chats posting to its webhook."""

    def __init__(self, server, make_client, bot_api: FakeBotApi) -> None:
        self.server, self.make_client, self.bot_api = server, make_client, bot_api
        self.update_id = 800_000_000

    @property
    def app(self):
        return self.server.app

    @property
    def store(self):
        return self.app[STORE]

    async def telegram(self, chat_id: int, text: str, name: str = "message_text") -> list[str]:
        """Post one update from the chat; what the bot sent to that chat in answer."""
        self.update_id += 1
        update = recorded_update(name, update_id=self.update_id, chat_id=chat_id, text=text)
        return await self._post(chat_id, update)

    async def _post(self, chat_id: int, update: dict) -> list[str]:
        before = len(self.bot_api.texts_in(chat_id))
        client = await self.make_client(self.server)
        response = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert response.status == 200, await response.text()
        return self.bot_api.texts_in(chat_id)[before:]

    async def start(self, chat_id: int, token: str) -> list[str]:
        return await self.telegram(chat_id, f"/start {token}", "command_start_deep_link")

    async def press(self, chat_id: int, data: str) -> list[str]:
        """Press an inline button whose callback data is `data` (as a client can forge it)."""
        self.update_id += 1
        update = recorded_update("callback_query", update_id=self.update_id, chat_id=chat_id)
        update["callback_query"]["data"] = data
        return await self._post(chat_id, update)

    async def rest(self, customer: str, text: str) -> list[dict]:
        """One REST API message from the test integration; its replies."""
        client = await self.make_client(self.server)
        response = await client.post(
            "/api/v1/messages", json={"customer": customer, "text": text},
            headers={"Authorization": "Bearer test-api-key"},
        )
        assert response.status == 200, await response.text()
        return (await response.json())["replies"]

    async def browser(self):
        return Browser(await self.make_client(self.server), self.app[SESSIONS])


class Browser:
    """One browser tab of the web widget: its session token and its WebSocket."""

    def __init__(self, client, sessions) -> None:
        self.client, self.sessions = client, sessions
        self.token: str | None = None
        self.ws = None
        self.counter = 0

    @property
    def customer_id(self) -> str:
        return self.sessions.read(self.token).customer_id

    async def session(self, **body):
        """POST /web/session (carrying this tab's token, if any); the response."""
        response = await self.client.post("/web/session", json={"token": self.token, **body})
        if response.status == 200:
            self.token = (await response.json())["token"]
        return response

    async def say(self, text: str) -> list[str]:
        if self.token is None:
            assert (await self.session()).status == 200
        if self.ws is None:
            self.ws = await self.client.ws_connect("/web/ws")
            await self.ws.send_json({"type": "hello", "token": self.token})
            while (await self.ws.receive_json())["type"] != "ready":
                pass
        self.counter += 1
        message_id = f"m{self.counter}"
        await self.ws.send_json({"type": "message", "id": message_id, "text": text})
        texts, acked = [], False
        while True:
            frame = json.loads((await self.ws.receive(timeout=5)).data)
            acked = acked or frame["type"] == "ack"
            if frame["type"] == "message" and frame.get("reply_to") == message_id:
                texts.append(frame["text"])
            if acked and frame["type"] == "typing" and not frame["on"]:
                return texts

