"""A model trained from the real config.yml and data/nlu understands what customers say."""

from __future__ import annotations

import pytest


def entities(parse: dict) -> dict[str, str]:
    return {e["entity"]: e["value"] for e in parse["entities"]}


async def test_the_issue_example_becomes_a_structured_need(agent, fixed_today):
    parse = await agent.parse_message(
        "I need a faster plan for working from home, under 40 a month, before September")

    assert parse["intent"]["name"] == "state_need"
    found = entities(parse)
    assert found.get("product") == "home-worker-bundle" or found.get("category") == "broadband"
    assert found["money"] == "40 GBP/month"
    assert found["timeframe"] == "before:2027-09-01"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hello", "greet"),
        ("my name is Ann", "inform_name"),
        ("Fatima", "inform_name"),
        ("ann@example.com", "inform"),
        ("what do you know about me?", "ask_profile"),
        ("change my email", "change_fact"),
        ("forget me", "forget_me"),
        ("stop sending me offers", "stop_offers"),
        ("let me talk to a person", "request_human"),
        ("my broadband keeps dropping", "complain"),
        ("what's happening with my complaint?", "complaint_status"),
        ("this is the worst service ever, absolutely furious", "feedback_completely_dissatisfied"),
        ("brilliant, absolutely delighted!", "feedback_completely_satisfied"),
    ],
)
async def test_everyday_messages_get_their_intent(agent, text, intent):
    parse = await agent.parse_message(text)
    assert parse["intent"]["name"] == intent


async def test_a_complaint_keeps_its_order_reference(agent):
    parse = await agent.parse_message("I was overcharged on order 12345")
    assert parse["intent"]["name"] == "complain"
    assert entities(parse)["order_ref"] == "12345"


async def test_gibberish_falls_back(agent):
    parse = await agent.parse_message("qwxz vbnm plokij")
    assert parse["intent"]["name"] == "nlu_fallback"
