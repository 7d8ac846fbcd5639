"""Emails, phone numbers (to E.164) and order references in realistic messages."""

from __future__ import annotations

import pytest

from nlu.contacts import ContactFinder


@pytest.fixture(scope="module")
def contacts(nlp):
    finder = ContactFinder(nlp)
    return lambda text: [(f.entity, text[f.start:f.end], f.value) for f in
                         finder.find(nlp.make_doc(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my email is ann.lee@example.co.uk.", ("email", "ann.lee@example.co.uk",
                                                "ann.lee@example.co.uk")),
        ("reach me on 0151 496 0000 after 5", ("phone", "0151 496 0000", "+441514960000")),
        ("+44 7700 900123", ("phone", "+44 7700 900123", "+447700900123")),
        ("+44 (0)151 496 0000", ("phone", "+44 (0)151 496 0000", "+441514960000")),
        ("(0151) 496 0000", ("phone", "(0151) 496 0000", "+441514960000")),
        ("07700-900-555", ("phone", "07700-900-555", "+447700900555")),
        ("+1 415 555 0100", ("phone", "+1 415 555 0100", "+14155550100")),
        ("0033 1 23 45 67 89", ("phone", "0033 1 23 45 67 89", "+33123456789")),
        ("I was overcharged on order 12345", ("order_ref", "12345", "12345")),
        ("order #A-99812 never came", ("order_ref", "#A-99812", "A-99812")),
        ("ref NW-123456", ("order_ref", "NW-123456", "NW-123456")),
        ("any news on nw-778812?", ("order_ref", "nw-778812", "NW-778812")),
        ("order number: 77120", ("order_ref", "77120", "77120")),
        ("order nw 559031 never came", ("order_ref", "nw 559031", "NW-559031")),
        ("my ref is A 99812", ("order_ref", "A 99812", "A-99812")),
    ],
)
def test_contacts_and_references_are_found(contacts, text, expected):
    assert contacts(text) == [expected]


@pytest.mark.parametrize(
    "text",
    ["I paid 12345 pounds", "call 12345", "my 2 kids", "COVID-19", "between 30 and 40",
     "0151 496", "no email here @ all", "my account is 2 years old", "ticket no 12"],
)
def test_lookalikes_are_ignored(contacts, text):
    assert contacts(text) == []


def test_two_details_in_one_message(contacts):
    assert contacts("order number 77120, and my number is 07700 900111") == [
        ("order_ref", "77120", "77120"), ("phone", "07700 900111", "+447700900111")]
