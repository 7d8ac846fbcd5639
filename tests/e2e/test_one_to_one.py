"""The one-to-one invariants, through the real gateway, engine (real NLU) and action server."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


class Customer:
    """One customer talking to the stack over the REST API."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.ref = f"crm-{uuid.uuid4().hex[:10]}"
        self.conversation = "c1"

    def new_conversation(self) -> None:
        self.conversation = f"c{uuid.uuid4().hex[:6]}"

    async def say(self, text: str) -> list[dict]:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{self.stack.url}/api/v1/messages",
                json={"customer": self.ref, "conversation": self.conversation, "text": text},
                headers={"Authorization": f"Bearer {self.stack.api_key}"},
            ) as response:
                assert response.status == 200, await response.text()
                return (await response.json())["replies"]

    async def says(self, text: str) -> str:
        """Everything the bot answered, as one string."""
        return "\n".join(reply["text"] for reply in await self.say(text))

    async def introduce(self, name: str = "Ann") -> None:
        await self.say("hello")
        assert f"Nice to meet you, {name}" in await self.says(name)


async def test_needs_are_captured_from_free_text_and_not_asked_again(stack: Stack):
    ann = Customer(stack)
    await ann.introduce()
    answer = await ann.says("I need a faster plan for working from home, under 40 a month, before September")
    # Category, budget and timeframe were all in the sentence: nothing left to ask.
    assert "Got it" in answer and "budget" in answer, answer
    assert "what monthly budget" not in answer.lower()

    ann.new_conversation()
    greeting = await ann.says("hi")
    assert "Welcome back, Ann" in greeting
    assert "first name" not in greeting
    assert "you asked about today" in greeting

    # The budget is remembered in the profile: a new need does not ask for it again.
    answer = await ann.says("I'm also looking for a new mobile plan")
    assert "budget" not in answer.lower() or "Got it" in answer, answer


async def test_what_do_you_know_about_me_and_change_my_email(stack: Stack):
    ann = Customer(stack)
    await ann.introduce()
    await ann.say("please change my email to ann@example.com")
    known = await ann.says("what do you know about me?")
    assert "first name: Ann" in known and "ann@example.com" in known, known

    answer = await ann.says("change my email to ann.new@example.com")
    assert "ann.new@example.com" in answer and "history" in answer, answer

    answer = await ann.says("I need to update my phone number")
    assert "What is your new phone number?" in answer, answer
    answer = await ann.says("0151 496 0000")
    assert "Done: your phone number is now" in answer, answer


async def test_no_offer_without_consent(stack: Stack):
    bob = Customer(stack)
    await bob.introduce("Bob")
    replies = await bob.say("do you have any deals for me?")
    assert "personalised offers" in replies[0]["text"]
    assert [b["payload"] for b in replies[0]["buttons"]] == ["/affirm", "/deny"]
    answer = await bob.says("/deny")
    assert "no offers" in answer.lower()
    answer = await bob.says("any offers?")
    assert "personalised offers" in answer  # still asking, never offering

    answer = await bob.says("/affirm")
    assert "Would you like it?" in answer, answer


async def test_complaint_reference_status_and_no_upsell(stack: Stack):
    cat = Customer(stack)
    await cat.introduce("Cat")
    await cat.say("my broadband keeps dropping out every evening, it's really annoying")
    await cat.say('/inform{"complaint_category": "connection"}')
    await cat.say("none")
    answer = await cat.says('/inform{"severity": "high"}')
    assert "Your reference is C-" in answer, answer
    reference = answer.split("Your reference is ")[1].split(".")[0]

    status = await cat.says("what's happening with my complaint?")
    assert reference in status and "open" in status, status

    await cat.say("/affirm")
    answer = await cat.says("do you have any deals for me?")
    assert "open complaint" in answer, answer

    cat.new_conversation()
    greeting = await cat.says("hello")
    assert reference in greeting, greeting


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("/feedback_completely_dissatisfied", "escalated this as complaint C-"),
        ("/feedback_dissatisfied", "follow up within"),
        ("/feedback_neutral", "What would have made it better"),
        ("/feedback_satisfied", "glad I could help"),
        ("/feedback_completely_satisfied", "review"),
    ],
)
async def test_each_satisfaction_level_runs_its_playbook(stack: Stack, payload: str, expected: str):
    dee = Customer(stack)
    await dee.introduce("Dee")
    ask = await dee.say("bye")
    assert len(ask[0]["buttons"]) == 5, ask
    answer = await dee.says(payload)
    assert expected in answer, answer


async def test_fallback_asks_to_rephrase_then_offers_a_person(stack: Stack):
    eve = Customer(stack)
    await eve.introduce("Eve")
    first = await eve.says("blorf zxq wibble")
    assert "say it another way" in first, first
    second = await eve.says("qwerty plonk snarf")
    assert "talk to a person" in second, second
