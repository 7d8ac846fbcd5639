"""The one-to-one invariants, through the real gateway, engine (real NLU) and action server."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RestCustomer as Customer, Stack

pytestmark = pytest.mark.e2e


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
    answer = await cat.says("my broadband keeps dropping out every evening, it's really annoying")
    # Category and severity are in the sentence: recorded at once, nothing asked.
    assert "Your reference is C-" in answer, answer
    reference = answer.split("Your reference is ")[1].split(".")[0]

    status = await cat.says("what's happening with my complaint?")
    assert reference in status and "open" in status, status

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


async def test_nonsense_gets_a_plain_answer_and_a_person_is_offered(stack: Stack):
    eve = Customer(stack)
    await eve.introduce("Eve")
    first = await eve.says("blorf zxq wibble")
    assert "say it another way" in first or "can't help with that here" in first, first
    second = await eve.says("qwerty plonk snarf")
    assert "person" in second, second
    assert second != first or "?" not in second  # never the same question twice running
