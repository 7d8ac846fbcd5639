"""A Telegram customer through the real engine, action server and gateway, with a local Bot API.

(Not named test_telegram.py: tests/bot/channels/telegram/test_telegram.py has that name, and
pytest cannot collect two test modules with one basename from packages without __init__.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from memory import open_store
from tests.bot.channels.telegram.bot_api import FakeBotApi
from tests.e2e.conftest import TELEGRAM_SECRET, Stack, TelegramCustomer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def telegram_stack(
    tmp_path_factory: pytest.TempPathFactory, bot_api: FakeBotApi
) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("telegram-stack"))
    stack.env.update(
        RAPPORT_TELEGRAM_TOKEN=bot_api.token,
        RAPPORT_TELEGRAM_SECRET=TELEGRAM_SECRET,
        RAPPORT_TELEGRAM_API_URL=bot_api.url,
    )
    stack.start()
    yield stack
    stack.stop()


async def test_a_telegram_customer_is_greeted_by_name_in_a_later_conversation(
    telegram_stack, bot_api
):
    ann = TelegramCustomer(telegram_stack, bot_api)

    replies = await ann.send("command_start")
    assert any("first name" in reply for reply in replies), replies
    replies = await ann.send("message_text", "Ann")
    assert any("Nice to meet you, Ann" in reply for reply in replies), replies

    replies = await ann.send("command_start")  # a new conversation
    assert any("Welcome back, Ann" in reply for reply in replies), replies
    assert not any("first name" in reply for reply in replies), replies


async def test_another_telegram_customer_is_not_greeted_with_anns_name(telegram_stack, bot_api):
    bob = TelegramCustomer(telegram_stack, bot_api)
    replies = await bob.send("command_start")
    assert not any("Ann" in reply for reply in replies), replies
    assert any("first name" in reply for reply in replies), replies


async def test_a_telegram_customer_types_a_complaint_and_it_is_recorded(telegram_stack, bot_api):
    kim = TelegramCustomer(telegram_stack, bot_api)
    await kim.send("command_start")
    replies = await kim.send("message_text", "im Kim")
    assert any("Nice to meet you, Kim" in reply for reply in replies), replies
    replies = await kim.send("message_text", "the engineer never showed up and nobody rang me back, "
                                             "wasted a whole day off work")
    assert any("complaint C-" in reply for reply in replies), replies
    assert not any("What is it about?" in reply for reply in replies), replies
    store = await open_store(f"sqlite+aiosqlite:///{telegram_stack.data_dir / 'profile.db'}")
    try:
        customer = await store.find_customer("telegram", str(kim.chat_id))
        [complaint] = await store.complaints(customer)
        assert complaint.category == "service"
        assert "engineer never showed up" in complaint.description
    finally:
        await store.close()
