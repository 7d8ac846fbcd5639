"""Issue 14 item 5 on Telegram: a per-chat limit, told once per wait, nothing refused stored."""

from __future__ import annotations

import pytest

from bot.app import create_app
from bot.state import STORE
from tests.bot.channels.telegram.bot_api import recorded_update
from tests.bot.channels.telegram.test_telegram import CHAT, post, texts_to


@pytest.fixture
async def strict_gateway(aiohttp_client, settings_for):
    settings = settings_for(RAPPORT_RATE_SESSION_BURST="2", RAPPORT_RATE_SESSION_PER_SECOND="0.001")
    return await aiohttp_client(create_app(settings))


async def test_a_flooding_chat_is_told_once_and_its_extra_messages_never_reach_the_bot(
    strict_gateway, fake_engine, bot_api
):
    for n in range(6):
        await post(strict_gateway, recorded_update("message_text", update_id=9000 + n, text=f"msg {n}"))
    assert [turn["message"] for turn in fake_engine.received] == ["msg 0", "msg 1"]
    told = [text for text in texts_to(bot_api) if "faster than I can read" in text]
    assert len(told) == 1 and "wait" in told[0]  # once per wait, not once per message
    customer = await strict_gateway.app[STORE].find_customer("telegram", str(CHAT))
    [interaction] = await strict_gateway.app[STORE].interactions(customer)
    stored = [m.text for m in await strict_gateway.app[STORE].transcript(interaction.conversation_id)
              if m.sender == "customer"]
    assert stored == ["msg 0", "msg 1"]


async def test_each_chat_has_its_own_limit(strict_gateway, fake_engine, bot_api):
    for n in range(3):
        await post(strict_gateway, recorded_update("message_text", update_id=9100 + n, text=f"a {n}"))
    await post(strict_gateway, recorded_update("message_text", update_id=9200, chat_id=CHAT + 1, text="b"))
    assert [turn["message"] for turn in fake_engine.received] == ["a 0", "a 1", "b"]
