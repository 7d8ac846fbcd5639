"""A Telegram customer through the real engine, action server and gateway, with a local Bot API.

(Not named test_telegram.py: tests/bot/test_telegram.py already has that module name, and
pytest cannot collect two test modules with one basename from packages without __init__.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import aiohttp
import pytest

from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from tests.bot.telegram.bot_api import FakeBotApi, recorded_update
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

SECRET = "e2e-telegram-webhook-secret"


@pytest.fixture(scope="module")
def bot_api() -> Iterator[FakeBotApi]:
    server = FakeBotApi()
    server.start_in_thread()  # the gateway is another process; serve whatever this loop does
    yield server
    server.stop_thread()


@pytest.fixture(scope="module")
def telegram_stack(
    tmp_path_factory: pytest.TempPathFactory, bot_api: FakeBotApi
) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("telegram-stack"))
    stack.env.update(
        RAPPORT_TELEGRAM_TOKEN=bot_api.token,
        RAPPORT_TELEGRAM_SECRET=SECRET,
        RAPPORT_TELEGRAM_API_URL=bot_api.url,
    )
    stack.start()
    yield stack
    stack.stop()


class Customer:
    """One Telegram user chatting with the bot; each update gets the next update_id."""

    def __init__(self, stack: Stack, bot_api: FakeBotApi) -> None:
        self.stack = stack
        self.bot_api = bot_api
        self.chat_id = 6_000_000_000 + uuid.uuid4().int % 1_000_000_000
        self.update_id = 900_000_000 + uuid.uuid4().int % 1_000_000

    async def send(self, name: str, text: str | None = None) -> list[str]:
        """Post one recorded update to the webhook; the bot's answers to this chat."""
        self.update_id += 1
        update = recorded_update(name, update_id=self.update_id, chat_id=self.chat_id, text=text)
        before = len(self.bot_api.texts_in(self.chat_id))
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{self.stack.url}{WEBHOOK_PATH}", json=update, headers={SECRET_HEADER: SECRET}
            ) as response:
                assert response.status == 200, await response.text()
        return self.bot_api.texts_in(self.chat_id)[before:]


async def test_a_telegram_customer_is_greeted_by_name_in_a_later_conversation(
    telegram_stack, bot_api
):
    ann = Customer(telegram_stack, bot_api)

    replies = await ann.send("command_start")
    assert any("first name" in reply for reply in replies), replies
    replies = await ann.send("message_text", "Ann")
    assert any("Nice to meet you, Ann" in reply for reply in replies), replies

    replies = await ann.send("command_start")  # a new conversation
    assert any("Welcome back, Ann" in reply for reply in replies), replies
    assert not any("first name" in reply for reply in replies), replies


async def test_another_telegram_customer_is_not_greeted_with_anns_name(telegram_stack, bot_api):
    bob = Customer(telegram_stack, bot_api)
    replies = await bob.send("command_start")
    assert not any("Ann" in reply for reply in replies), replies
    assert any("first name" in reply for reply in replies), replies
