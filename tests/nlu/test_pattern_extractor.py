"""The pattern extractor as Rasa runs it: entity dicts on messages, robust to hostile input."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from nlu.pattern_extractor import PatternEntityExtractor


@pytest.fixture(scope="module")
def extractor() -> PatternEntityExtractor:
    return PatternEntityExtractor.create({}, None, None, None)


def test_the_issue_example_yields_money_and_timeframe(extractor, fixed_today):
    text = "I need a faster plan for working from home, under 40 a month, before September"
    [message] = extractor.process([Message(data={"text": text})])
    entities = message.get("entities")
    assert [(e["entity"], text[e["start"]:e["end"]], e["value"], e["extractor"])
            for e in entities] == [
        ("money", "under 40 a month", "40 GBP/month", "PatternEntityExtractor"),
        ("timeframe", "before September", "before:2027-09-01", "PatternEntityExtractor"),
    ]
    assert entities[1]["additional_info"] == {
        "relation": "before", "start": "2026-11-18", "end": "2027-08-31"}


def test_dates_come_from_the_clock_when_the_message_is_parsed(extractor):
    for today, expected in [(date(2026, 11, 18), "2026-11-19"), (date(2027, 2, 28), "2027-03-01")]:
        with mock.patch("nlu.timeframe.today", return_value=today):
            [entity] = extractor.extract("tomorrow")
        assert entity["value"] == expected


def test_every_kind_in_one_message(extractor, fixed_today):
    text = ("please update my email to ann@example.com, call 07700 900123 about order "
            "NW-123456, budget £30 a month, by Friday")
    entities = extractor.extract(text)
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("fact_key", "email"), ("email", "ann@example.com"), ("phone", "+447700900123"),
        ("order_ref", "NW-123456"), ("money", "30 GBP/month"), ("timeframe", "by:2026-11-20"),
    ]
    for entity in entities:
        assert text[entity["start"]:entity["end"]].strip() == text[entity["start"]:entity["end"]]


def test_existing_entities_keep_their_spans(extractor):
    existing = [{"entity": "product", "start": 0, "end": 9, "value": "fibre-500"}]
    message = Message(data={"text": "fibre 500 for £35", "entities": existing})
    extractor.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["product", "money"]


def test_dimensions_switch_kinds_off():
    only_email = PatternEntityExtractor.create({"dimensions": ["email"]}, None, None, None)
    assert [e["entity"] for e in only_email.extract("ann@example.com, £40")] == ["email"]
    with pytest.raises(InvalidConfigException, match="unknown dimensions"):
        PatternEntityExtractor.create({"dimensions": ["shoe_size"]}, None, None, None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "😀🔥👍 £40 😀",
        "<script>alert('x')</script><b>order 12345</b>",
        "a" * 10_000,
        "0" * 10_000,
        "£" * 5_000,
        "1 2 3 4 5 6 7 8 9 0 " * 500,
        "\x00\x01\u202e\ud800 tomorrow",
        "ann@example.com " * 1_000,
    ],
)
def test_hostile_input_does_not_crash(extractor, text):
    [message] = extractor.process([Message(data={"text": text})])
    for entity in message.get("entities") or []:
        assert 0 <= entity["start"] < entity["end"] <= len(text)
