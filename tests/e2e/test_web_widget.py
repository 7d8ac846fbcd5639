"""The embeddable web chat widget in real Chromium, against a real gateway on a TCP port.

The gateway is the real aiohttp app with the real SQLite profile store; only the dialogue
engine is a scripted stand-in, so these tests are about the widget and its transport.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Page, expect

from bot.app import create_app
from bot.channels.web.sessions import Session, Sessions
from bot.settings import Settings
from bot.engine.client import Reply
from bot.state import DELIVERY, STORE
from memory import migrate
from tests.browser import artifact
from tests.conftest import free_port

pytestmark = pytest.mark.browser

IDENTITY_SECRET = "e2e-identity-secret"
XSS = '<img src=x onerror="window.__xss = 1">'


@dataclass
class ScriptedEngine:
    """Answers like `rasa run`'s REST channel, with a small fixed script."""

    received: list[str] = field(default_factory=list)

    def answer(self, text: str) -> list[dict[str, Any]]:
        if text == "hello":
            return [{"text": "Hi! I'm the **Rapport** assistant. Is this about an _order_?",
                     "buttons": [{"title": "Yes", "payload": "/affirm"},
                                 {"title": "No", "payload": "/deny"}]}]
        if text == "/affirm":
            return [{"text": "Great. Track it on [your orders page](https://shop.example/orders)."}]
        if text == "/deny":
            return [{"text": "No problem. What can I help you with?"}]
        if text == "links please":
            return [{"text": "[safe](https://shop.example/help) and [unsafe](javascript:window.__xss=2)"}]
        return [{"text": f"You said: {text}"}]

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body["message"])
        if body["message"] == "slow":
            await asyncio.sleep(1.5)
        return web.json_response(self.answer(body["message"]))


class Gateway:
    """The gateway app on a fixed port, so that it can be stopped and started again."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    async def start(self) -> None:
        self.runner = web.AppRunner(create_app(self.settings), shutdown_timeout=2)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.settings.port).start()

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()
        self.runner = None

    @property
    def store(self):
        assert self.runner is not None
        return self.runner.app[STORE]


@pytest.fixture
async def engine():
    scripted = ScriptedEngine()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", scripted.webhook)
    app.router.add_get("/health", scripted.health)  # it stands in for the action server too
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    scripted.port = port  # type: ignore[attr-defined]
    yield scripted
    await runner.cleanup()


@pytest.fixture
async def gateway(make_settings, engine):
    settings = make_settings(
        RAPPORT_ENGINE_PORT=str(engine.port), RAPPORT_ACTIONS_PORT=str(engine.port), RAPPORT_WEB_IDENTITY_SECRET=IDENTITY_SECRET
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(migrate, settings.profile_db_url)
    running = Gateway(settings)
    await running.start()
    yield running
    if running.runner is not None:
        await running.stop()


@pytest.fixture
async def host_site(gateway):
    """Another origin that embeds the widget from the gateway, as a customer's site would."""
    pages: dict[str, str] = {}

    async def serve(request: web.Request) -> web.Response:
        return web.Response(text=pages[request.match_info["name"]], content_type="text/html")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()

    def page(name: str, attributes: str) -> str:
        pages[name] = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Shop</title></head>"
            f"<body><h1>Shop</h1><script src=\"{gateway.url}/static/widget.js\" {attributes}>"
            "</script></body></html>"
        )
        return f"http://localhost:{port}/{name}"  # localhost vs 127.0.0.1: a different origin

    yield page
    await runner.cleanup()


def messages(page: Page):
    return page.locator(".log .message")


async def open_widget(page: Page, url: str) -> None:
    await page.goto(url)
    await page.get_by_role("button", name="Open chat").click()
    await expect(page.get_by_role("dialog")).to_be_visible()


async def send(page: Page, text: str) -> None:
    await page.get_by_label("Your message").fill(text)
    await page.get_by_label("Your message").press("Enter")


async def test_a_whole_conversation_with_buttons_markdown_and_timestamps(page, gateway, engine):
    await open_widget(page, gateway.url + "/")
    await send(page, "hello")

    bot = messages(page).nth(1)
    await expect(bot).to_contain_text("Hi! I'm the Rapport assistant. Is this about an order?")
    await expect(bot.locator("strong")).to_have_text("Rapport")
    await expect(bot.locator("em")).to_have_text("order")
    await expect(bot.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    await expect(bot.locator("time")).to_have_text(re.compile(r"\d{1,2}:\d\d"))
    quick = page.get_by_role("group", name="Quick replies")
    await expect(quick.get_by_role("button")).to_have_text(["Yes", "No"])
    await page.screenshot(path=artifact("web-widget.png"))

    await quick.get_by_role("button", name="Yes").click()
    await expect(messages(page).nth(2)).to_contain_text("Yes")
    link = messages(page).nth(3).get_by_role("link", name="your orders page")
    await expect(link).to_have_attribute("href", "https://shop.example/orders")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    await expect(quick.get_by_role("button")).to_have_count(0)
    assert engine.received == ["hello", "/affirm"]

    await send(page, "slow")
    await expect(page.get_by_role("status", name="The assistant is typing")).to_be_visible()
    await expect(messages(page).nth(5)).to_contain_text("You said: slow")
    await expect(page.get_by_role("status", name="The assistant is typing")).to_be_hidden()
    await page.get_by_role("dialog").screenshot(path=artifact("web-widget-panel.png"))


async def test_a_reload_restores_the_history_and_the_session(page, gateway, engine):
    await open_widget(page, gateway.url + "/")
    await send(page, "hello")
    await page.get_by_role("button", name="No").click()
    await expect(messages(page)).to_have_count(4)

    await page.reload()
    await expect(page.get_by_role("dialog")).to_be_visible()  # it stays open, too
    await expect(messages(page)).to_have_count(4)
    await expect(messages(page).nth(0)).to_contain_text("hello")
    await expect(messages(page).nth(2)).to_contain_text("No")  # the title, not "/deny"
    await expect(messages(page).nth(3)).to_contain_text("No problem")

    await send(page, "still me")
    await expect(messages(page).nth(5)).to_contain_text("You said: still me")
    session = await stored_session(page, gateway)
    transcript = await gateway.store.transcript(session.conversation_id)
    assert [m.text for m in transcript if m.sender == "customer"] == ["hello", "/deny", "still me"]
    assert engine.received == ["hello", "/deny", "still me"]


async def stored_session(page: Page, gateway: Gateway) -> Session:
    """The session the widget keeps in the page's localStorage, as the gateway reads it."""
    token = await page.evaluate(
        "JSON.parse(localStorage.getItem('rapport:' + arguments[0]) || '{}').token"
        .replace("arguments[0]", repr(gateway.url))
    )
    settings = gateway.settings
    return Sessions(settings.signing_key, "", settings.web_session_max_age).read(token)


async def test_the_widget_reconnects_after_a_gateway_restart_and_sends_what_waited(page, gateway, engine):
    await open_widget(page, gateway.url + "/")
    await send(page, "before")
    await expect(messages(page).nth(1)).to_contain_text("You said: before")

    await gateway.stop()
    await expect(page.get_by_role("status").filter(has_text="Reconnecting")).to_be_visible()
    await send(page, "while you were away")
    await expect(messages(page).nth(2)).to_contain_text("Waiting for connection")

    await gateway.start()  # same signing key, same database
    await expect(messages(page).nth(3)).to_contain_text("You said: while you were away", timeout=15_000)
    await expect(messages(page)).to_have_count(4)
    await expect(page.locator(".delivery")).to_have_count(0)
    assert engine.received == ["before", "while you were away"]


async def test_sending_while_the_session_is_still_starting_opens_one_socket(page, gateway, engine):
    async def slow_session(route):
        await asyncio.sleep(0.8)
        await route.continue_()

    await page.route("**/web/session", slow_session)
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket))
    await page.goto(gateway.url + "/")
    await page.get_by_role("button", name="Open chat").click()
    await send(page, "right away")  # before the session has arrived
    await expect(messages(page).nth(0)).to_contain_text("Waiting for connection")
    await expect(messages(page).nth(1)).to_contain_text("You said: right away")
    await page.wait_for_timeout(300)
    assert len(sockets) == 1 and engine.received == ["right away"]


async def test_html_in_messages_is_shown_as_text_and_never_runs(page, gateway):
    await open_widget(page, gateway.url + "/")
    await send(page, XSS)
    await expect(messages(page).nth(0).locator(".bubble")).to_have_text(XSS)
    await expect(messages(page).nth(1).locator(".bubble")).to_have_text("You said: " + XSS)
    await send(page, "links please")
    reply = messages(page).nth(3)
    await expect(reply.get_by_role("link")).to_have_count(1)
    await expect(reply.get_by_role("link")).to_have_attribute("href", "https://shop.example/help")
    await expect(reply).to_contain_text("[unsafe](javascript:window.__xss=2)")
    await page.wait_for_timeout(300)
    assert await page.evaluate("window.__xss") is None
    assert await page.locator("#rapport-chat img").count() == 0


async def test_the_widget_works_by_keyboard_alone(page, gateway, engine):
    await page.goto(gateway.url + "/")
    launcher = page.locator(".launcher")
    await page.keyboard.press("Tab")
    await expect(launcher).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    await expect(page.get_by_label("Your message")).to_be_focused()

    await page.keyboard.type("hello")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("button", name="No")).to_be_visible()
    await page.keyboard.press("Shift+Tab")  # from the message box back to the quick replies
    await expect(page.get_by_role("button", name="No")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(messages(page).nth(3)).to_contain_text("No problem")
    await expect(page.get_by_label("Your message")).to_be_focused()

    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_be_hidden()
    await expect(launcher).to_be_focused()
    assert engine.received == ["hello", "/deny"]


async def test_aria_roles_and_labels(page, gateway):
    await open_widget(page, gateway.url + "/")
    log = page.get_by_role("log", name="Conversation")
    await expect(log).to_have_attribute("aria-live", "polite")
    await expect(page.get_by_role("dialog", name="Northwind support")).to_be_visible()
    await expect(page.get_by_role("button", name="Send message")).to_be_visible()
    await expect(page.get_by_role("button", name="Close chat").first).to_be_visible()
    await expect(page.get_by_role("button", name="Start a new conversation")).to_be_visible()


async def test_the_widget_fits_a_375px_phone(browser, gateway):
    context = await browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    phone = await context.new_page()
    try:
        await open_widget(phone, gateway.url + "/")
        await send(phone, "hello")
        await expect(messages(phone).nth(1)).to_contain_text("Rapport assistant")
        box = await phone.get_by_role("dialog").bounding_box()
        assert box is not None and box["x"] == 0 and box["width"] == 375
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
        await expect(phone.get_by_role("button", name="Yes")).to_be_in_viewport()
        await expect(phone.get_by_label("Your message")).to_be_in_viewport()
        await phone.screenshot(path=artifact("web-widget-375px.png"))
        await phone.get_by_role("button", name="Close chat").click()
        await expect(phone.locator(".launcher")).to_be_in_viewport()
    finally:
        await context.close()


async def test_a_new_conversation_starts_with_an_empty_log(page, gateway, engine):
    await open_widget(page, gateway.url + "/")
    await send(page, "first topic")
    await expect(messages(page)).to_have_count(2)
    await page.get_by_role("button", name="Start a new conversation").click()
    await expect(messages(page)).to_have_count(0)
    await send(page, "second topic")
    await expect(messages(page)).to_have_count(2)
    await page.reload()
    await expect(messages(page)).to_have_count(2)
    await expect(messages(page).nth(0)).to_contain_text("second topic")


def _hash(user_id: str, secret: str = IDENTITY_SECRET) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


async def test_identified_mode_from_another_site(page, gateway, host_site):
    url = host_site("account", f'data-user-id="user-7" data-user-hash="{_hash("user-7")}" data-title="Shop help"')
    await open_widget(page, url)
    await send(page, "hello")
    await expect(messages(page).nth(1)).to_contain_text("Rapport assistant")
    customer = await gateway.store.find_customer("web-user", "user-7")
    assert customer is not None
    (interaction,) = await gateway.store.interactions(customer)
    transcript = await gateway.store.transcript(interaction.conversation_id)
    assert [m.text for m in transcript][0] == "hello"


async def test_an_invalid_user_hash_is_refused_in_the_widget(page, gateway, host_site):
    url = host_site("forged", f'data-user-id="user-7" data-user-hash="{_hash("user-8")}"')
    await open_widget(page, url)
    await expect(page.get_by_role("alert")).to_contain_text("could not verify your account")
    await expect(page.get_by_label("Your message")).to_be_disabled()
    assert await gateway.store.find_customer("web-user", "user-7") is None


async def test_two_tabs_share_the_conversation_and_an_agent_reply_reaches_both(browser, gateway):
    context = await browser.new_context()
    try:
        tab_a, tab_b = await context.new_page(), await context.new_page()
        await open_widget(tab_a, gateway.url + "/")
        await send(tab_a, "from tab A")
        await expect(messages(tab_a).nth(1)).to_contain_text("You said: from tab A")

        await tab_b.goto(gateway.url + "/")  # same browser, same stored session; panel stays shut
        await expect(tab_b.locator(".launcher")).to_have_attribute("aria-expanded", "true")
        await tab_b.get_by_role("button", name="Close chat").first.click()
        await send(tab_a, "again")
        await expect(messages(tab_b)).to_have_count(4)

        session = await stored_session(tab_a, gateway)
        await gateway.runner.app[DELIVERY].deliver(
            session.conversation_id, Reply("Hi, Sam from support here.", custom={"sender": "agent"})
        )
        await expect(tab_a.locator(".message.from-agent")).to_contain_text("Sam from support")
        # Tab B was shut for the reply to "again" and for the agent: two new messages.
        await expect(tab_b.locator(".badge")).to_have_text("2")
        await tab_b.get_by_role("button", name="Open chat, 2 new").click()
        await expect(tab_b.locator(".message.from-agent")).to_contain_text("Sam from support")
        await expect(tab_b.locator(".badge")).to_be_hidden()
    finally:
        await context.close()


@pytest.mark.e2e
async def test_the_widget_against_the_whole_stack(page, stack):
    """The real engine, action server and gateway behind the widget, restart included."""
    log = page.get_by_role("log", name="Conversation")
    await open_widget(page, stack.url + "/")
    await send(page, "hello")
    await expect(log).to_contain_text("first name", timeout=30_000)

    await asyncio.to_thread(stack.restart)  # the widget reconnects on its own
    await send(page, "my name is Ann")
    bot_messages = page.locator(".message.from-bot")
    await expect(bot_messages.filter(has_text="Ann")).not_to_have_count(0, timeout=30_000)
    await expect(page.locator(".delivery")).to_have_count(0)

    await page.reload()
    await expect(log).to_contain_text("first name")
    await expect(page.locator(".message.from-customer")).to_have_text(
        [re.compile("hello"), re.compile("my name is Ann")]
    )
    await expect(bot_messages.filter(has_text="Ann")).not_to_have_count(0)
    await page.get_by_role("dialog").screenshot(path=artifact("web-widget-stack.png"))
