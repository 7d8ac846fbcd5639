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
    "do you have any deals for me", "do you have a real person i can talk to",
    "do you have my email address", "my router do you have any idea why it keeps dropping",
    "how much is fibre 500", "do i have to pay extra for the hub", "you do have my number right?",
])
def test_other_questions_are_left_to_the_classifier(text):
    assert rule_intent(text) is None
