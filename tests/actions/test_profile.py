"""Profile actions: never ask twice, confirm what is stale, say what we know, change, forget."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.events import FollowupAction, SessionStarted, SlotSet

from actions.facts import ActionAskFactValue, ActionChangeFact, ActionStartFactChange
from actions.contact import ActionAskEmail, ValidateContactForm
from actions.profile import (
    ActionGreet,
    ActionRememberName,
    ActionSessionStart,
    ActionForgetMe,
    ActionTellProfile,
    extract_first_name,
)
from actions.handoff import ActionAnswerYesNo
from memory import Source, errors
from tests.actions.conftest import texts

WEB = Source(channel="web", conversation_id="web.earlier")


@pytest.mark.parametrize(
    ("text", "name"),
    [("Ann", "Ann"), ("my name is ann", "Ann"), ("I'm Jean-Luc", "Jean-Luc"), ("call me Dev, thanks", "Dev"),
     ("hi, I'm Sam", "Sam"), ("Zoë", "Zoë")],
)
def test_first_names_are_taken_from_natural_answers(text, name):
    assert extract_first_name(text) == name


@pytest.mark.parametrize("text", ["", "12345", "what do you mean?", "I want to cancel my broadband contract now"])
def test_things_that_are_not_names_are_refused(text):
    assert extract_first_name(text) is None


async def test_session_start_fills_known_facts_but_not_stale_ones(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.remember(chat.customer_id, "first_name", "Ann", source=WEB)
    stale = datetime.now(timezone.utc) - timedelta(days=400)
    await store.remember(chat.customer_id, "email", "ann@example.com", source=WEB, observed_at=stale)

    events = await ActionSessionStart().run(dispatcher, chat.tracker(), domain)

    assert events[0] == SessionStarted()
    assert SlotSet("first_name", "Ann") in events
    assert not any(e.get("name") == "email" for e in events if e.get("event") == "slot")
    assert SlotSet("value_tier", "new") in events
    assert SlotSet("channel", "web") in events


async def test_session_start_gives_responses_the_customers_language_and_segment(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.remember(chat.customer_id, "language", "de", source=WEB)
    await store.remember(chat.customer_id, "segment", "small-business", source=WEB)
    events = await ActionSessionStart().run(dispatcher, chat.tracker(), domain)
    assert SlotSet("language", "de") in events
    assert SlotSet("segment", "small-business") in events


async def test_a_returning_customer_is_greeted_by_name_with_context(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.add_need(chat.customer_id, category="device", product="mesh-wifi", words="I need mesh wifi", source=WEB)

    await ActionGreet().run(dispatcher, chat.tracker(slots={"first_name": "Ann"}), domain)

    assert dispatcher.messages[0]["response"] == "utter_welcome_back"
    assert dispatcher.messages[0]["first_name"] == "Ann"
    assert "Mesh Wi-Fi Kit you asked about today" in texts(dispatcher)[1]


async def test_a_new_customer_is_welcomed_without_a_name(conversation, dispatcher, domain):
    chat = await conversation()
    events = await ActionGreet().run(dispatcher, chat.tracker(), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_welcome"]
    assert FollowupAction("name_form") in events  # the form asks for the name, once


async def test_the_name_is_stored_with_its_source_once(store, conversation, dispatcher, domain):
    chat = await conversation(channel="telegram", external_id="777")
    tracker = chat.tracker("Ann", slots={"first_name": "Ann"})
    await ActionRememberName().run(dispatcher, tracker, domain)
    await ActionRememberName().run(dispatcher, tracker, domain)

    fact = (await store.profile(chat.customer_id)).facts["first_name"]
    assert (fact.value, fact.source.channel, fact.source.conversation_id) == ("Ann", "telegram", chat.conversation_id)
    assert len(await store.fact_history(chat.customer_id, "first_name")) == 1
    assert texts(dispatcher)[0] == "Nice to meet you, Ann! How can I help you today?"


async def test_what_do_you_know_about_me_names_each_source(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.remember(chat.customer_id, "first_name", "Ann", source=Source(channel="telegram"))
    await store.remember(chat.customer_id, "email", "ann@example.com", source=WEB)

    await ActionTellProfile().run(dispatcher, chat.tracker("what do you know about me"), domain)

    answer = texts(dispatcher)[0]
    assert "your first name: Ann (you told us on Telegram today)" in answer
    assert "your email address: ann@example.com (you told us on web chat today)" in answer


async def test_changing_the_email_keeps_the_old_one_in_history(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.remember(chat.customer_id, "email", "old@example.com", source=WEB)
    tracker = chat.tracker("new@example.com", slots={"fact_key": "email", "fact_value": "new@example.com"})

    events = await ActionChangeFact().run(dispatcher, tracker, domain)

    assert (await store.profile(chat.customer_id)).get("email") == "new@example.com"
    assert [f.value for f in await store.fact_history(chat.customer_id, "email")] == ["new@example.com", "old@example.com"]
    assert SlotSet("email", "new@example.com") in events


async def test_forget_me_confirms_first_then_erases(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.remember(chat.customer_id, "first_name", "Ann", source=WEB)

    events = await ActionForgetMe().run(dispatcher, chat.tracker("forget me"), domain)
    assert SlotSet("pending_question", "forget_me") in events
    assert (await store.profile(chat.customer_id)).get("first_name") == "Ann"

    await ActionAnswerYesNo().run(
        dispatcher, chat.tracker("yes", intent="affirm", slots={"pending_question": "forget_me"}), domain
    )
    assert "erased" in texts(dispatcher)[-1]
    with pytest.raises(errors.UnknownCustomer):
        await store.profile(chat.customer_id)


async def test_saying_no_to_forget_me_keeps_everything(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.remember(chat.customer_id, "first_name", "Ann", source=WEB)
    await ActionAnswerYesNo().run(
        dispatcher, chat.tracker("no", intent="deny", slots={"pending_question": "forget_me"}), domain
    )
    assert dispatcher.messages[-1]["response"] == "utter_kept_data"
    assert (await store.profile(chat.customer_id)).get("first_name") == "Ann"


@pytest.mark.parametrize(
    ("value", "said"),
    [("before:2027-09-01", "before 1 September 2027"), ("by:2026-11-27", "by 27 November 2026"),
     ("2026-11-23/2026-11-29", "between 23 November 2026 and 29 November 2026"), ("asap", "as soon as possible"),
     ("next summer", "next summer"), (None, "whenever suits")],
)
def test_timeframes_are_said_the_way_people_say_them(value, said):
    from actions.context import say_timeframe

    assert say_timeframe(value) == said


@pytest.mark.parametrize(
    ("value", "said"), [("40 GBP/month", "£40 a month"), ("30-40 EUR/month", "€30-40 a month"), ("35 GBP", "£35"),
                        ("about thirty", "about thirty"), (None, "open")],
)
def test_budgets_are_said_the_way_people_say_them(value, said):
    from actions.context import say_budget

    assert say_budget(value) == said


async def test_a_stale_email_is_confirmed_not_asked_again(store, conversation, dispatcher, domain):
    chat = await conversation()
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)
    await store.remember(chat.customer_id, "email", "ann@example.com", source=WEB, observed_at=long_ago)

    events = await ActionAskEmail().run(dispatcher, chat.tracker(), domain)
    assert texts(dispatcher)[-1] == "Is your email address still a…@example.com?"
    assert SlotSet("pending_question", "confirm:email") in events

    tracker = chat.form_turn("contact_form", "email", "yes", intent="affirm",
                             slots={"pending_question": "confirm:email"})
    tracker.events[1]["metadata"]["utter_action"] = "utter_confirm_email"
    events = await ValidateContactForm().run(dispatcher, tracker, domain)
    assert SlotSet("email", "ann@example.com") in events
    assert SlotSet("requested_slot", "phone") in events
    profile = await store.profile(chat.customer_id)
    assert profile.knows("email")  # confirmed today: fresh again
    assert len(await store.fact_history(chat.customer_id, "email")) == 2


async def test_a_changed_stale_email_is_asked_for_and_replaced(store, conversation, dispatcher, domain):
    chat = await conversation()
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)
    await store.remember(chat.customer_id, "email", "old@example.com", source=WEB, observed_at=long_ago)
    tracker = chat.form_turn("contact_form", "email", "no", intent="deny",
                             slots={"pending_question": "confirm:email"})
    events = await ValidateContactForm().run(dispatcher, tracker, domain)
    assert SlotSet("pending_question", "replace:email") in events
    assert SlotSet("requested_slot", "email") in events
    await ActionAskEmail().run(dispatcher, chat.tracker(slots={"pending_question": "replace:email"}), domain)
    assert texts(dispatcher)[-1] == "Thanks. What's the right email address now?"
    tracker = chat.form_turn("contact_form", "email", "it's new@example.com now", intent="inform",
                             entities=[{"entity": "email", "value": "new@example.com"}],
                             slots={"pending_question": "replace:email"})
    events = await ValidateContactForm().run(dispatcher, tracker, domain)
    assert SlotSet("email", "new@example.com") in events
    assert (await store.profile(chat.customer_id)).get("email") == "new@example.com"
    assert [f.value for f in await store.fact_history(chat.customer_id, "email")] == [
        "new@example.com", "old@example.com"]


async def test_change_my_phone_without_the_number_asks_for_it_by_name(conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.tracker("update my phone number", entities=[{"entity": "fact_key", "value": "phone"}])
    events = await ActionStartFactChange().run(dispatcher, tracker, domain)
    assert SlotSet("fact_key", "phone") in events and SlotSet("fact_value", None) in events
    await ActionAskFactValue().run(dispatcher, chat.tracker(slots={"fact_key": "phone"}), domain)
    assert texts(dispatcher) == ["Sure. What is your new phone number?"]
