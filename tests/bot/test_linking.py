"""One customer across channels: signed, expiring, single-use links between the web, the REST
API and Telegram, through the real gateway with a fake engine and a local Bot API server."""

from __future__ import annotations

import json
import re
import string
import time

import pytest

from bot.app import create_app
from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.channels.web.socket import SESSIONS
from bot.linking import EXPIRED, INVALID, LINKER, UNAVAILABLE, USED, LinkDenied, LinkTokens
from bot.state import STORE
from memory import Source
from tests.bot.channels.telegram.bot_api import SECRET, FakeBotApi, recorded_update

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
        before = len(self.bot_api.texts_in(chat_id))
        client = await self.make_client(self.server)
        response = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert response.status == 200, await response.text()
        return self.bot_api.texts_in(chat_id)[before:]

    async def start(self, chat_id: int, token: str) -> list[str]:
        return await self.telegram(chat_id, f"/start {token}", "command_start_deep_link")

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


async def test_a_chat_that_talked_before_is_merged_into_the_linking_customer(stack, fake_engine):
    await stack.telegram(CHAT, "hi there")
    chat_customer = await stack.store.find_customer("telegram", str(CHAT))
    await stack.store.remember(chat_customer, "city", "Leeds", source=Source("telegram"))
    earlier_conversation = fake_engine.received[-1]["sender"]
    ann, token = await telegram_link_from_the_web(stack, fake_engine)

    await stack.start(CHAT, token)
    store = stack.store
    assert await store.find_customer("telegram", str(CHAT)) == ann.customer_id
    profile = await store.profile(chat_customer)  # the absorbed id resolves to Ann
    assert profile.customer_id == ann.customer_id
    assert (profile.get("first_name"), profile.get("city")) == ("Ann", "Leeds")
    assert await store.customer_for_conversation(earlier_conversation) == ann.customer_id


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


async def test_a_visitors_earlier_web_chat_is_merged_when_they_follow_the_link(stack, fake_engine):
    visitor = await stack.browser()
    await visitor.say("just looking")
    earlier = visitor.customer_id
    await stack.store.remember(earlier, "city", "York", source=Source("web"))
    tom, token = await telegram_link_to_the_web(stack, fake_engine)

    assert (await visitor.session(link=token)).status == 200  # carries its own session token
    assert visitor.customer_id == tom
    profile = await stack.store.profile(earlier)
    assert profile.customer_id == tom
    assert (profile.get("first_name"), profile.get("city")) == ("Tom", "York")


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
