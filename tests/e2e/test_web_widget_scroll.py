"""The newest message stays in view in the web widget, however many quick replies come with it.

Real Chromium against the real gateway, with the scripted engine of test_web_widget.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser import artifact
from tests.e2e.test_web_widget import engine, gateway, messages, open_widget, send  # noqa: F401

pytestmark = pytest.mark.browser

COMPLAINT_QUESTION = {
    "text": "I'm sorry about that. I've noted it in your words. What is it about?",
    "buttons": [{"title": title, "payload": f"/inform{index}"} for index, title in enumerate(
        ["Connection or speed", "Billing or charges", "Router or device", "Customer service",
         "Something else"])],
}
LONG = ("Thanks for telling me. Here is a longer answer that wraps over several lines in the "
        "chat panel, as the bot's answers about plans and prices often do.")


def answer(text: str) -> list[dict[str, Any]]:
    if text == "my router keeps restarting":
        return [COMPLAINT_QUESTION]
    return [{"text": LONG}]


async def newest_is_fully_shown(page) -> bool:
    """Whether the newest message lies inside the visible part of the chat log."""
    return await page.evaluate("""() => {
        const log = document.querySelector('#rapport-chat').shadowRoot.querySelector('.log');
        const items = log.querySelectorAll('.message');
        const newest = items[items.length - 1].getBoundingClientRect();
        const shown = log.getBoundingClientRect();
        return newest.top >= shown.top - 1 && newest.bottom <= shown.bottom + 1;
    }""")


async def test_the_newest_message_is_not_hidden_behind_the_quick_replies(browser, gateway, engine):
    engine.answer = answer  # type: ignore[method-assign]
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    page = await context.new_page()
    try:
        await open_widget(page, gateway.url + "/")
        for turn in range(4):  # enough to fill the log, so that it scrolls
            await send(page, f"question {turn}")
            await expect(messages(page)).to_have_count(2 * turn + 2)
        await send(page, "my router keeps restarting")
        newest = messages(page).last
        await expect(newest).to_contain_text("What is it about?")
        quick = page.get_by_role("group", name="Quick replies")
        await expect(quick.get_by_role("button")).to_have_count(5)
        await page.get_by_role("dialog").screenshot(path=artifact("web-widget-quick-replies.png"))
        assert await newest_is_fully_shown(page)
        await expect(newest).to_be_in_viewport(ratio=1)
        await expect(quick.get_by_role("button", name="Something else")).to_be_in_viewport()
        await expect(page.get_by_label("Your message")).to_be_in_viewport()
    finally:
        await context.close()
