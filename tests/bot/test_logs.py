"""What the gateway's logs keep: no `?link=` tokens in access lines, no Telegram chat ids in
conversation ids. Through the real app on a test server, with the access logger and log
filter `python -m bot gateway` installs."""

from __future__ import annotations

import asyncio
import logging

from bot import logs
from bot.app import create_app
from bot.linking import LINKER
from bot.state import STORE
from tests.bot.stack import Stack

CHAT = 5127461093


async def test_access_lines_keep_no_link_token(aiohttp_server, aiohttp_client, settings_for, caplog):
    app = create_app(settings_for(RAPPORT_TELEGRAM_BOT_USERNAME="rapport_demo_bot"))
    server = await aiohttp_server(app, access_log_class=logs.AccessLogger)
    url = await app[LINKER].link_for(await app[STORE].identify("telegram", str(CHAT)),
                                     "telegram", "web")
    token = url.rsplit("link=", 1)[1]
    client = await aiohttp_client(server)
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    response = await client.get(f"/?link={token}")
    assert response.status == 200
    await response.read()
    await asyncio.sleep(0.1)  # the access line is written once the response is finished
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any('"GET /?…" 200' in line for line in lines), lines
    assert token not in caplog.text


async def test_logs_never_show_a_telegram_chat_id(
    aiohttp_server, aiohttp_client, settings_for, bot_api, fake_engine, caplog
):
    caplog.handler.addFilter(logs.ChatIdFilter("test-signing-key"))
    stack = Stack(await aiohttp_server(create_app(settings_for())), aiohttp_client, bot_api)
    fake_engine.replies = []  # the engine answers nothing: the gateway logs the conversation
    with caplog.at_level(logging.INFO):
        await stack.telegram(CHAT, "hello")
    conversation = fake_engine.received[-1]["sender"]
    assert str(CHAT) in conversation
    logged = [r.getMessage() for r in caplog.records]
    assert any("no reply for telegram.c" in line for line in logged), logged
    assert str(CHAT) not in caplog.text


def test_the_digest_tells_chats_apart_and_keeps_the_rest():
    chat_ids = logs.ChatIdFilter("k")
    one, other = chat_ids.redact("telegram.1.5 x"), chat_ids.redact("telegram.2.5 x")
    assert one.startswith("telegram.c") and one.endswith(".5 x") and "telegram.1." not in one
    assert one != other
    assert chat_ids.redact("web.abc and telegram bot") == "web.abc and telegram bot"
