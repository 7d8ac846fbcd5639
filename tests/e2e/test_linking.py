"""One customer across channels, through the real engine, action server and gateway.

A customer gives their name in the web chat, asks to continue on Telegram and opens the deep
link: the bot on Telegram greets them by name and never asks for it. The same link, replayed
from another chat, is refused. Telegram is a local Bot API server (no network).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import aiohttp
import pytest

from bot.linking import USED
from tests.bot.channels.telegram.bot_api import BOT_USER, FakeBotApi
from tests.e2e.conftest import TELEGRAM_SECRET, Stack, TelegramCustomer

pytestmark = pytest.mark.e2e

DEEP_LINK = re.compile(rf"https://t\.me/{BOT_USER['username']}\?start=([A-Za-z0-9_-]{{1,64}})")


@pytest.fixture(scope="module")
def linked_stack(tmp_path_factory: pytest.TempPathFactory, bot_api: FakeBotApi) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("linking-stack"))
    stack.env.update(
        RAPPORT_TELEGRAM_TOKEN=bot_api.token,
        RAPPORT_TELEGRAM_SECRET=TELEGRAM_SECRET,
        RAPPORT_TELEGRAM_API_URL=bot_api.url,
        RAPPORT_TELEGRAM_BOT_USERNAME=BOT_USER["username"],
    )
    stack.start()
    yield stack
    stack.stop()


class WebVisitor:
    """The web widget's side of the protocol: a signed session, then one WebSocket."""

    def __init__(self, stack: Stack, session: aiohttp.ClientSession) -> None:
        self.stack, self.session = stack, session
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.counter = 0

    async def connect(self) -> None:
        async with self.session.post(f"{self.stack.url}/web/session", json={}) as response:
            assert response.status == 200, await response.text()
            token = (await response.json())["token"]
        self.ws = await self.session.ws_connect(f"{self.stack.url}/web/ws")
        await self.ws.send_json({"type": "hello", "token": token})
        while (await self.ws.receive_json(timeout=10))["type"] != "ready":
            pass

    async def say(self, text: str) -> list[str]:
        assert self.ws is not None
        self.counter += 1
        message_id = f"m-{self.counter}"
        await self.ws.send_json({"type": "message", "id": message_id, "text": text})
        texts, acked = [], False
        while True:
            frame = json.loads((await self.ws.receive(timeout=60)).data)
            assert frame["type"] != "error", frame
            acked = acked or (frame["type"] == "ack" and frame["id"] == message_id)
            if frame["type"] == "message" and frame.get("reply_to") == message_id:
                texts.append(frame["text"])
            if acked and frame["type"] == "typing" and not frame["on"]:
                return texts


class TelegramChat(TelegramCustomer):
    first_chat_id = 7_000_000_000
    first_update_id = 950_000_000

    async def start(self, token: str) -> list[str]:
        """/start <token>, as Telegram sends it when the deep link is opened."""
        return await self.send("command_start_deep_link", f"/start {token}")


async def test_a_web_customer_continues_on_telegram_and_is_greeted_by_name(linked_stack, bot_api):
    async with aiohttp.ClientSession() as session:
        ann = WebVisitor(linked_stack, session)
        await ann.connect()
        replies = await ann.say("hello")
        assert any("first name" in reply for reply in replies), replies
        replies = await ann.say("Ann")
        assert any("Nice to meet you, Ann" in reply for reply in replies), replies

        replies = await ann.say("I want to continue this on Telegram")
        links = [m.group(1) for reply in replies if (m := DEEP_LINK.search(reply))]
        assert len(links) == 1, replies
        token = links[0]

    on_telegram = TelegramChat(linked_stack, bot_api)
    replies = await on_telegram.start(token)
    assert any("Welcome back, Ann" in reply for reply in replies), replies
    assert not any("first name" in reply for reply in replies), replies

    # The same link opened again, from another Telegram account: refused, and not Ann.
    someone_else = TelegramChat(linked_stack, bot_api)
    replies = await someone_else.start(token)
    assert replies[0] == USED, replies
    assert not any("Ann" in reply for reply in replies), replies
    assert any("first name" in reply for reply in replies), replies
