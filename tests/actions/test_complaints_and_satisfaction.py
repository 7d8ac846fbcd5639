"""Complaints get a reference at once and link repeats; each satisfaction level runs its playbook."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.complaints import ActionComplaintStatus, ActionRecordComplaint, ActionStartComplaint
from actions.satisfaction import ActionRecordImprovement, ActionSatisfaction
from memory import Source
from tests.actions.conftest import texts

WEB = Source(channel="web")


async def test_a_repeat_complaint_is_linked_to_the_earlier_one(store, conversation, dispatcher, domain):
    chat = await conversation()
    first = await store.open_complaint(chat.customer_id, category="connection",
                                       description="my broadband keeps dropping", source=WEB)

    events = await ActionStartComplaint().run(
        dispatcher, chat.tracker("it dropped again tonight, third time this week", intent="complain"), domain)

    assert f"complaint {first.reference} is still open" in texts(dispatcher)[0]
    second = (await store.complaints(chat.customer_id))[0]
    assert second.related_to == first.reference
    assert second.description == "it dropped again tonight, third time this week"
    assert SlotSet("complaint_ref", second.reference) in events
    await ActionRecordComplaint().run(dispatcher, chat.tracker(slots={"complaint_ref": second.reference}), domain)
    assert f"linked to your earlier complaint {first.reference}" in texts(dispatcher)[-1]


async def test_complaint_status_is_answered_from_the_store(store, conversation, dispatcher, domain):
    chat = await conversation()
    complaint = await store.open_complaint(chat.customer_id, category="billing", description="overcharged", source=WEB)
    await store.transition_complaint(complaint.reference, "in_progress", actor="agent:1")
    await store.transition_complaint(complaint.reference, "resolved", actor="agent:1", note="refund of £12 issued")

    await ActionComplaintStatus().run(dispatcher, chat.tracker("what's happening with my complaint?"), domain)
    assert f"{complaint.reference} about billing, opened today: resolved (refund of £12 issued)" in texts(dispatcher)[0]


ASKED = {"event": "bot", "text": "how was it?", "metadata": {"utter_action": "utter_ask_satisfaction"}}


async def rate(level, chat, dispatcher, domain, text=None):
    tracker = chat.tracker(text or f"/feedback_{level}", intent=f"feedback_{level}", events=[ASKED])
    return await ActionSatisfaction().run(dispatcher, tracker, domain)


async def test_unasked_unhappiness_is_a_complaint_not_a_rating(store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.tracker("im not happy at all", intent="feedback_dissatisfied")
    events = await ActionSatisfaction().run(dispatcher, tracker, domain)
    assert events == [FollowupAction("action_start_complaint")]
    assert await store.satisfaction(chat.customer_id) == []

    events = await ActionSatisfaction().run(
        dispatcher, chat.tracker("brilliant, thanks", intent="feedback_completely_satisfied"), domain)
    assert texts(dispatcher) == ["You're welcome! Just tell me if there's anything else."]
    assert await store.satisfaction(chat.customer_id) == []


async def test_completely_dissatisfied_apologises_escalates_and_hands_off(store, conversation, dispatcher, domain):
    chat = await conversation()
    complaint = await store.open_complaint(chat.customer_id, category="billing", description="x", source=WEB)
    await rate("completely_dissatisfied", chat, dispatcher, domain, "this is the worst service ever")

    assert (await store.complaint(complaint.reference)).status == "in_progress"
    assert "sorry" in texts(dispatcher)[0].lower() and complaint.reference in texts(dispatcher)[0]
    assert {"handoff": {"reason": "completely_dissatisfied"}} in [m.get("custom") for m in dispatcher.messages]
    assert (await store.satisfaction(chat.customer_id))[0].level == "completely_dissatisfied"


async def test_dissatisfied_records_a_complaint_and_schedules_a_follow_up(store, conversation, dispatcher, domain):
    chat = await conversation()
    await rate("dissatisfied", chat, dispatcher, domain, "a bit disappointed with the speed")
    [complaint] = await store.complaints(chat.customer_id)
    assert complaint.description == "a bit disappointed with the speed"
    [follow_up] = await store.follow_ups(chat.customer_id)
    assert follow_up.complaint_reference == complaint.reference
    assert "follow up within 2 days" in texts(dispatcher)[0]


async def test_neutral_asks_what_would_make_it_better_and_records_it_as_a_need(store, conversation, dispatcher, domain):
    chat = await conversation()
    events = await rate("neutral", chat, dispatcher, domain, "it was ok I guess")
    assert SlotSet("improvement", None) in events
    await ActionRecordImprovement().run(
        dispatcher, chat.tracker("faster answers", slots={"improvement": "faster answers"}), domain
    )
    [need] = await store.needs(chat.customer_id)
    assert (need.category, need.words) == ("improvement", "faster answers")


async def test_satisfied_thanks_and_offers_only_with_permission(store, conversation, dispatcher, domain):
    chat = await conversation()
    events = await rate("satisfied", chat, dispatcher, domain)
    assert texts(dispatcher)[0] == "Thank you, I'm glad I could help!"
    assert SlotSet("pending_question", "consent_offers") in events
    assert await store.offer_events(chat.customer_id) == []


async def test_completely_satisfied_asks_for_a_review_or_referral(store, conversation, dispatcher, domain):
    chat = await conversation()
    await rate("completely_satisfied", chat, dispatcher, domain)
    assert "review" in texts(dispatcher)[0] and "referral" in texts(dispatcher)[0]


@pytest.mark.parametrize(
    "level", ["completely_dissatisfied", "dissatisfied", "neutral", "satisfied", "completely_satisfied"]
)
async def test_every_reading_is_stored_for_the_trend(store, conversation, dispatcher, domain, level):
    chat = await conversation()
    await rate(level, chat, dispatcher, domain)
    assert [r.level for r in await store.satisfaction(chat.customer_id)] == [level]


async def test_more_about_a_complaint_taken_in_this_conversation_joins_it(store, conversation, dispatcher, domain):
    chat = await conversation()
    first = await store.open_complaint(chat.customer_id, category="billing",
                                       description="you owe me a refund",
                                       source=Source(channel="web", conversation_id=chat.conversation_id))
    events = await ActionStartComplaint().run(dispatcher, chat.tracker(
        "back in april i cancelled the tv and was promised 61.40 back, never came", intent="complain"), domain)
    assert events[-1] == FollowupAction("action_listen")
    [complaint] = await store.complaints(chat.customer_id)
    assert complaint.reference == first.reference
    assert complaint.description.endswith("promised 61.40 back, never came")
    assert texts(dispatcher) == [f"Thanks, I've added that to your complaint {first.reference}."]
