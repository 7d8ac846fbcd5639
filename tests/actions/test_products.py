"""Product questions are answered from the catalogue as it is now, follow-ups included."""

from __future__ import annotations

import shutil

import pytest
from rasa_sdk.events import SlotSet

from actions.catalogue import catalogue
from actions.products import ActionAnswerProduct
from bot.settings import REPO_ROOT
from tests.actions.conftest import texts


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """A copy of the marketer-edited files the actions read, to edit in a test."""
    shutil.copytree(REPO_ROOT / "data" / "marketing", tmp_path / "marketing")
    shutil.copytree(REPO_ROOT / "data" / "catalogue", tmp_path / "catalogue")
    monkeypatch.setattr(catalogue, "directory", tmp_path / "marketing")
    monkeypatch.setattr(catalogue, "_cache", {})
    return tmp_path / "catalogue" / "products.yml"


async def ask(chat, dispatcher, domain, text, **slots):
    return await ActionAnswerProduct().run(dispatcher, chat.tracker(text, intent="ask_product",
                                                                    slots=slots), domain)


@pytest.mark.parametrize(("question", "answer"), [
    ("how much is fibre 500 a month", "Fibre 500 costs £35 a month."),
    ("whats ur cheapest broadband", "Our cheapest broadband is Fibre 100, at £25 a month."),
    ("which internet is the fastest?", "Our fastest broadband is Fibre 900: 900 Mbps, at £45 a month."),
    ("what do i get with the family bundle",
     "Family Bundle (£65 a month) includes Fibre 500 broadband, TV Add-on, two SIM Only "
     "Unlimited lines."),
    ("fibre 500 vs fibre 900?",
     "Fibre 500 is £35 a month (500 Mbps); Fibre 900 is £45 a month (900 Mbps)."),
    ("do u do wifi boosters", "Yes, we have Mesh Wi-Fi Kit at £5 a month."),
    ("do you sell landlines", "I'm afraid we don't offer that. What we do have: broadband, "
                              "mobile, tv, devices, bundles."),
    ("is the smart hub extra every month", "Northwind Smart Hub comes at no monthly cost."),
    ("whats the diffrence between the 20gb sim and the unlimited one?",
     "SIM Only 20GB is £12 a month (20GB of data); SIM Only Unlimited is £20 a month "
     "(unlimited data)."),
])
async def test_product_questions(shop, store, conversation, dispatcher, domain, question, answer):
    chat = await conversation()
    await ask(chat, dispatcher, domain, question)
    assert texts(dispatcher) == [answer]


async def test_an_edited_price_is_answered_at_once_without_retraining(shop, store, conversation,
                                                                      dispatcher, domain):
    chat = await conversation()
    shop.write_text(shop.read_text().replace("monthly_price: 35.00", "monthly_price: 33.50"))
    await ask(chat, dispatcher, domain, "how much is fibre 500?")
    assert texts(dispatcher) == ["Fibre 500 costs £33.50 a month."]


async def test_a_follow_up_names_only_the_product(store, conversation, dispatcher, domain):
    from actions.facts import ActionTakeNote

    chat = await conversation()
    events = await ask(chat, dispatcher, domain, "how much is fibre 500")
    assert SlotSet("product_question", "how much is fibre 500") in events
    answered = {"event": "bot", "text": "Fibre 500 costs £35 a month.",
                "metadata": {"utter_action": "utter_product_price"}}
    await ActionTakeNote().run(dispatcher, chat.tracker(
        "and the 900?", intent="inform", slots={"product_question": "how much is fibre 500"},
        events=[answered]), domain)
    assert texts(dispatcher)[-1] == "Fibre 900 costs £45 a month."


async def test_and_the_fastest_keeps_the_category(store, conversation, dispatcher, domain):
    from actions.handoff import ActionFallback

    chat = await conversation()
    answered = {"event": "bot", "text": "Our cheapest broadband is Fibre 100, at £25 a month.",
                "metadata": {"utter_action": "utter_product_cheapest"}}
    await ActionFallback().run(dispatcher, chat.tracker(
        "and the fastest?", intent="nlu_fallback", confidence=0.3,
        slots={"product_question": "whats the cheapest broadband you do"}, events=[answered]), domain)
    assert texts(dispatcher) == ["Our fastest broadband is Fibre 900: 900 Mbps, at £45 a month."]


async def test_a_broken_catalogue_edit_keeps_the_last_good_answers(shop, store, conversation,
                                                                   dispatcher, domain):
    chat = await conversation()
    await ask(chat, dispatcher, domain, "how much is fibre 500?")
    shop.write_text(shop.read_text().replace("monthly_price: 35.00", "monthly_price: lots"))
    await ask(chat, dispatcher, domain, "how much is fibre 500?")
    assert texts(dispatcher) == ["Fibre 500 costs £35 a month."] * 2


async def test_a_question_naming_nothing_is_about_the_need_just_noted(store, conversation, dispatcher,
                                                                      domain):
    from memory import Source

    chat = await conversation()
    await store.add_need(chat.customer_id, category="device", product="iphone-16", words="iphone",
                         source=Source(channel="web", conversation_id=chat.conversation_id))
    await ask(chat, dispatcher, domain, "whats the monthly cost on that?")
    assert texts(dispatcher) == ["Apple iPhone 16 costs £39 a month."]


async def test_what_comes_with_it_is_about_the_product_just_named(store, conversation, dispatcher, domain):
    from actions.handoff import ActionFallback

    chat = await conversation()
    events = await ask(chat, dispatcher, domain, "cheapest sim only u got?")
    [question] = [e["value"] for e in events if e.get("name") == "product_question"]
    answered = {"event": "bot", "text": texts(dispatcher)[0],
                "metadata": {"utter_action": "utter_product_cheapest"}}
    await ActionFallback().run(dispatcher, chat.tracker(
        "what comes with it", intent="nlu_fallback", confidence=0.4,
        slots={"product_question": question}, events=[answered]), domain)
    assert texts(dispatcher)[-1].startswith("SIM Only 5GB (£8 a month) includes")


async def test_asking_because_theirs_is_failing_is_answered_and_starts_a_need(store, conversation,
                                                                              dispatcher, domain):
    from rasa_sdk.events import FollowupAction

    chat = await conversation()
    events = await ask(chat, dispatcher, domain, "do you do new handsets? mine is on its last legs")
    assert texts(dispatcher)[0].startswith("Yes, we have")
    assert events[-1] == FollowupAction("action_start_need")
    from actions.needs import ActionStartNeed

    await ActionStartNeed().run(dispatcher, chat.tracker(
        "do you do new handsets? mine is on its last legs", intent="ask_product"), domain)
    assert [n.category for n in await store.needs(chat.customer_id)] == ["device"]
    plain = await ask(chat, dispatcher, domain, "do you do wifi boosters?")
    assert FollowupAction("action_start_need") not in plain
