"""The web widget following a "continue on the web" link (?link=<token>), in real Chromium.

The gateway is the real app on a TCP port with the real SQLite profile store; the engine is
a stand-in that echoes. The link is issued the way the bot issues it on Telegram.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from playwright.async_api import expect

from bot.app import create_app
from bot.linking import LINKER, USED
from bot.state import STORE
from memory import Source, migrate
from tests.conftest import free_port

pytestmark = pytest.mark.browser


class EchoEngine:
    def __init__(self) -> None:
        self.received: list[dict] = []

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        return web.json_response([{"text": f"You said: {body['message']}"}])


@pytest.fixture
async def engine():
    echo = EchoEngine()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", echo.webhook)
    app.router.add_get("/health", echo.health)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    echo.port = port  # type: ignore[attr-defined]
    yield echo
    await runner.cleanup()


@pytest.fixture
async def gateway(make_settings, engine):
    port = free_port()
    settings = make_settings(
        RAPPORT_PORT=str(port), RAPPORT_ENGINE_PORT=str(engine.port),
        RAPPORT_ACTIONS_PORT=str(engine.port), RAPPORT_PUBLIC_URL=f"http://127.0.0.1:{port}/",
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(migrate, settings.profile_db_url)
    runner = web.AppRunner(create_app(settings), shutdown_timeout=2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield runner.app
    await runner.cleanup()


async def telegram_customers_web_link(app) -> tuple[str, str]:
    store = app[STORE]
    tom = await store.identify("telegram", "5127461093")
    await store.remember(tom, "first_name", "Tom", source=Source("telegram"))
    return tom, await app[LINKER].link_for(tom, "telegram", "web")


async def test_following_a_link_opens_the_chat_as_the_linked_customer(
    page, gateway, engine, browser
):
    store = gateway[STORE]
    tom, url = await telegram_customers_web_link(gateway)
    assert "?link=" in url

    await page.goto(url)
    await expect(page.get_by_role("dialog")).to_be_visible()  # opened by the link
    offer = page.get_by_role("group", name="Continue another chat here?")
    await expect(offer).to_contain_text("Only continue if you asked for this link yourself")
    assert [i.channel for i in await store.identities(tom)] == ["telegram"]  # not yet redeemed
    await offer.get_by_role("button", name="Continue here").click()
    await expect(offer).to_have_count(0)
    await page.get_by_label("Your message").fill("hello from my laptop")
    await page.get_by_label("Your message").press("Enter")
    answer = page.locator(".log .message").nth(1)
    await expect(answer).to_contain_text("You said: hello from my laptop")
    assert "link=" not in page.url  # the spent token leaves the address bar
    conversation = engine.received[-1]["sender"]
    assert await store.customer_for_conversation(conversation) == tom

    await page.reload()  # the session, now Tom's, survives a reload
    await expect(answer).to_contain_text("You said: hello from my laptop")

    # The same link in another browser: refused with a clear notice; the chat still works.
    context = await browser.new_context()
    stranger = await context.new_page()
    await stranger.goto(url)
    await stranger.get_by_role("button", name="Continue here").click()
    await expect(stranger.get_by_role("alert")).to_have_text(USED)
    await stranger.get_by_label("Your message").fill("hi")
    await stranger.get_by_label("Your message").press("Enter")
    await expect(stranger.locator(".log .message").last).to_contain_text("You said: hi")
    assert await store.customer_for_conversation(engine.received[-1]["sender"]) != tom
    await context.close()


async def test_a_link_is_never_followed_without_a_click(page, gateway, engine):
    store = gateway[STORE]
    tom, url = await telegram_customers_web_link(gateway)

    await page.goto(url)  # e.g. a link someone else sent
    offer = page.get_by_role("group", name="Continue another chat here?")
    await expect(offer).to_be_visible()
    await offer.get_by_role("button", name="No, stay here").click()
    await expect(offer).to_have_count(0)
    assert "link=" not in page.url
    await page.get_by_label("Your message").fill("just browsing")
    await page.get_by_label("Your message").press("Enter")
    await expect(page.locator(".log .message").nth(1)).to_contain_text("You said: just browsing")
    assert await store.customer_for_conversation(engine.received[-1]["sender"]) != tom
    assert [i.channel for i in await store.identities(tom)] == ["telegram"]  # never redeemed
    await page.reload()
    await expect(page.get_by_role("group", name="Continue another chat here?")).to_have_count(0)
