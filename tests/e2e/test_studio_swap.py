"""A flow change published from the studio, through the real stack, while customers keep talking.

The draft changes a rule, so the studio trains a model (with a live progress bar) and swaps
it into the running engine with Rasa's PUT /model. Customers in the middle of a
conversation (greeted, asked for their name, answering it) talk continuously through the
whole publish; every reply must be the right one, and none may be dropped.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import aiohttp
import pytest

from tests.e2e.conftest import Stack
from tests.e2e.test_studio import PASSWORD, create_user

pytestmark = pytest.mark.e2e

RULES = "data/rules/basics.yml"
CUSTOMERS = 4


@pytest.fixture(scope="module")
def swap_stack(tmp_path_factory: pytest.TempPathFactory):
    stack = Stack(tmp_path_factory.mktemp("studio-swap"))
    stack.env["RAPPORT_ENGINE_TOKEN"] = "e2e-studio-swap-engine-token"
    stack.env["RAPPORT_RATE_SESSION_BURST"] = "0"
    stack.env["RAPPORT_RATE_IP_BURST"] = "0"
    create_user(stack, "mia", "marketer")
    stack.start()
    yield stack
    stack.stop()


async def signed_in(base: str, username: str) -> tuple[aiohttp.ClientSession, str]:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    form = await (await session.get(f"{base}/staff/login")).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = await session.post(f"{base}/staff/login", data={
        "username": username, "password": PASSWORD, "csrf_token": token}, allow_redirects=False)
    assert response.status == 303, await response.text()
    me = await (await session.get(f"{base}/staff/me")).json()
    return session, me["csrf_token"]


async def test_customers_keep_talking_through_a_retrain_and_model_swap(swap_stack: Stack):
    base = swap_stack.url
    api = {"Authorization": f"Bearer {swap_stack.api_key}"}
    checked: list[tuple[str, float]] = []
    failures: list[str] = []
    publishing = asyncio.Event()
    done = asyncio.Event()

    async def say(http: aiohttp.ClientSession, customer: str, conversation: str, text: str) -> str:
        started = time.monotonic()
        turn = {"customer": customer, "conversation": conversation, "text": text}
        async with http.post(f"{base}/api/v1/messages", headers=api, json=turn) as response:
            body = await response.json()
        if response.status != 200:
            failures.append(f"{text!r}: HTTP {response.status} {body}")
            return ""
        reply = " ".join(r["text"] for r in body["replies"])
        checked.append((text, time.monotonic() - started))
        return reply

    async def customer_loop(index: int) -> None:
        async with aiohttp.ClientSession() as http:
            while not done.is_set():
                customer, conversation = f"swap-{index}-{uuid.uuid4().hex[:8]}", "c1"
                name = ["Ann", "Bea", "Cal", "Dee"][index % 4]
                for text, expected in (
                    ("hello", "what's your first name?"),
                    (f"my name is {name}", f"Nice to meet you, {name}!"),
                    ("thanks", "You're welcome!"),
                ):
                    reply = await say(http, customer, conversation, text)
                    if expected not in reply:
                        failures.append(f"{customer} said {text!r}, the bot answered {reply!r}")

    marketer, csrf = await signed_in(base, "mia")
    talking = [asyncio.ensure_future(customer_loop(i)) for i in range(CUSTOMERS)]
    try:
        async with aiohttp.ClientSession() as http:
            before = await say(http, "probe-before", "c1", "help")
        assert "I can help you find the right broadband" in before

        current = await marketer.get(f"{base}/studio/api/files", params={"path": RULES})
        text = (await current.json())["text"]
        # A rule title unique to this run: its model cannot be stored yet, so it is trained.
        edited = text.replace("      - intent: help\n      - action: utter_help",
                              "      - intent: help\n      - action: utter_iamabot").replace(
            "  - rule: help\n", f"  - rule: help ({uuid.uuid4().hex[:8]})\n")
        headers = {"X-CSRF-Token": csrf}
        saved = await (await marketer.post(f"{base}/studio/api/files", headers=headers,
                                           json={"path": RULES, "text": edited})).json()
        assert saved["draft"]["change"]["needs_training"] is True
        served_before_publish = len(checked)
        publishing.set()
        started = time.monotonic()
        response = await marketer.post(f"{base}/studio/api/publish", headers=headers,
                                       json={"message": "Help explains that this is a bot"})
        assert response.status in (200, 202), await response.text()
        steps = []
        while True:
            job = (await (await marketer.get(f"{base}/studio/api/job")).json())["job"]
            steps.append((job["fraction"], job["step"]))
            if job["state"] != "running":
                break
            await asyncio.sleep(0.5)
        publish_seconds = time.monotonic() - started
        await asyncio.sleep(2)  # some more traffic on the new model
    finally:
        done.set()
        await asyncio.gather(*talking)
        await marketer.close()

    assert job["state"] == "done", job
    fractions = [f for f, _ in steps]
    # A live, rising progress bar.
    assert fractions == sorted(fractions) and len(set(fractions)) >= 3, steps
    # The model was swapped into the running bot. (The step itself can now pass between two
    # polls: a model loads in well under a second since the NLU builds one pipeline.)
    assert "swap" in job["timings"], job
    async with aiohttp.ClientSession() as http:
        after = await say(http, "probe-after", "c1", "help")
    assert "Yes, I'm a bot" in after
    assert failures == []
    during = len(checked) - served_before_publish
    assert during > 10, "too little traffic during the publish to prove anything"
    slowest = max(seconds for _, seconds in checked)
    print(f"\npublish took {publish_seconds:.1f} s; {during} customer turns during it, all "
          f"correct; slowest turn {slowest:.2f} s")
