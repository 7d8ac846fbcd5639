"""Which profile fact a customer asks to change, named as memory/facts.yml names it."""

from __future__ import annotations

import pytest

from nlu.fact_keys import FactKeyFinder


@pytest.fixture(scope="module")
def keys(nlp):
    finder = FactKeyFinder(nlp)
    return lambda text: [(text[f.start:f.end], f.value) for f in finder.find(nlp.make_doc(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("change my email", [("email", "email")]),
        ("update my phone number please", [("phone number", "phone")]),
        ("I moved to Leeds", [("moved to", "city")]),
        ("I live in York now", [("live in", "city")]),
        ("my surname is spelt wrong", [("surname", "last_name")]),
        ("change my name", [("name", "first_name")]),
        ("the postcode you have is out of date", [("postcode", "postcode")]),
        ("I got a new number", [("number", "phone")]),
        ("update my company name", [("company name", "company")]),
    ],
)
def test_change_requests_name_the_fact(keys, text, expected):
    assert keys(text) == expected


@pytest.mark.parametrize(
    "text",
    ["what's my email on file?", "my name is Ann", "I was charged twice on order number 12345",
     "I'm moving house and need broadband"],
)
def test_mentions_without_a_change_are_not_fact_keys(keys, text):
    assert keys(text) == []


def test_a_move_carries_the_new_city(nlp):
    [found] = FactKeyFinder(nlp).find(nlp.make_doc("we moved to Milton Keynes last month"))
    assert (found.value, found.additional_info) == ("city", {"new_value": "Milton Keynes"})
