"""The marketer studio end to end: real Chromium, real engine, action server and gateway.

A marketer signs in, changes the greeting for top-value customers and publishes it; the
next conversation of a top customer shows it while other customers keep the old one; a
broken edit is refused with a clear message and the live bot is unchanged; a rollback
restores the old greeting; an agent cannot open the studio. Screenshots go to
tests/artifacts/.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal

import aiohttp
import pytest
from playwright.async_api import Page, expect

from bot.settings import REPO_ROOT
from memory import Source, open_store
from tests.browser import artifact
from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PASSWORD = "e2e studio password, long enough"
OLD_TOP = ("Welcome back, Ada! It's great to see one of our most valued customers. "
           "How can I help today?")
NEW_TOP_TEMPLATE = ("Welcome back, {first_name}! Lovely to see you again. "
                    "What can we do for you today?")
NEW_TOP = NEW_TOP_TEMPLATE.replace("{first_name}", "Ada")
REGULAR = "Welcome back, Bo! How can I help you today?"


def create_user(stack: Stack, username: str, role: str) -> None:
    created = subprocess.run(
        [sys.executable, "-m", "bot.accounts", "create-user", "--role", role,
         "--username", username, "--name", username.title(), "--password-stdin"],
        input=PASSWORD + "\n", env=stack.env, cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr


@pytest.fixture(scope="module")
def studio_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("studio-stack"))
    # A generated token may start with "-", which `rasa run --auth-token` takes for an option.
    stack.env["RAPPORT_ENGINE_TOKEN"] = "e2e-studio-engine-token"
    create_user(stack, "mia", "marketer")
    create_user(stack, "alex", "agent")
    stack.start()
    yield stack
    stack.stop()


async def returning_customer(stack: Stack, reference: str, name: str, *, top: bool) -> None:
    """A customer the bot knows by name; a top one has spent 5,000 GBP this year."""
    store = await open_store(f"sqlite+aiosqlite:///{stack.data_dir / 'profile.db'}")
    try:
        customer_id = await store.identify("api", reference)
        source = Source(channel="api", actor="e2e")
        await store.remember(customer_id, "first_name", name, source=source)
        if top:
            await store.record_purchase(customer_id, amount=Decimal("5000"), currency="GBP",
                                        product="fibre-900", source=source)
        assert (await store.value(customer_id)).tier == ("top" if top else "new")
    finally:
        await store.close()


async def first_reply(stack: Stack, customer: str, text: str) -> str:
    """The bot's first reply to `text`, in a new conversation of `customer` (REST API)."""
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{stack.url}/api/v1/messages",
            json={"customer": customer, "conversation": uuid.uuid4().hex, "text": text},
            headers={"Authorization": f"Bearer {stack.api_key}"},
        ) as response:
            assert response.status == 200, await response.text()
            return (await response.json())["replies"][0]["text"]


async def sign_in(page: Page, base: str, username: str, path: str = "/studio") -> None:
    await page.goto(base + path)
    await expect(page).to_have_url(re.compile(r"/staff/login\?next="))
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def publish(page: Page, message: str) -> None:
    await page.get_by_label("What does this change do?").fill(message)
    await page.get_by_role("button", name="Publish").click()


@pytest.fixture
async def page(browser):
    context = await browser.new_context(viewport={"width": 1400, "height": 950})
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("dialog", lambda dialog: dialog.accept())
    yield opened
    await context.close()
    assert errors == [], errors


async def test_a_marketer_changes_the_top_tier_greeting_publishes_and_rolls_back(
        studio_stack: Stack, page: Page):
    base = studio_stack.url
    vip, regular = f"vip-{uuid.uuid4().hex[:6]}", f"regular-{uuid.uuid4().hex[:6]}"
    await returning_customer(studio_stack, vip, "Ada", top=True)
    await returning_customer(studio_stack, regular, "Bo", top=False)
    assert await first_reply(studio_stack, vip, "hello") == OLD_TOP
    assert await first_reply(studio_stack, regular, "hello") == REGULAR

    # Sign in and edit the greeting's top-tier variation in the form editor.
    await sign_in(page, base, "mia")
    await expect(page).to_have_url(base + "/studio")
    await page.get_by_role("link", name="Responses").click()
    await page.get_by_role("button", name=re.compile("^utter_welcome_back")).click()
    top_tier = page.locator("select.cond-value option:checked", has_text="top")
    top = page.locator("fieldset.variation").filter(has=top_tier)
    await expect(top).to_have_count(1)
    await top.get_by_label("Text").fill(NEW_TOP_TEMPLATE)
    await page.get_by_role("button", name="Save to draft").click()
    await expect(page.locator("#status")).to_have_text("utter_welcome_back saved to your draft.")
    await expect(page.locator("#draft-summary")).to_contain_text(
        "wording only: goes live immediately")
    await page.screenshot(path=artifact("studio-responses.png"), full_page=True)

    # Saved but not published: customers still get the old greeting.
    assert await first_reply(studio_stack, vip, "hello") == OLD_TOP
    await publish(page, "Warmer greeting for our best customers")
    await expect(page.locator("#status")).to_have_text("Published: version 2 is live.")
    assert await first_reply(studio_stack, vip, "hello") == NEW_TOP
    assert await first_reply(studio_stack, regular, "hello") == REGULAR

    # A rule naming a response that does not exist is refused, at its line.
    await page.get_by_role("link", name="YAML").click()
    await page.get_by_role("button", name="data/rules/basics.yml").click()
    code = page.get_by_label("File content")
    await expect(code).to_have_value(re.compile(r"- rule: thanks"))
    original = await code.input_value()
    await code.fill(original.replace("action: utter_you_are_welcome",
                                     "action: utter_you_are_so_welcome"))
    await page.get_by_role("button", name="Save to draft").click()
    problem = page.locator("#file-problems li.problem.error")
    await expect(problem).to_contain_text(
        "'thanks' makes the bot answer with utter_you_are_so_welcome, but there is no response "
        "called utter_you_are_so_welcome.")
    line = original.splitlines().index("      - action: utter_you_are_welcome") + 1
    await expect(problem.locator("a.where")).to_have_text(f"data/rules/basics.yml:{line}")
    await expect(page.locator("#highlight .line.bad")).to_have_count(1)
    await expect(page.get_by_role("button", name="Publish")).to_be_disabled()
    await expect(page.locator("#status")).to_contain_text("1 problem(s) to fix before publishing")

    # Broken YAML is refused too, with the line the parser stopped at.
    await code.fill(original.replace("  - rule: thanks\n", "  - rule: thanks\n    steps: [oops\n"))
    await page.get_by_role("button", name="Save to draft").click()
    await expect(page.locator("#file-problems li.problem.error")).to_contain_text(
        "The YAML is broken here")
    await page.screenshot(path=artifact("studio-broken-edit.png"), full_page=True)
    refused = await page.evaluate("""async () => {
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch('/studio/api/publish', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
            body: JSON.stringify({message: 'try anyway'})});
        return [r.status, (await r.json()).error];
    }""")
    assert refused[0] == 422 and "problem(s) to fix first" in refused[1]
    thanks = await first_reply(studio_stack, vip, "thanks")
    assert thanks == "You're welcome! Just tell me if there's anything else."
    assert await first_reply(studio_stack, vip, "hello") == NEW_TOP
    await page.get_by_role("button", name="Discard draft").click()
    await expect(page.locator("#status")).to_have_text("Draft discarded.")

    # History: version 2 with its author and diff; rolling back to version 1 restores the greeting.
    await page.get_by_role("link", name="History").click()
    rows = page.locator("#versions tbody tr")
    row = rows.filter(has_text="Warmer greeting for our best customers")
    await expect(row).to_contain_text("Mia")
    await row.get_by_role("button", name="Changes").click()
    await expect(page.locator("#diff .add")).to_contain_text(NEW_TOP_TEMPLATE)
    first = rows.filter(has_text="The bot as shipped with the code")
    await first.get_by_role("button", name="Roll back to this").click()
    await expect(page.locator("#status")).to_have_text("Rolled back: version 3 is live.")
    await expect(page.locator("#audit tbody tr").first).to_contain_text("rollback")
    await page.screenshot(path=artifact("studio-history.png"), full_page=True)
    assert await first_reply(studio_stack, vip, "hello") == OLD_TOP
    assert await first_reply(studio_stack, regular, "hello") == REGULAR


async def test_an_agent_cannot_open_the_studio(studio_stack: Stack, page: Page):
    await sign_in(page, studio_stack.url, "alex", "/studio")
    await expect(page.get_by_role("heading", name="No access")).to_be_visible()
    await expect(page.locator("main")).to_contain_text(
        "Your role does not give access to this page.")
    status = await page.evaluate("async () => (await fetch('/studio/api/status')).status")
    assert status == 403


async def test_a_marketer_chats_with_a_flow_change_before_publishing_it(studio_stack: Stack,
                                                                          page: Page):
    """The draft changes a rule: it is trained and served by a preview engine; live is untouched."""
    base = studio_stack.url
    await sign_in(page, base, "mia")
    await page.goto(base + "/studio/files?path=data/rules/basics.yml")
    code = page.get_by_label("File content")
    await expect(code).to_have_value(re.compile(r"- rule: help"))
    text = await code.input_value()
    await code.fill(text.replace("      - intent: help\n      - action: utter_help",
                                 "      - intent: help\n      - action: utter_iamabot"))
    await page.get_by_role("button", name="Save to draft").click()
    await expect(page.locator("#draft-summary")).to_contain_text("needs retraining")

    await page.get_by_role("link", name="Preview").click()
    await page.get_by_label("Value tier").select_option("top")
    await page.get_by_label("First name").fill("Ada")
    await page.get_by_role("button", name="Start a preview").click()
    await expect(page.locator("#preview-job")).to_be_visible()  # training, with its progress bar
    await expect(page.get_by_label("Say something as the customer")).to_be_enabled(timeout=240_000)
    await page.get_by_label("Say something as the customer").fill("help")
    await page.get_by_role("button", name="Send").click()
    bot_turns = page.locator("#preview-transcript .turn.bot")
    await expect(bot_turns.last).to_contain_text("Yes, I'm a bot")
    await page.screenshot(path=artifact("studio-preview.png"), full_page=True)

    live = await first_reply(studio_stack, "someone", "help")
    assert "I can help you find the right broadband" in live
    await page.get_by_role("button", name="Discard draft").click()
    await expect(page.locator("#status")).to_have_text("Draft discarded.")
