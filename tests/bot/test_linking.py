"""One customer across channels: signed, expiring, single-use links between the web, the REST
API and Telegram, through the real gateway with a fake engine and a local Bot API server."""

from __future__ import annotations

import re
import string
import time

import pytest

from bot.app import create_app
from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.linking import EXPIRED, INVALID, LINKER, TAKEN, UNAVAILABLE, USED, LinkDenied, LinkTokens
from memory import Source
from tests.bot.channels.telegram.bot_api import SECRET, recorded_update
from tests.bot.stack import Browser, Stack

CHAT, OTHER_CHAT = 5127461093, 5127461094
BOT = "rapport_demo_bot"
PUBLIC_URL = "https://shop.example.com/help"
INTRO = "Sure! Use this link to carry on where we left off; I'll remember everything we've said."
# What actions/handoff.py's action_link_channel makes `rasa run` answer: the text, then the payload.
LINK_REPLIES = [
    {"recipient_id": "x", "text": INTRO},
    {"recipient_id": "x", "custom": {"link_channel": {"target": "telegram"}}},
]
TELEGRAM_LINK = re.compile(rf"https://t\.me/{BOT}\?start=([A-Za-z0-9_-]+)")
WEB_LINK = re.compile(rf"{re.escape(PUBLIC_URL)}\?link=([A-Za-z0-9_-]+)")


@pytest.fixture
def link_settings(settings_for):
    return settings_for(RAPPORT_TELEGRAM_BOT_USERNAME=f"@{BOT}", RAPPORT_PUBLIC_URL=PUBLIC_URL)


@pytest.fixture
async def stack(aiohttp_server, aiohttp_client, link_settings, bot_api) -> Stack:
    server = await aiohttp_server(create_app(link_settings))
    return Stack(server, aiohttp_client, bot_api)


async def telegram_link_from_the_web(stack: Stack, fake_engine) -> tuple[Browser, str]:
    """A web visitor who told us their name asks to continue on Telegram: (browser, token)."""
    ann = await stack.browser()
    await ann.say("hello")
    await stack.store.remember(ann.customer_id, "first_name", "Ann", source=Source("web"))
    fake_engine.replies = LINK_REPLIES
    texts = await ann.say("can I continue on Telegram?")
    fake_engine.replies = None
    assert texts[0] == INTRO
    token = TELEGRAM_LINK.search(texts[1]).group(1)
    return ann, token


# From the web (or the REST API) to Telegram


async def test_a_web_customer_continues_on_telegram_as_the_same_customer(stack, fake_engine):
    ann, token = await telegram_link_from_the_web(stack, fake_engine)
    assert len(token) <= 64  # Telegram's limit for a start parameter

    assert await stack.start(CHAT, token) == ["echo: /greet"]

    store = stack.store
    assert await store.find_customer("telegram", str(CHAT)) == ann.customer_id
    greeting = fake_engine.received[-1]
    assert greeting["message"] == "/greet" and greeting["sender"].startswith(f"telegram.{CHAT}.")
    # The bot's actions find the customer through the conversation: it is Ann, name and all.
    assert await store.customer_for_conversation(greeting["sender"]) == ann.customer_id
    assert (await store.profile(ann.customer_id)).get("first_name") == "Ann"
    linked = [r for r in await store.audit_log(ann.customer_id) if r["action"] == "link_identity"]
    assert linked[-1]["detail"]["channel"] == "telegram"
    # Later messages from the chat stay with Ann.
    await stack.telegram(CHAT, "what's my name?")
    later = fake_engine.received[-1]["sender"]
    assert await store.customer_for_conversation(later) == ann.customer_id


async def test_a_replayed_token_is_refused(stack, fake_engine):
    ann, token = await telegram_link_from_the_web(stack, fake_engine)
    await stack.start(CHAT, token)

    replies = await stack.start(OTHER_CHAT, token)
    assert replies == [USED, "echo: /greet"]  # refused, and the chat carries on unlinked
    intruder = await stack.store.find_customer("telegram", str(OTHER_CHAT))
    assert intruder is not None and intruder != ann.customer_id
    assert (await stack.store.profile(intruder)).get("first_name") is None


async def test_an_expired_token_is_refused(stack, fake_engine):
    ann = await stack.browser()
    await ann.say("hello")
    linker = stack.app[LINKER]
    linker.clock = lambda: time.time() - linker.max_age - 1  # issued long enough ago
    url = await linker.link_for(ann.customer_id, "web", "telegram")
    linker.clock = time.time

    replies = await stack.start(CHAT, TELEGRAM_LINK.search(url).group(1))
    assert replies == [EXPIRED, "echo: /greet"]
    assert await stack.store.find_customer("telegram", str(CHAT)) != ann.customer_id


def flipped(token: str, at: int) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return token[:at] + alphabet[(alphabet.index(token[at]) + 1) % len(alphabet)] + token[at + 1:]


@pytest.mark.parametrize("forgery", [
    "one character changed in the jti", "one character changed in the expiry",
    "one character changed in the signature", "signed with another key",
    "minted for the web, used on Telegram", "genuine signature, never issued", "made up",
])
async def test_forged_tokens_are_refused(stack, fake_engine, forgery):
    ann, token = await telegram_link_from_the_web(stack, fake_engine)
    expires, ours = int(time.time()) + 600, LinkTokens("test-signing-key")
    forged = {
        "one character changed in the jti": lambda: flipped(token, 3),
        "one character changed in the expiry": lambda: flipped(token, 14),
        "one character changed in the signature": lambda: flipped(token, 30),
        "signed with another key": lambda: LinkTokens("another-key").mint("telegram", expires)[1],
        "minted for the web, used on Telegram": lambda: ours.mint("web", expires)[1],
        "genuine signature, never issued": lambda: ours.mint("telegram", expires)[1],
        "made up": lambda: "x" * 39,
    }[forgery]()

    assert await stack.start(CHAT, forged) == [INVALID, "echo: /greet"]
    assert await stack.store.find_customer("telegram", str(CHAT)) != ann.customer_id
    assert await stack.start(OTHER_CHAT, token) == ["echo: /greet"]  # the real one still works


async def test_a_link_sent_to_someone_elses_telegram_chat_cannot_take_its_history(
    stack, fake_engine
):
    # Victor has talked to the bot on Telegram and told it his city.
    await stack.telegram(CHAT, "hi there")
    victor = await stack.store.find_customer("telegram", str(CHAT))
    await stack.store.remember(victor, "city", "Leeds", source=Source("telegram"))
    earlier_conversation = fake_engine.received[-1]["sender"]
    # Mallory asks for "continue on Telegram" on the web and sends Victor the deep link.
    mallory, token = await telegram_link_from_the_web(stack, fake_engine)

    assert await stack.start(CHAT, token) == [TAKEN, "echo: /greet"]  # refused; chat goes on
    store = stack.store
    assert await store.find_customer("telegram", str(CHAT)) == victor
    assert (await store.profile(victor)).customer_id == victor  # not merged into Mallory
    assert (await store.profile(mallory.customer_id)).get("city") is None
    assert await store.customer_for_conversation(earlier_conversation) == victor
    assert await store.customer_for_conversation(fake_engine.received[-1]["sender"]) == victor
    # Mallory asking what the bot knows about her finds nothing of Victor's.
    assert [i.channel for i in await store.identities(mallory.customer_id)] == ["web"]


async def test_a_telegram_chat_seen_but_without_history_is_linked(stack, fake_engine):
    chat_customer = await stack.store.identify("telegram", str(CHAT))  # nothing said yet
    ann, token = await telegram_link_from_the_web(stack, fake_engine)

    assert await stack.start(CHAT, token) == ["echo: /greet"]
    assert await stack.store.find_customer("telegram", str(CHAT)) == ann.customer_id
    assert (await stack.store.profile(chat_customer)).customer_id == ann.customer_id


async def test_a_rest_customer_gets_a_telegram_deep_link(stack, fake_engine):
    fake_engine.replies = LINK_REPLIES
    client = await stack.make_client(stack.server)
    response = await client.post(
        "/api/v1/messages", json={"customer": "crm-7", "text": "continue on telegram"},
        headers={"Authorization": "Bearer test-api-key"},
    )
    intro, link = (await response.json())["replies"]
    assert intro == {"text": INTRO, "buttons": []}
    assert "custom" not in link  # the payload is the gateway's business, not the integration's
    token = TELEGRAM_LINK.search(link["text"]).group(1)
    fake_engine.replies = None
    await stack.start(CHAT, token)
    assert await stack.store.find_customer("telegram", str(CHAT)) == \
        await stack.store.find_customer("api", "crm-7")


# From Telegram to the web


async def telegram_link_to_the_web(stack: Stack, fake_engine) -> tuple[str, str]:
    await stack.telegram(CHAT, "hello")
    customer = await stack.store.find_customer("telegram", str(CHAT))
    await stack.store.remember(customer, "first_name", "Tom", source=Source("telegram"))
    fake_engine.replies = LINK_REPLIES  # the action always asks for Telegram; we are on it
    replies = await stack.telegram(CHAT, "can I continue in my browser?")
    fake_engine.replies = None
    assert replies[0] == INTRO
    return customer, WEB_LINK.search(replies[1]).group(1)


async def test_a_telegram_customer_continues_on_the_web(stack, fake_engine):
    tom, token = await telegram_link_to_the_web(stack, fake_engine)
    browser = await stack.browser()
    response = await browser.session(link=token)
    assert response.status == 200, await response.text()
    assert browser.customer_id == tom
    assert [i.channel for i in await stack.store.identities(tom)] == ["telegram", "web"]
    await browser.say("hello from the browser")
    sender = fake_engine.received[-1]["sender"]
    assert sender.startswith("web.")
    assert await stack.store.customer_for_conversation(sender) == tom

    replay = await (await stack.browser()).session(link=token)
    assert replay.status == 403
    assert (await replay.json())["error"] == USED


async def test_a_link_sent_to_someone_elses_browser_never_moves_its_earlier_chat(
    stack, fake_engine
):
    # Victor chats on the web; Mallory, on Telegram, asks for a web link and sends it to him.
    victor = await stack.browser()
    await victor.say("just looking")
    earlier_customer, earlier_conversation = victor.customer_id, fake_engine.received[-1]["sender"]
    await stack.store.remember(earlier_customer, "city", "York", source=Source("web"))
    mallory, token = await telegram_link_to_the_web(stack, fake_engine)

    assert (await victor.session(link=token)).status == 200  # he clicked "Continue here"
    assert victor.customer_id == mallory  # this browser now chats as the link's customer...
    store = stack.store
    profile = await store.profile(earlier_customer)  # ...but his history stays his own
    assert profile.customer_id == earlier_customer and profile.get("city") == "York"
    assert (await store.profile(mallory)).get("city") is None
    assert await store.customer_for_conversation(earlier_conversation) == earlier_customer
    assert not [r for r in await store.audit_log(mallory) if r["action"] == "merge"]


@pytest.mark.parametrize("link", ["x" * 39, "not a token", 42, ""])
async def test_a_bad_web_link_is_refused_with_a_clear_message(stack, link):
    response = await (await stack.browser()).session(link=link)
    assert response.status == 403
    assert (await response.json())["error"] == INVALID
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_a_web_link_token_does_not_work_as_a_telegram_one(stack, fake_engine):
    _, token = await telegram_link_to_the_web(stack, fake_engine)
    assert (await stack.start(OTHER_CHAT, token))[0] == INVALID


# Without Telegram


async def test_without_telegram_the_bot_says_plainly_that_it_is_not_available(
    gateway, fake_engine
):
    fake_engine.replies = LINK_REPLIES
    response = await gateway.post(
        "/api/v1/messages", json={"customer": "crm-7", "text": "continue on telegram"},
        headers={"Authorization": "Bearer test-api-key"},
    )
    assert (await response.json())["replies"] == [{"text": UNAVAILABLE["telegram"], "buttons": []}]


# The token itself


def test_tokens_are_compact_url_safe_and_tamper_evident():
    tokens = LinkTokens("test-signing-key")
    expires = int(time.time()) + 900
    jti, token = tokens.mint("telegram", expires)
    assert re.fullmatch(r"[A-Za-z0-9_-]{39}", token)
    assert tokens.read(token, "telegram", time.time()) == jti
    for at in range(len(token)):
        with pytest.raises(LinkDenied):
            tokens.read(flipped(token, at), "telegram", time.time())
    with pytest.raises(LinkDenied) as expired:
        tokens.read(token, "telegram", expires)
    assert expired.value.code == "link_expired"
    with pytest.raises(LinkDenied):
        tokens.read(token, "web", time.time())


async def test_in_production_web_links_wait_for_a_public_url(
    settings_for, fake_engine, bot_api, aiohttp_client
):
    settings = settings_for(RAPPORT_ENV="production", RAPPORT_TELEGRAM_BOT_USERNAME=BOT)
    client = await aiohttp_client(create_app(settings))
    fake_engine.replies = LINK_REPLIES
    update = recorded_update("message_text", update_id=1, chat_id=CHAT, text="to my browser")
    response = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
    assert response.status == 200
    assert bot_api.texts_in(CHAT) == [UNAVAILABLE["web"]]
