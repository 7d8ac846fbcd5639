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


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how much is fibre 500?", "ask_product"),
        ("whats ur cheapest broadband", "ask_product"),
        ("never mind", "cancel"),
        ("forget it", "cancel"),
        ("forget everything about me", "forget_me"),
        ("delete my data", "forget_me"),
        ("stop sending me offers", "stop_offers"),
        ("no, I said mobile, not broadband", "correct"),
        ("hi my internet is down", "complain"),
        ("what's the exchange rate for dollars to euros today", "out_of_scope"),
    ],
)
async def test_new_intents_and_cancel_is_not_forget_me(agent, text, intent):
    parse = await agent.parse_message(text)
    assert parse["intent"]["name"] == intent


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("you charged me twice this month", "billing"),
        ("the router you sent me keeps restarting on its own", "device"),
        ("the person on your helpline was rude to me", "service"),
        ("my internet has been down since yesterday evening and I work from home", "connection"),
        ("it's about my bill", "billing"),
        ("the box you sent me", "device"),
        ("something else", "other"),
    ],
)
async def test_typed_complaints_and_answers_get_their_category(agent, text, category):
    parse = await agent.parse_message(text)
    assert entities(parse).get("complaint_category") == category


async def test_a_first_message_gives_name_need_and_budget(agent):
    parse = await agent.parse_message(
        "Hi, I'm Ahmed, I need a new SIM for my daughter, something under 15 a month")
    assert parse["intent"]["name"] == "state_need"
    found = entities(parse)
    assert found["first_name"] == "Ahmed"
    assert found["money"] == "15 GBP/month"
    assert "complaint_category" not in found


async def test_a_complaint_says_how_bad_it_is(agent):
    parse = await agent.parse_message(
        "my internet has been down since yesterday evening and I work from home")
    assert entities(parse)["severity"] == "high"


async def test_gibberish_falls_back(agent):
    # Either way the dialogue says it cannot help; neither starts a complaint or a need.
    parse = await agent.parse_message("qwxz vbnm plokij")
    assert parse["intent"]["name"] in ("nlu_fallback", "out_of_scope")


@pytest.mark.parametrize(
    ("text", "intent", "category"),
    [
        # A bill complaint that mentions the customer's bank is still ours.
        ("you took my phone bill early and now my bank has charged me", "complain", "billing"),
        ("wifi ded again", "complain", "connection"),
        ("might get broadband off u lot", "state_need", None),
        ("how much r the phones", "ask_product", None),
        ("can i tlk 2 a human", "request_human", None),
        ("i have a question about mobile plans", "ask_product", None),
        ("how do i cancel my sky tv", "out_of_scope", None),
        # A bank's own problem stays out of scope.
        ("my card hasnt come in the post", "out_of_scope", None),
    ],
)
async def test_customers_own_words_reach_the_right_flow(agent, text, intent, category):
    parse = await agent.parse_message(text)
    assert parse["intent"]["name"] == intent
    assert entities(parse).get("complaint_category") == category


async def test_an_angry_opener_starts_a_complaint(agent):
    # Unasked, a very-dissatisfied rating starts a complaint too (actions/satisfaction.py).
    parse = await agent.parse_message("worst provider in the country")
    assert parse["intent"]["name"] in ("complain", "feedback_completely_dissatisfied")


async def test_a_budget_in_banknotes_is_money(agent):
    parse = await agent.parse_message("about a tenner a month")
    assert parse["intent"]["name"] == "inform"
    assert entities(parse)["money"] == "10 GBP/month"
