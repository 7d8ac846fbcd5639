"""Human handoff end to end: the real engine, action server and gateway, real Chromium on both sides.

One browser context is the customer (the web chat widget, or a Telegram chat through a
local Bot API server); another is the agent in the staff console. The customer asks for
a person, the agent sees them arrive live, claims them and replies; the bot stays silent
until the agent hands back, when it picks up by asking about satisfaction. While the agent
has the conversation the NLU still reads it: a complaint typed in the customer's own words
is suggested in the console and recorded in the profile with one click.
Screenshots of the console go to tests/artifacts/.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from bot.settings import REPO_ROOT, Settings
from memory import open_store
from tests.browser import artifact
from tests.bot.channels.telegram.bot_api import FakeBotApi, recorded_update
from tests.e2e.conftest import Stack, TelegramCustomer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

AGENT, AGENT_NAME = "ann", "Ann Agent"
PASSWORD = "e2e agent password, long enough"
SECRET = "e2e-handoff-telegram-secret"
XSS = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2</script>'
RULES = "staffed_hours: {always: true}\nqueue: {minutes_per_customer: 5, update_every_seconds: 30}\n"


@pytest.fixture(scope="module")
def handoff_stack(tmp_path_factory: pytest.TempPathFactory, bot_api: FakeBotApi) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("handoff-stack")
    rules = data_dir / "handoff-rules.yml"
    rules.write_text(RULES, encoding="utf-8")
    stack = Stack(data_dir)
    stack.env.update(
        RAPPORT_HANDOFF_RULES=str(rules),
        RAPPORT_TELEGRAM_TOKEN=bot_api.token,
        RAPPORT_TELEGRAM_SECRET=SECRET,
        RAPPORT_TELEGRAM_API_URL=bot_api.url,
        # A generated token may start with "-", which `rasa run --auth-token` takes for an option.
        RAPPORT_ENGINE_TOKEN="e2e-handoff-engine-token",
    )
    created = subprocess.run(
        [sys.executable, "-m", "bot.accounts", "create-user", "--role", "agent", "--username", AGENT,
         "--name", AGENT_NAME, "--password-stdin"],
        input=PASSWORD + "\n", env=stack.env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert created.returncode == 0, created.stderr
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
async def pages(browser):
    """(customer page, agent page) in two separate browser contexts."""
    contexts = [await browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(2)]
    opened = [await context.new_page() for context in contexts]
    errors: list[str] = []
    for page in opened:
        page.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    for context in contexts:
        await context.close()
    assert errors == [], errors


async def sign_in(agent: Page, base: str) -> None:
    await agent.goto(base + "/console")
    await expect(agent).to_have_url(re.compile(r"/staff/login\?next="))
    await agent.get_by_label("Username").fill(AGENT)
    await agent.get_by_label("Password").fill(PASSWORD)
    await agent.get_by_role("button", name="Sign in").click()
    await expect(agent).to_have_url(base + "/console")
    await expect(agent.locator("body")).to_have_attribute("data-live", "on")


def waiting_row(agent: Page, text: str):
    return agent.locator("#waiting tr.waiting-row").filter(has_text=text)


async def claim(agent: Page, text: str) -> None:
    row = waiting_row(agent, text)
    await expect(row).to_be_visible()  # arrived live: the page was never reloaded
    await row.get_by_role("button", name="Claim").click()
    await expect(agent).to_have_url(re.compile(r"/console/conversations/\d+$"))
    await expect(agent.locator("body")).to_have_attribute("data-mine", "yes")


async def reply(agent: Page, text: str) -> None:
    await agent.get_by_label("Reply to the customer").fill(text)
    await agent.get_by_role("button", name="Send").click()


# --- the web chat customer ----------------------------------------------------------------

def widget_messages(page: Page):
    return page.locator(".log .message")


async def widget_send(page: Page, text: str) -> None:
    await page.get_by_label("Your message").fill(text)
    await page.get_by_label("Your message").press("Enter")


async def test_a_web_customer_is_handed_to_an_agent_and_back_to_the_bot(handoff_stack, pages):
    customer, agent = pages
    await sign_in(agent, handoff_stack.url)
    await customer.goto(handoff_stack.url + "/")
    await customer.get_by_role("button", name="Open chat").click()

    await widget_send(customer, "I want to talk to a human")
    await expect(widget_messages(customer).filter(has_text="in the queue")).to_have_count(1, timeout=30_000)
    await expect(waiting_row(agent, "I want to talk to a human")).to_be_visible()
    await agent.screenshot(path=artifact("console-queue.png"), full_page=True)

    await claim(agent, "I want to talk to a human")
    await expect(widget_messages(customer).filter(has_text=f"{AGENT_NAME} from our team has joined")).to_have_count(1)
    transcript = agent.locator("#transcript")
    await expect(transcript).to_contain_text("I want to talk to a human")
    await expect(agent.locator("#profile")).to_contain_text("Tier:")

    await reply(agent, "Hi, I'm Ann. How can I help?")
    await expect(widget_messages(customer).last).to_contain_text("Hi, I'm Ann. How can I help?")

    bot_answers = widget_messages(customer).locator("xpath=self::*[contains(@class, 'from-bot')]")
    bot_before = await bot_answers.count()
    await widget_send(customer, XSS)
    await widget_send(customer, "My router keeps dropping the connection")
    await expect(transcript.locator(".message.customer").last).to_have_text(
        re.compile("My router keeps dropping the connection"))
    await expect(transcript.locator(".message.customer").nth(-2).locator(".text")).to_have_text(XSS)
    assert await transcript.locator("img, script").count() == 0
    assert await agent.evaluate("window.__xss") is None
    await customer.wait_for_timeout(1500)
    assert await bot_answers.count() == bot_before  # the bot stayed silent

    await agent.get_by_label("Internal note (never shown to the customer)").fill("Offer a goodwill credit")
    await agent.get_by_role("button", name="Add note").click()
    await expect(agent.locator("#notes")).to_contain_text("Offer a goodwill credit")
    await agent.screenshot(path=artifact("console-conversation.png"), full_page=True)

    await agent.get_by_role("button", name="Hand back to the bot").click()
    await expect(widget_messages(customer).filter(has_text="handed you back")).to_have_count(1)
    quick = customer.get_by_role("group", name="Quick replies")
    await expect(quick.get_by_role("button").first).to_be_visible()
    await quick.get_by_role("button").last.click()  # the best rating
    await expect(widget_messages(customer).last).to_contain_text("Thank you", timeout=30_000)
    assert "Offer a goodwill credit" not in await customer.locator(".log").inner_text()
    await expect(agent.locator("body")).to_have_attribute("data-status", "closed")


# --- the Telegram customer ----------------------------------------------------------------

async def eventually(check, timeout: float = 10.0) -> None:
    """Wait until check() is true (what reaches the Bot API server arrives asynchronously)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.1)


class HandoffCustomer(TelegramCustomer):
    secret = SECRET
    first_chat_id = 6_100_000_000
    first_update_id = 800_000_000

    async def say(self, text: str) -> list[str]:
        return await self.send("message_text", text)

    async def press_last_button(self) -> None:
        markup = next(m["reply_markup"] for m in reversed(self.bot_api.sent("sendMessage"))
                      if int(m["chat_id"]) == self.chat_id and m.get("reply_markup"))
        markup = json.loads(markup) if isinstance(markup, str) else markup
        self.update_id += 1
        update = recorded_update("callback_query", update_id=self.update_id, chat_id=self.chat_id)
        update["callback_query"]["data"] = markup["inline_keyboard"][-1][0]["callback_data"]
        await self.post(update)


async def test_a_telegram_customer_gets_the_agents_replies_in_telegram(handoff_stack, bot_api, pages):
    _, agent = pages
    await sign_in(agent, handoff_stack.url)
    customer = HandoffCustomer(handoff_stack, bot_api)

    answers = await customer.say("can I speak to someone")
    assert any("in the queue" in text for text in answers), answers
    await claim(agent, "can I speak to someone")
    await expect(agent.locator("#handoff-summary")).to_contain_text("telegram")
    await eventually(lambda: any("from our team has joined" in t for t in customer.texts()))

    await reply(agent, "Hello from the support team!")
    await eventually(lambda: customer.texts()[-1] == "Hello from the support team!")

    assert await customer.say("thanks, the router works now") == []  # the bot says nothing
    await expect(agent.locator("#transcript")).to_contain_text("thanks, the router works now")
    await agent.screenshot(path=artifact("console-conversation-telegram.png"), full_page=True)

    await agent.get_by_role("button", name="Hand back to the bot").click()
    await eventually(lambda: any("experience" in t for t in customer.texts()[-2:]))
    before = len(customer.texts())
    await customer.press_last_button()
    await eventually(lambda: len(customer.texts()) > before, timeout=30)
    assert any("Thank you" in t for t in customer.texts()[before:])


# --- capture during a handoff -------------------------------------------------------------

COMPLAINT = "My router keeps dropping the connection, it has been down since yesterday"
NEED = "I need a new SIM for my daughter, something under 15 a month"


async def test_a_complaint_told_to_the_agent_is_suggested_and_recorded_in_the_profile(handoff_stack, pages):
    customer, agent = pages
    await sign_in(agent, handoff_stack.url)
    await customer.goto(handoff_stack.url + "/")
    await customer.get_by_role("button", name="Open chat").click()
    await widget_send(customer, "can I talk to a real person please")
    await expect(widget_messages(customer).filter(has_text="in the queue")).to_have_count(1, timeout=30_000)
    await claim(agent, "can I talk to a real person please")

    await widget_send(customer, COMPLAINT)
    suggestion = agent.locator("#suggestion-list .suggestion").filter(has_text=COMPLAINT)
    await expect(suggestion).to_be_visible(timeout=15_000)  # pushed live: no reload
    await expect(suggestion.locator(".label")).to_have_text(re.compile(r"^\w+ complaint: '"))
    await agent.screenshot(path=artifact("console-suggestion.png"), full_page=True)

    await suggestion.get_by_role("button", name="Record").click()
    await expect(suggestion).to_contain_text(re.compile(r"recorded as C-\d+"))
    await expect(agent.locator("#profile")).to_contain_text(COMPLAINT)
    await agent.screenshot(path=artifact("console-suggestion-recorded.png"), full_page=True)

    await widget_send(customer, NEED)  # and a need, which the agent corrects before recording
    need = agent.locator("#suggestion-list .suggestion").filter(has_text=NEED)
    await expect(need).to_contain_text("need", timeout=15_000)
    await need.get_by_role("button", name="Edit").click()
    await need.get_by_label("budget").fill("20 GBP/month")
    await agent.screenshot(path=artifact("console-suggestion-edit.png"), full_page=True)
    await need.locator("form").get_by_role("button", name="Record").click()
    await expect(need).to_contain_text("recorded")
    await expect(agent.locator("#profile")).to_contain_text("20 GBP/month")

    handoff_id = int(agent.url.rsplit("/", 1)[1])
    detail = await agent.evaluate(f"fetch('/console/api/handoffs/{handoff_id}').then(r => r.json())")
    store = await open_store(Settings.from_env(handoff_stack.env).profile_db_url)
    try:
        complaints = await store.complaints(detail["handoff"]["customer_id"])
        needs = await store.needs(detail["handoff"]["customer_id"])
    finally:
        await store.close()
    assert [c.description for c in complaints] == [COMPLAINT]
    assert complaints[0].source.channel == "agent"
    assert complaints[0].source.actor == f"agent:{detail['me']['id']}"
    assert [(n.budget, n.words, n.source.actor) for n in needs] == [
        ("20 GBP/month", NEED, f"agent:{detail['me']['id']}")]
    assert [s["status"] for s in detail["suggestions"]] == ["recorded", "recorded"]
