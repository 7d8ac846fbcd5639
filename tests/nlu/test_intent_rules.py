"""Availability questions are product questions, whatever they are about."""

from __future__ import annotations

import pytest

from nlu.intent_rules import rule_intent


@pytest.mark.parametrize("text", [
    "do you sell the google pixel 9", "do u do them wifi booster things? signal doesnt reach upstairs",
    "hi, do you have tv packages", "does northwind do sim only", "do you guys offer landlines?",
    "Do you still sell the iPhone 16?",
])
def test_availability_questions_are_product_questions(text):
    assert rule_intent(text) == "ask_product"


@pytest.mark.parametrize("text", [
    "do you have any deals for me",
    "do you have my email address", "my router do you have any idea why it keeps dropping",
    "how much is fibre 500", "do i have to pay extra for the hub", "you do have my number right?",
])
def test_other_questions_are_left_to_the_classifier(text):
    assert rule_intent(text) is None


@pytest.mark.parametrize("text", [
    "can a real person take over please, i need my phone back on today",
    "Three engineer appointments cancelled. Get me a manager, now.",
    "i want to speak to someone about this", "pls put me through to billing",
    "do you have a real person i can talk to",
])
def test_clear_requests_for_a_person(text):
    assert rule_intent(text) == "request_human"


@pytest.mark.parametrize("text", [
    "the person on your helpline was rude", "is this a real person?", "i spoke to someone yesterday",
])
def test_mentions_of_people_are_not_requests(text):
    assert rule_intent(text) != "request_human"


@pytest.mark.parametrize("text", [
    "i need to raise an issue", "I want to make a formal complaint", "i have a complaint",
    "got a problem with my bill", "i'd like to complain about the engineer",
])
def test_announcing_a_complaint(text):
    assert rule_intent(text) == "complain"


@pytest.mark.parametrize("text", [
    "what's the status of my complaint", "how do i make a payment", "no problem, thanks",
])
def test_other_mentions_of_complaints_and_problems(text):
    assert rule_intent(text) != "complain"


@pytest.mark.parametrize("text", [
    "im with virgin and theyve put my bill up again, how do i fight it with them",
    "my bt contract went up 14 percent, what are my rights", "ee charged me for roaming in spain",
    "I've been with Sky for years and they keep raising the price",
])
def test_a_complaint_about_another_provider_is_out_of_scope(text):
    assert rule_intent(text, "complain") == "out_of_scope"


@pytest.mark.parametrize("text", [
    "I left sky for you and you charged me an exit fee",
    "I used to be with talktalk, now your router keeps dropping",
    "my broadband is down again", "the sky box you sent me is broken",
])
def test_a_complaint_about_us_stays_a_complaint(text):
    assert rule_intent(text, "complain") != "out_of_scope"


def test_another_provider_named_in_a_need_is_left_to_the_classifier():
    assert rule_intent("im with bt at the moment, what's your cheapest fibre", "state_need") is None
