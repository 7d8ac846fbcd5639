"""The Telegram channel: python-telegram-bot in the real gateway, against a local Bot API server.

Updates are the payloads in tests/bot/channels/telegram/, posted to the gateway's webhook the way
Telegram posts them; everything the bot sends lands on the fake Bot API server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from bot.app import create_app
from bot.channels.telegram import SECRET_HEADER, TELEGRAM, WEBHOOK_PATH, set_webhook
from bot.linking import LinkRefused
from bot.channels.telegram.handlers import NO_EDITS, ONLY_TEXT
from bot.channels.telegram.replies import split_text
from bot.delivery import Undeliverable
from bot.engine.client import Button, Reply
from bot.state import DELIVERY, STORE
from memory import errors
from tests.bot.channels.telegram.bot_api import SECRET, TOKEN, FakeBotApi, recorded_update
from tests.conftest import free_port

CHAT = 5127461093  # the private chat in the recorded updates
GROUP = -1001876543210
SHORT_PAYLOAD = '/inform{"complaint_category": "connection"}'
LONG_PAYLOAD = '/inform{"complaint_category": "connection", "complaint_severity": "high", "x": 1}'
QUICK_REPLIES = [{
    "recipient_id": "x",
    "text": "I'm sorry to hear that. What is it about?",
    "buttons": [
        {"title": "Connection or speed", "payload": SHORT_PAYLOAD},
        {"title": "It's serious", "payload": LONG_PAYLOAD},
    ],
}]


@pytest.fixture
def telegram_settings(settings_for):
    return settings_for()


@pytest.fixture
def polling_settings(settings_for):
    return settings_for(RAPPORT_TELEGRAM_MODE="polling")


@pytest.fixture
async def start_gateway(aiohttp_client, telegram_settings):
    """Start a gateway; a second call is the same deployment after a restart (same database)."""

    async def start():
        return await aiohttp_client(create_app(telegram_settings))

    return start


@pytest.fixture
async def gateway(start_gateway):
    return await start_gateway()


async def post(client, update, *, secret: str | None = SECRET):
    headers = {} if secret is None else {SECRET_HEADER: secret}
    response = await client.post(WEBHOOK_PATH, json=update, headers=headers)
    assert response.status == 200 or secret != SECRET, await response.text()
    return response


def texts_to(bot_api: FakeBotApi, chat_id: int = CHAT) -> list[str]:
    return bot_api.texts_in(chat_id)


async def transcript_of(gateway, conversation_id: str):
    return await gateway.app[STORE].transcript(conversation_id)


# Webhook verification


async def test_a_text_message_reaches_the_bot_and_the_reply_has_an_inline_keyboard(
    gateway, fake_engine, bot_api
):
    fake_engine.replies = QUICK_REPLIES
    await post(gateway, recorded_update("message_text"))

    [turn] = fake_engine.received
    assert turn["message"] == "I'd like a faster broadband plan"
    assert turn["sender"].startswith(f"telegram.{CHAT}.")
    assert turn["input_channel"] == "telegram"
    [sent] = bot_api.sent("sendMessage")
    assert sent["chat_id"] == CHAT
    assert sent["text"] == "I'm sorry to hear that. What is it about?"
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in keyboard] == [
        ["Connection or speed"], ["It's serious"]
    ]
    assert keyboard[0][0]["callback_data"] == SHORT_PAYLOAD
    assert len(keyboard[1][0]["callback_data"].encode()) <= 64
    customer = await gateway.app[STORE].find_customer("telegram", str(CHAT))
    assert customer is not None


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
async def test_updates_without_the_right_secret_token_are_refused(
    gateway, fake_engine, bot_api, secret
):
    response = await post(gateway, recorded_update("message_text"), secret=secret)
    assert response.status == 403
    assert "secret token" in (await response.json())["error"]
    assert fake_engine.received == []
    assert bot_api.sent("sendMessage") == []
    assert await gateway.app[STORE].find_customer("telegram", str(CHAT)) is None


@pytest.mark.parametrize("sent", [None, ""])
async def test_with_an_empty_secret_no_update_is_accepted(
    settings_for, aiohttp_client, fake_engine, bot_api, sent
):
    settings = dataclasses.replace(settings_for(), telegram_secret="")
    gateway = await aiohttp_client(create_app(settings))
    response = await post(gateway, recorded_update("message_text"), secret=sent)
    assert response.status == 403
    assert fake_engine.received == [] and bot_api.sent("sendMessage") == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"message": {"text": "hi"}}, "update_id"),
        ({"update_id": 1, "message": "hi"}, "not a valid"),
        # Found by fuzzing (tests/fuzz): a list as an id crashed python-telegram-bot (500).
        ({**recorded_update("message_text"), "message": {
            **recorded_update("message_text")["message"], "from": {"id": [1], "is_bot": False,
                                                                   "first_name": "A"}}}, "not a valid"),
        ({**recorded_update("message_text"), "message": {
            **recorded_update("message_text")["message"], "chat": {"id": "5", "type": "private"}}},
         "not a valid"),
    ],
)
async def test_a_malformed_update_gets_a_clear_400(gateway, fake_engine, body, says):
    response = await gateway.post(WEBHOOK_PATH, json=body, headers={SECRET_HEADER: SECRET})
    assert response.status == 400
    assert says in (await response.json())["error"]
    assert fake_engine.received == []


async def test_without_a_token_the_channel_is_off_and_says_so(gateway_settings, aiohttp_client):
    client = await aiohttp_client(create_app(gateway_settings))
    response = await client.post(WEBHOOK_PATH, json=recorded_update("message_text"),
                                 headers={SECRET_HEADER: "anything"})
    assert response.status == 404
    assert "Telegram channel is off" in (await response.json())["error"]


async def test_an_unreachable_telegram_does_not_stop_the_gateway(
    settings_for, fake_engine, aiohttp_client
):
    settings = settings_for(RAPPORT_TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}")
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/health")).status == 200
    response = await client.post(WEBHOOK_PATH, json=recorded_update("message_text"),
                                 headers={SECRET_HEADER: SECRET})
    assert response.status == 503  # Telegram retries, so the update is not lost
    assert fake_engine.received == []


async def test_set_webhook_registers_the_url_with_the_secret_token(telegram_settings, bot_api):
    await set_webhook(telegram_settings, "https://chat.example.com/telegram/webhook")
    [call] = bot_api.sent("setWebhook")
    assert call["url"] == "https://chat.example.com/telegram/webhook"
    assert call["secret_token"] == SECRET
    assert set(call["allowed_updates"]) >= {"message", "callback_query", "edited_message"}
    with pytest.raises(ValueError, match="HTTPS"):
        await set_webhook(telegram_settings, "http://chat.example.com/telegram/webhook")


async def test_the_bot_token_never_reaches_the_logs(gateway, bot_api, caplog):
    caplog.set_level(logging.DEBUG)
    await post(gateway, recorded_update("message_text"))
    assert bot_api.sent("sendMessage")
    assert TOKEN not in caplog.text


# Quick replies and commands


async def test_a_button_press_is_answered_and_its_payload_goes_to_the_bot(
    gateway, fake_engine, bot_api
):
    pressed = '/inform{"severity": "low"}'  # the recorded press
    fake_engine.replies = [{"recipient_id": "x", "text": "How badly does this affect you?",
                            "buttons": [{"title": "Minor annoyance", "payload": pressed}]}]
    await post(gateway, recorded_update("message_text"))
    fake_engine.replies = None
    await post(gateway, recorded_update("callback_query"))
    answered = [call["callback_query_id"] for call in bot_api.sent("answerCallbackQuery")]
    assert answered == ["22020338412883961"]
    assert fake_engine.received[-1]["message"] == pressed
    assert texts_to(bot_api)[-1] == f"echo: {pressed}"


async def test_a_long_payload_button_works_even_after_a_restart(
    start_gateway, fake_engine, bot_api
):
    first = await start_gateway()
    fake_engine.replies = QUICK_REPLIES
    await post(first, recorded_update("message_text"))
    keyboard = bot_api.sent("sendMessage")[0]["reply_markup"]["inline_keyboard"]
    hashed = keyboard[1][0]["callback_data"]
    fake_engine.replies = None

    restarted = await start_gateway()
    press = recorded_update("callback_query", update_id=718243950)
    press["callback_query"]["data"] = hashed
    await post(restarted, press)

    assert fake_engine.received[-1]["message"] == LONG_PAYLOAD
    assert fake_engine.received[-1]["sender"] == fake_engine.received[0]["sender"]


async def test_an_unknown_hashed_button_asks_the_customer_to_type_instead(
    gateway, fake_engine, bot_api
):
    press = recorded_update("callback_query")
    press["callback_query"]["data"] = "#h:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    await post(gateway, press)
    assert fake_engine.received == []
    assert bot_api.sent("answerCallbackQuery")
    assert texts_to(bot_api) == ["That button has expired. Please type your answer instead."]


async def test_start_greets_in_a_new_conversation_that_later_messages_continue(
    gateway, fake_engine
):
    await post(gateway, recorded_update("command_start"))
    await post(gateway, recorded_update("message_text"))
    await post(gateway, recorded_update("command_start", update_id=718243990))
    await post(gateway, recorded_update("message_text", update_id=718243991))

    assert [turn["message"] for turn in fake_engine.received] == [
        "/greet", "I'd like a faster broadband plan", "/greet", "I'd like a faster broadband plan"
    ]
    senders = [turn["sender"] for turn in fake_engine.received]
    assert senders[0] == senders[1] == f"telegram.{CHAT}.718243895"
    assert senders[2] == senders[3] == f"telegram.{CHAT}.718243990"


async def test_a_deep_link_start_calls_the_link_hook_then_greets(gateway, fake_engine, bot_api):
    linked: list[tuple[str, str]] = []

    async def link_start(chat_id: str, token: str) -> None:
        linked.append((chat_id, token))

    gateway.app[TELEGRAM].chats.link_start = link_start
    await post(gateway, recorded_update("command_start_deep_link"))
    assert linked == [(str(CHAT), "c-3kP9xQ2Lm7vN4rT8yW1zB6")]
    assert [turn["message"] for turn in fake_engine.received] == ["/greet"]
    assert texts_to(bot_api) == ["echo: /greet"]


async def test_a_refused_deep_link_is_explained_and_the_chat_goes_on(gateway, fake_engine, bot_api):
    async def link_start(chat_id: str, token: str) -> None:
        raise LinkRefused("That link has expired. Please ask for a new one on the website.")

    gateway.app[TELEGRAM].chats.link_start = link_start
    await post(gateway, recorded_update("command_start_deep_link"))
    assert texts_to(bot_api) == [
        "That link has expired. Please ask for a new one on the website.", "echo: /greet"
    ]


async def test_a_deep_link_token_the_gateway_never_issued_is_not_trusted(gateway, bot_api):
    await post(gateway, recorded_update("command_start_deep_link"))  # tests/bot/test_linking.py
    assert "isn't valid" in texts_to(bot_api)[0]


# Other updates


async def test_an_edited_message_is_kept_but_not_answered_again(gateway, fake_engine, bot_api):
    await post(gateway, recorded_update("message_text"))
    await post(gateway, recorded_update("edited_message"))

    assert len(fake_engine.received) == 1
    assert texts_to(bot_api)[-1] == NO_EDITS
    transcript = await transcript_of(gateway, fake_engine.received[0]["sender"])
    edit, answer = transcript[-2:]
    assert (edit.sender, edit.text) == ("customer", "I'd like a faster fibre broadband plan")
    assert edit.payload == {"telegram": {"edited_message_id": 412}}
    assert (answer.sender, answer.text) == ("bot", NO_EDITS)


@pytest.mark.parametrize(("name", "kind", "caption"), [
    ("photo", "photo", "The router light keeps blinking red"),
    ("sticker", "sticker", ""),
])
async def test_photos_and_stickers_get_a_polite_text_only_reply(
    gateway, fake_engine, bot_api, name, kind, caption
):
    await post(gateway, recorded_update(name))
    assert fake_engine.received == []
    assert texts_to(bot_api) == [ONLY_TEXT]
    store = gateway.app[STORE]
    customer = await store.find_customer("telegram", str(CHAT))
    [interaction] = await store.interactions(customer)
    kept, answer = await store.transcript(interaction.conversation_id)
    assert (kept.sender, kept.text) == ("customer", caption)
    assert (answer.sender, answer.text) == ("bot", ONLY_TEXT)
    assert kept.payload["telegram"]["attachment"] == kind
    assert kept.payload["telegram"]["file_id"]


async def test_group_chatter_is_ignored_and_never_stored(gateway, fake_engine, bot_api):
    await post(gateway, recorded_update("group_message"))
    assert fake_engine.received == []
    assert bot_api.sent("sendMessage") == []
    assert await gateway.app[STORE].find_customer("telegram", str(GROUP)) is None


async def test_a_command_in_a_group_points_to_a_private_chat(gateway, fake_engine, bot_api):
    await post(gateway, recorded_update("group_command"))
    assert fake_engine.received == []
    [reply] = texts_to(bot_api, GROUP)
    assert "privately" in reply and "https://t.me/rapport_demo_bot" in reply


# Faults and bad input


async def test_a_customer_who_blocked_the_bot_is_marked_and_nothing_crashes(
    gateway, fake_engine, bot_api, caplog
):
    caplog.set_level(logging.INFO)
    bot_api.blocked.add(CHAT)
    response = await post(gateway, recorded_update("message_text"))
    assert response.status == 200
    conversation = fake_engine.received[0]["sender"]
    notes = [m for m in await transcript_of(gateway, conversation) if m.sender == "system"]
    assert ["blocked" in note.text for note in notes] == [True]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "blocked" in ours
    assert str(CHAT) not in ours and "Ann" not in ours and "broadband" not in ours

    bot_api.blocked.clear()
    await post(gateway, recorded_update("message_text", update_id=718243960, text="are you there?"))
    assert texts_to(bot_api) == ["echo: are you there?"]


async def test_a_block_notice_from_telegram_is_noted_for_staff(gateway, fake_engine):
    await post(gateway, recorded_update("message_text"))
    await post(gateway, recorded_update("my_chat_member_blocked"))
    transcript = await transcript_of(gateway, fake_engine.received[0]["sender"])
    assert transcript[-1].sender == "system" and "blocked" in transcript[-1].text


async def test_a_duplicate_update_is_processed_once(gateway, fake_engine, bot_api):
    update = recorded_update("message_text")
    await post(gateway, update)
    await post(gateway, update)
    assert len(fake_engine.received) == 1
    assert len(bot_api.sent("sendMessage")) == 1


async def test_a_redelivery_after_a_restart_is_not_processed_again(
    start_gateway, fake_engine, bot_api
):
    update = recorded_update("message_text")
    await post(await start_gateway(), update)
    await post(await start_gateway(), update)
    assert len(fake_engine.received) == 1
    assert len(bot_api.sent("sendMessage")) == 1


async def test_concurrent_duplicates_reach_the_bot_once(gateway, fake_engine):
    update = recorded_update("message_text")
    await asyncio.gather(*(post(gateway, update) for _ in range(5)))
    assert len(fake_engine.received) == 1


@pytest.mark.parametrize(("text", "says"), [("x" * 5000, "too long"), ("  \n ", "empty")])
async def test_bad_text_gets_a_clear_reply_and_never_reaches_the_bot(
    gateway, fake_engine, bot_api, text, says
):
    await post(gateway, recorded_update("message_text", text=text))
    assert fake_engine.received == []
    [reply] = texts_to(bot_api)
    assert says in reply


async def test_when_the_message_cannot_be_stored_the_customer_is_told(
    gateway, fake_engine, bot_api, monkeypatch
):
    async def broken(*args, **kwargs):
        raise errors.StoreUnavailable("database is locked")

    monkeypatch.setattr(gateway.app[STORE], "record_message", broken)
    await post(gateway, recorded_update("message_text"))
    assert fake_engine.received == []
    assert texts_to(bot_api) == ["Your message could not be saved. Please try again."]


async def test_a_long_reply_is_split_and_the_keyboard_comes_last(gateway, fake_engine, bot_api):
    fake_engine.replies = [{**QUICK_REPLIES[0], "text": "word " * 1500}]
    await post(gateway, recorded_update("message_text"))
    sent = bot_api.sent("sendMessage")
    assert len(sent) == 2
    assert "reply_markup" not in sent[0] and "inline_keyboard" in sent[1]["reply_markup"]
    assert "".join(call["text"] for call in sent).split() == ["word"] * 1500


def test_split_text_counts_like_telegram():
    emoji = "\U0001F600" * 3000  # 6000 UTF-16 units
    chunks = split_text(emoji)
    assert "".join(chunks) == emoji
    assert all(len(chunk.encode("utf-16-le")) // 2 <= 4096 for chunk in chunks)


# Pushing replies outside a turn (agents, follow-ups)


async def test_delivery_pushes_a_reply_into_a_telegram_conversation(gateway, fake_engine, bot_api):
    await post(gateway, recorded_update("message_text"))
    conversation = fake_engine.received[0]["sender"]
    reply = Reply("Hi, this is Sam from support.", buttons=(Button("Thanks", "/thank"),))
    await gateway.app[DELIVERY].deliver(conversation, reply)

    sent = bot_api.sent("sendMessage")[-1]
    assert (sent["chat_id"], sent["text"]) == (CHAT, "Hi, this is Sam from support.")
    assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/thank"


async def test_delivery_to_a_customer_who_blocked_the_bot_fails_loudly(
    gateway, fake_engine, bot_api
):
    await post(gateway, recorded_update("message_text"))
    conversation = fake_engine.received[0]["sender"]
    bot_api.blocked.add(CHAT)
    with pytest.raises(Undeliverable, match="blocked"):
        await gateway.app[DELIVERY].deliver(conversation, Reply("Are you still there?"))
    transcript = await transcript_of(gateway, conversation)
    assert transcript[-1].sender == "system"


# Polling (local development)


async def test_polling_mode_fetches_updates_and_replies(
    polling_settings, aiohttp_client, fake_engine, bot_api
):
    client = await aiohttp_client(create_app(polling_settings))
    bot_api.queue_update(recorded_update("message_text"))
    for _ in range(100):
        if texts_to(bot_api):
            break
        await asyncio.sleep(0.05)
    assert texts_to(bot_api) == ["echo: I'd like a faster broadband plan"]
    assert bot_api.sent("deleteWebhook")

    response = await client.post(
        WEBHOOK_PATH, json=recorded_update("message_text"), headers={SECRET_HEADER: SECRET}
    )
    assert response.status == 404
    assert "polling" in (await response.json())["error"]
