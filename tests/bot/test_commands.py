"""Customer text that Rasa would take as a command (`/intent{entities}`), on every channel.

A customer must not force an intent or set entities by typing them: such text reaches the
engine as a command only when it is a button of the bot's last reply in that conversation.
Through the real gateway, a fake engine that records what it gets, and a local Bot API server.
"""

from __future__ import annotations

import pytest

from bot.app import create_app
from bot.commands import as_plain_text
from bot.state import CONVERSATIONS
from tests.bot.stack import Stack

CHAT = 5127461093
DISSATISFIED = "/feedback_completely_dissatisfied"
EMAIL = '/inform{"email": "not-an-address"}'
SEVERITY = '/inform{"severity": "low"}'
HOW_BAD = [{
    "recipient_id": "x", "text": "How badly does this affect you?",
    "buttons": [{"title": "Minor annoyance", "payload": SEVERITY},
                {"title": "I can't use the service", "payload": '/inform{"severity": "high"}'}],
}]
INJECTED = [DISSATISFIED, "/restart", EMAIL, "  /greet", "/ /restart", "//restart", SEVERITY]


@pytest.fixture
async def stack(aiohttp_server, aiohttp_client, settings_for, bot_api) -> Stack:
    server = await aiohttp_server(create_app(settings_for()))
    return Stack(server, aiohttp_client, bot_api)


def engine_got(fake_engine) -> str:
    return fake_engine.received[-1]["message"]


@pytest.mark.parametrize("typed", INJECTED)
def test_plain_text_has_no_leading_slash_for_rasa_to_parse(typed):
    plain = as_plain_text(typed)
    assert not plain.strip().startswith("/")
    assert plain.split("{")[0] in typed


@pytest.mark.parametrize("typed", INJECTED)
async def test_a_command_typed_in_the_web_chat_reaches_the_bot_as_plain_words(
    stack, fake_engine, typed
):
    visitor = await stack.browser()
    await visitor.say("hello")
    await visitor.say(typed)
    assert engine_got(fake_engine) == as_plain_text(typed.strip())


async def test_a_web_button_of_the_last_reply_is_a_command_and_an_older_one_is_not(
    stack, fake_engine
):
    visitor = await stack.browser()
    fake_engine.replies = HOW_BAD
    await visitor.say("my broadband keeps dropping")
    fake_engine.replies = None
    await visitor.say(SEVERITY)  # the button pressed
    assert engine_got(fake_engine) == SEVERITY
    await visitor.say('/inform{"severity": "high"}')  # offered two replies ago: not any more
    assert engine_got(fake_engine) == 'inform{"severity": "high"}'
    await visitor.say(EMAIL)  # never offered
    assert engine_got(fake_engine) == 'inform{"email": "not-an-address"}'


async def test_a_button_offered_in_another_conversation_is_not_a_command(stack, fake_engine):
    mallory, victor = await stack.browser(), await stack.browser()
    fake_engine.replies = HOW_BAD
    await mallory.say("my broadband keeps dropping")
    fake_engine.replies = None
    await victor.say(SEVERITY)
    assert engine_got(fake_engine) == 'inform{"severity": "low"}'


async def test_rest_commands_need_the_last_replys_button(stack, fake_engine):
    await stack.rest("crm-7", "hi")
    await stack.rest("crm-7", DISSATISFIED)
    assert engine_got(fake_engine) == "feedback_completely_dissatisfied"
    fake_engine.replies = HOW_BAD
    replies = await stack.rest("crm-7", "my broadband keeps dropping")
    fake_engine.replies = None
    await stack.rest("crm-7", replies[0]["buttons"][0]["payload"])
    assert engine_got(fake_engine) == SEVERITY


async def test_telegram_typed_commands_and_forged_button_data_are_plain_words(
    stack, fake_engine
):
    await stack.telegram(CHAT, "hello")
    await stack.telegram(CHAT, "/restart")
    assert engine_got(fake_engine) == "restart"
    await stack.press(CHAT, EMAIL)  # callback data a modified client made up
    assert engine_got(fake_engine) == 'inform{"email": "not-an-address"}'


async def test_telegram_buttons_and_the_start_greeting_still_reach_the_bot_as_commands(
    stack, fake_engine
):
    await stack.telegram(CHAT, "/start", "command_start")
    assert engine_got(fake_engine) == "/greet"
    fake_engine.replies = HOW_BAD
    await stack.telegram(CHAT, "my broadband keeps dropping")
    fake_engine.replies = None
    await stack.press(CHAT, SEVERITY)
    assert engine_got(fake_engine) == SEVERITY


async def test_the_customers_own_words_are_kept_as_typed(stack, fake_engine):
    visitor = await stack.browser()
    await visitor.say(DISSATISFIED)
    conversation = fake_engine.received[-1]["sender"]
    await stack.app[CONVERSATIONS].settled(conversation)
    transcript = await stack.store.transcript(conversation)
    assert transcript[0].text == DISSATISFIED  # staff see what was typed
