"""Customers in their own words: complaints and needs recorded from the first sentence, typed
answers understood, digressions let through, escapes honoured, nothing asked a third time."""

from __future__ import annotations

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.complaints import ActionRecordComplaint, ActionStartComplaint, ValidateComplaintForm
from actions.facts import ActionCorrect
from actions.handoff import ActionCancel, ActionHandoff
from actions.needs import ActionStartNeed, ValidateNeedForm
from actions.products import ActionAnswerProduct
from tests.actions.conftest import responses, texts

BILLING_WORDS = "you charged me twice this month, the same amount"
CATEGORY = {"entity": "complaint_category", "value": "billing", "confidence_entity": 0.93,
            "start": 0, "end": len(BILLING_WORDS)}


def slot_values(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_a_typed_complaint_is_recorded_before_any_question(store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.tracker(BILLING_WORDS, intent="complain", entities=[CATEGORY])

    events = await ActionStartComplaint().run(dispatcher, tracker, domain)

    [complaint] = await store.complaints(chat.customer_id)
    assert (complaint.category, complaint.description) == ("billing", BILLING_WORDS)
    assert slot_values(events)["complaint_ref"] == complaint.reference
    assert f"I've logged it as complaint {complaint.reference} (billing or charges)" in texts(dispatcher)[0]

    # The form asks only what is missing: no category question, the reference next.
    form = await ValidateComplaintForm().run(dispatcher, chat.tracker(
        slots=slot_values(events)), domain)
    assert SlotSet("requested_slot", "complaint_reference") in form


async def test_typed_answers_in_any_words_update_the_complaint(store, conversation, dispatcher, domain):
    chat = await conversation()
    await ActionStartComplaint().run(dispatcher, chat.tracker(
        "something went wrong last week and I am really annoyed about it", intent="complain"), domain)
    [complaint] = await store.complaints(chat.customer_id)
    slots = {"complaint_ref": complaint.reference,
             "complaint_description": "something went wrong last week and I am really annoyed about it"}

    events = await ValidateComplaintForm().run(dispatcher, chat.form_turn(
        "complaint_form", "complaint_category", "its about my bil, i was overcharged",
        intent="inform", slots=slots), domain)

    assert slot_values(events)["complaint_category"] == "billing"
    amended = await store.complaint(complaint.reference)
    assert amended.category == "billing"
    assert [(c.field, c.old_value, c.new_value) for c in amended.changes] == [("category", "other", "billing")]


async def test_a_misspelt_one_word_answer_still_names_the_category(store, conversation, dispatcher, domain):
    chat = await conversation()
    await ActionStartComplaint().run(dispatcher, chat.tracker(
        "this is doing my head in, sort it out", intent="complain"), domain)
    [complaint] = await store.complaints(chat.customer_id)
    slots = {"complaint_ref": complaint.reference,
             "complaint_description": "this is doing my head in, sort it out"}

    events = await ValidateComplaintForm().run(dispatcher, chat.form_turn(
        "complaint_form", "complaint_category", "signl", intent="out_of_scope", slots=slots),
        domain)

    assert slot_values(events)["complaint_category"] == "connection"
    assert (await store.complaint(complaint.reference)).category == "connection"


async def test_an_answer_misread_as_a_rating_goes_back_to_the_form(store, conversation, dispatcher, domain):
    from actions.satisfaction import ActionSatisfaction

    chat = await conversation()
    await ActionStartComplaint().run(dispatcher, chat.tracker(BILLING_WORDS, intent="complain",
                                                              entities=[CATEGORY]), domain)
    [complaint] = await store.complaints(chat.customer_id)
    slots = {"complaint_ref": complaint.reference, "complaint_category": "billing",
             "complaint_description": BILLING_WORDS}
    # "I not have" at the reference question, read as a dissatisfied rating (a guess).
    rating = chat.form_turn("complaint_form", "complaint_reference", "I not have",
                            intent="feedback_dissatisfied", confidence=0.47, slots=slots)
    rating.events.pop()  # the engine ran the rating's action, not the form
    rating.events.append({"event": "action", "name": "action_satisfaction"})

    events = await ActionSatisfaction().run(dispatcher, rating, domain)
    assert events == [FollowupAction("complaint_form")]
    assert await store.complaints(chat.customer_id) == [complaint]  # no second complaint

    rating.events.append({"event": "action", "name": "complaint_form"})
    form = await ValidateComplaintForm().run(dispatcher, rating, domain)
    assert slot_values(form)["complaint_reference"] == "none"
    assert SlotSet("requested_slot", "complaint_severity") in form


async def test_a_request_for_a_person_is_never_taken_as_an_answer(store, conversation, dispatcher, domain):
    chat = await conversation()
    slots = {"complaint_ref": None, "complaint_description": "router broken",
             "complaint_category": "device", "complaint_reference": "none"}
    tracker = chat.form_turn("complaint_form", "complaint_severity", "can i talk to a real person please",
                             intent="request_human", slots=slots)

    # No events: Rasa rejects the form for this turn and the rule for the intent runs.
    assert await ValidateComplaintForm().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []

    handoff = await ActionHandoff().run(dispatcher, tracker, domain)
    assert ActiveLoop(None) in handoff
    assert {"handoff": {"reason": "customer_asked"}} in [m.get("custom") for m in dispatcher.messages]


async def test_a_product_question_is_answered_and_the_form_goes_on(store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.form_turn("need_form", "need_timeframe", "hang on, how much is fibre 500 a month?",
                             intent="ask_product", slots={"need_category": "broadband"},
                             entities=[{"entity": "product", "value": "fibre-500"}])

    assert await ValidateNeedForm().run(dispatcher, tracker, domain) == []
    events = await ActionAnswerProduct().run(dispatcher, tracker, domain)

    assert texts(dispatcher) == ["Fibre 500 costs £35 a month."]
    assert events[-1] == FollowupAction("need_form")


async def test_no_question_is_asked_a_third_time(store, conversation, dispatcher, domain):
    chat = await conversation()
    complaint = await store.open_complaint(chat.customer_id, category="connection",
                                           description="wifi keeps dropping", source=chat_source(chat))
    slots = {"complaint_ref": complaint.reference, "complaint_description": "wifi keeps dropping",
             "complaint_category": "connection"}
    tracker = chat.form_turn("complaint_form", "complaint_severity", "hmm dunno what u mean",
                             intent="nlu_fallback", confidence=0.2, slots=slots, asked=2)

    events = await ValidateComplaintForm().run(dispatcher, tracker, domain)

    assert SlotSet("complaint_severity", "medium") in events
    assert SlotSet("requested_slot", None) in events  # nothing left to ask
    assert responses(dispatcher) == ["utter_complaint_severity_unclear", "utter_best_guess"]
    assert "affecting you regularly" in texts(dispatcher)[1]


async def test_one_miss_asks_again_with_a_hint(store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.form_turn("need_form", "need_budget", "erm what do u mean",
                             intent="inform", confidence=0.4, slots={"need_category": "mobile"})
    events = await ValidateNeedForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_need_budget_unclear"]
    assert SlotSet("requested_slot", "need_budget") in events  # asked a second time, not a third


async def test_not_sure_is_an_answer_too(store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.form_turn("need_form", "need_budget", "not sure tbh, whatever is good",
                             intent="inform", slots={"need_category": "mobile"})
    events = await ValidateNeedForm().run(dispatcher, tracker, domain)
    assert slot_values(events)["need_budget"] == "no fixed budget"
    assert SlotSet("requested_slot", "need_timeframe") in events


async def test_a_need_with_several_parts_in_one_sentence(store, conversation, dispatcher, domain):
    chat = await conversation()
    words = "hi, i'm Ahmed, i need a new sim for my daughter, something under 15 a month"
    tracker = chat.tracker(words, intent="state_need", entities=[
        {"entity": "first_name", "value": "Ahmed", "start": 8, "end": 13},
        {"entity": "category", "value": "mobile", "start": 26, "end": 29},
        {"entity": "money", "value": "15 GBP/month", "start": 60, "end": 75},
    ])

    events = await ActionStartNeed().run(dispatcher, tracker, domain)

    [need] = await store.needs(chat.customer_id)
    assert (need.category, need.budget, need.words) == ("mobile", "15 GBP/month", words)
    assert (await store.profile(chat.customer_id)).get("first_name") == "Ahmed"
    form = await ValidateNeedForm().run(dispatcher, chat.tracker(slots=slot_values(events)), domain)
    assert SlotSet("requested_slot", "need_timeframe") in form  # only the timeframe is asked


async def test_no_i_said_mobile_not_broadband_corrects_the_need(store, conversation, dispatcher, domain):
    chat = await conversation()
    need = await store.add_need(chat.customer_id, category="broadband", words="a new plan",
                                source=chat_source(chat))
    text = "no, i said mobile, not broadband"
    tracker = chat.tracker(text, intent="correct", entities=[
        {"entity": "category", "value": "mobile", "start": 11, "end": 17},
        {"entity": "category", "value": "broadband", "start": 23, "end": 32},
    ])

    await ActionCorrect().run(dispatcher, tracker, domain)

    [amended] = await store.needs(chat.customer_id)
    assert amended.id == need.id and amended.category == "mobile"
    assert [(c.field, c.old_value, c.new_value) for c in amended.changes] == [("category", "broadband", "mobile")]
    assert "you're looking for mobile" in texts(dispatcher)[0]


async def test_a_corrected_name_replaces_the_old_one_and_keeps_it_in_history(store, conversation, dispatcher, domain):
    chat = await conversation()
    await store.remember(chat.customer_id, "first_name", "Jon", source=chat_source(chat))
    tracker = chat.tracker("sorry, it's John with an h", intent="correct", entities=[
        {"entity": "first_name", "value": "John", "start": 12, "end": 16}])

    events = await ActionCorrect().run(dispatcher, tracker, domain)

    assert (await store.profile(chat.customer_id)).get("first_name") == "John"
    assert [f.value for f in await store.fact_history(chat.customer_id, "first_name")] == ["John", "Jon"]
    assert SlotSet("first_name", "John") in events
    assert texts(dispatcher) == [
        "Thanks for correcting me: your first name is now John. The old value stays in your history."]


async def test_never_mind_ends_the_form_and_keeps_only_what_was_stated(store, conversation, dispatcher, domain):
    chat = await conversation()
    need = await store.add_need(chat.customer_id, category="tv", words="tv package", source=chat_source(chat))
    tracker = chat.form_turn("need_form", "need_budget", "actually never mind", intent="cancel",
                             slots={"need_category": "tv", "need_id": float(need.id)})

    assert await ValidateNeedForm().run(dispatcher, tracker, domain) == []
    events = await ActionCancel().run(dispatcher, tracker, domain)

    assert ActiveLoop(None) in events and SlotSet("need_budget", None) in events
    assert [n.category for n in await store.needs(chat.customer_id)] == ["tv"]
    assert "I've kept a note that you're interested in tv" in texts(dispatcher)[0]


async def test_intake_closes_with_the_reference(store, conversation, dispatcher, domain):
    chat = await conversation()
    complaint = await store.open_complaint(chat.customer_id, category="device", severity="high",
                                           description="router dead", source=chat_source(chat))
    await ActionRecordComplaint().run(dispatcher, chat.tracker(
        slots={"complaint_ref": complaint.reference}), domain)
    assert f"Your reference is {complaint.reference}." in texts(dispatcher)[0]
    assert "router or device, stopping you using the service" in texts(dispatcher)[0]


def chat_source(chat):
    from memory import Source

    return Source(channel="web", conversation_id=chat.conversation_id)


async def test_a_budget_before_any_need_is_not_asked_for_again(store, conversation, dispatcher, domain):
    from actions.facts import ActionTakeNote

    chat = await conversation()
    await ActionTakeNote().run(dispatcher, chat.tracker("i've got about 30 a month to spend", intent="inform",
        entities=[{"entity": "money", "value": "30 GBP/month", "start": 15, "end": 32}]), domain)
    assert (await store.profile(chat.customer_id)).get("budget") == "30 GBP/month"

    events = await ActionStartNeed().run(dispatcher, chat.tracker(
        "i'm after broadband", intent="state_need",
        entities=[{"entity": "category", "value": "broadband", "start": 10, "end": 19}]), domain)
    form = await ValidateNeedForm().run(dispatcher, chat.tracker(slots=slot_values(events)), domain)
    assert SlotSet("requested_slot", "need_timeframe") in form  # the budget is known


async def test_a_new_budget_just_after_a_need_amends_it_rather_than_starting_another(
        store, conversation, dispatcher, domain):
    from actions.facts import ActionCorrect

    chat = await conversation()
    need = await store.add_need(chat.customer_id, category="broadband", budget="30 GBP/month",
                                words="fibre under 30", source=chat_source(chat))
    words = "Actually make the budget 40, I'd rather have something faster"
    tracker = chat.tracker(words, intent="state_need", entities=[
        {"entity": "money", "value": "40 GBP", "start": 29, "end": 31}])

    events = await ActionStartNeed().run(dispatcher, tracker, domain)
    assert events == [FollowupAction("action_correct")]  # no category question, no new need
    await ActionCorrect().run(dispatcher, tracker, domain)

    [amended] = await store.needs(chat.customer_id)
    assert (amended.id, amended.category, amended.budget) == (need.id, "broadband", "40 GBP/month")
    assert [(c.field, c.old_value) for c in amended.changes] == [("budget", "30 GBP/month")]


async def test_corrections_without_retyping(store, conversation, dispatcher, domain):
    from actions.facts import ActionCorrect

    chat = await conversation()
    await store.remember(chat.customer_id, "email", "helen.p@example.com", source=chat_source(chat))
    need = await store.add_need(chat.customer_id, category="broadband", budget="30 GBP/month",
                                words="fibre about 30", source=chat_source(chat))

    await ActionCorrect().run(dispatcher, chat.tracker("oops its .co.uk not .com", intent="correct"), domain)
    await ActionCorrect().run(dispatcher, chat.tracker("actually make it 35, thats still fine",
                                                       intent="correct"), domain)

    assert (await store.profile(chat.customer_id)).get("email") == "helen.p@example.co.uk"
    [amended] = await store.needs(chat.customer_id)
    assert amended.id == need.id and amended.budget == "35 GBP/month"
    assert "your budget is £35 a month" in texts(dispatcher)[1]


async def test_a_budget_said_as_a_limit_wins_over_what_they_pay_now(store, conversation, dispatcher, domain):
    chat = await conversation()
    text = "ideally under 50, we pay 62 now"
    tracker = chat.form_turn("need_form", "need_budget", text, intent="inform", entities=[
        {"entity": "money", "value": "50 GBP", "start": 8, "end": 16, "additional_info": {"bound": "max"}},
        {"entity": "money", "value": "62 GBP", "start": 25, "end": 27, "additional_info": {}},
    ], slots={"need_category": "bundle"})
    events = await ValidateNeedForm().run(dispatcher, tracker, domain)
    assert slot_values(events)["need_budget"] == "50 GBP"


async def test_an_answer_read_as_out_of_scope_still_answers_the_question(store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.form_turn("need_form", "need_budget", "under a tenner", intent="out_of_scope",
                             confidence=0.8, slots={"need_category": "mobile"})
    events = await ValidateNeedForm().run(dispatcher, tracker, domain)
    assert slot_values(events)["need_budget"] == "10 GBP/month"


async def test_adding_tv_to_my_broadband_is_a_tv_need_not_a_bundle(store, conversation, dispatcher, domain):
    chat = await conversation()
    text = "i want to add tv to my broadband"
    await ActionStartNeed().run(dispatcher, chat.tracker(text, intent="state_need", entities=[
        {"entity": "category", "value": "tv", "start": 14, "end": 16},
        {"entity": "category", "value": "broadband", "start": 23, "end": 32}]), domain)
    [need] = await store.needs(chat.customer_id)
    assert need.category == "tv"


async def test_a_product_asked_for_rather_than_asked_about_starts_a_need(store, conversation, dispatcher, domain):
    chat = await conversation()
    events = await ActionAnswerProduct().run(dispatcher, chat.tracker(
        "sim only please, 20 a month", intent="ask_product"), domain)
    assert events[-1] == FollowupAction("action_start_need")
    assert dispatcher.messages == []


async def test_the_first_thing_named_is_what_they_are_after(store, conversation, dispatcher, domain):
    chat = await conversation()
    words = "after a better router, mine is ancient and the wifi 6 ones are meant to be better"
    router, wifi = words.index("better router"), words.index("wifi")
    await ActionStartNeed().run(dispatcher, chat.tracker(words, intent="state_need", entities=[
        {"entity": "product", "value": "smart-hub", "start": router, "end": router + 13},
        {"entity": "category", "value": "broadband", "start": wifi, "end": wifi + 4}]), domain)
    words = "i need a plan for my teenager, she already has a phone so just a sim"
    phone, sim = words.index("a phone"), words.index("sim")
    await ActionStartNeed().run(dispatcher, chat.tracker(words, intent="state_need", entities=[
        {"entity": "category", "value": "device", "start": phone, "end": phone + 7},
        {"entity": "category", "value": "mobile", "start": sim, "end": sim + 3}]), domain)
    assert sorted(n.category for n in await store.needs(chat.customer_id)) == ["device", "mobile"]


async def test_a_phone_number_corrected_is_not_a_budget(store, conversation, dispatcher, domain):
    from actions.facts import ActionCorrect

    chat = await conversation()
    await store.remember(chat.customer_id, "phone", "+447700900561", source=chat_source(chat))
    await store.add_need(chat.customer_id, category="mobile", budget="15 GBP", words="sim",
                         source=chat_source(chat))
    await ActionCorrect().run(dispatcher, chat.tracker("sorry typo, its 07700 900516", intent="correct",
        entities=[{"entity": "phone", "value": "+447700900516", "start": 16, "end": 28}]), domain)
    [need] = await store.needs(chat.customer_id)
    assert need.budget == "15 GBP"
    assert (await store.profile(chat.customer_id)).get("phone") == "+447700900516"


async def test_small_talk_in_the_middle_of_a_question_is_answered_then_asked_again(
        store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.form_turn("need_form", "need_budget", "wait r u a bot??", intent="bot_challenge",
                             slots={"need_category": "mobile"})
    events = await ValidateNeedForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_iamabot"]
    assert SlotSet("requested_slot", "need_budget") in events  # the form asks again
    assert any(e.get("name") != "requested_slot" for e in events if e.get("event") == "slot")


async def test_a_misspelt_product_kind_and_what_they_already_have(store, conversation, dispatcher, domain):
    chat = await conversation()
    await ActionStartNeed().run(dispatcher, chat.tracker("thinking of getting broadbnad with you",
                                                         intent="state_need"), domain)
    text = "she already has a phone so just a sim with decent data"
    await ActionStartNeed().run(dispatcher, chat.tracker(text, intent="state_need", entities=[
        {"entity": "category", "value": "device", "start": 18, "end": 25},
        {"entity": "category", "value": "mobile", "start": 34, "end": 37}]), domain)
    assert [n.category for n in await store.needs(chat.customer_id)] == ["mobile", "broadband"]


async def test_a_problem_told_with_a_request_for_a_person_is_recorded_first(
        store, conversation, dispatcher, domain):
    chat = await conversation()
    text = "Three engineer appointments cancelled the night before. Get me a manager, now."
    events = await ActionHandoff().run(dispatcher, chat.tracker(text, intent="request_human", entities=[
        {"entity": "complaint_category", "value": "service", "confidence_entity": 0.8,
         "start": 0, "end": len(text)}]), domain)
    [complaint] = await store.complaints(chat.customer_id)
    assert (complaint.category, complaint.description) == ("service", text)
    assert {"handoff": {"reason": "customer_asked"}} in [m.get("custom") for m in dispatcher.messages]
    assert SlotSet("pending_question", None) in events


async def test_another_slot_alone_from_an_out_of_scope_question_is_no_answer(
        store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.form_turn("need_form", "need_budget", "whats the weather tomorrow",
                             intent="out_of_scope", confidence=0.9, slots={"need_category": "mobile"},
                             entities=[{"entity": "timeframe", "value": "2026-12-03", "start": 19, "end": 27}])
    events = await ValidateNeedForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_out_of_scope"]  # said so, then asked again
    assert "need_timeframe" not in slot_values(events)
    assert SlotSet("requested_slot", "need_budget") in events


async def test_no_rush_at_the_budget_question_answers_when_not_how_much(
        store, conversation, dispatcher, domain):
    chat = await conversation()
    tracker = chat.form_turn("need_form", "need_budget", "no rush", intent="inform",
                             slots={"need_category": "mobile"})
    events = await ValidateNeedForm().run(dispatcher, tracker, domain)
    assert slot_values(events)["need_timeframe"] == "flexible"
    assert "utter_need_budget_unclear" in responses(dispatcher)  # the budget is asked again


async def test_the_fastest_wanted_is_named_and_price_no_issue_is_no_budget(store, conversation, dispatcher,
                                                                         domain):
    chat = await conversation()
    words = "want the fastest broadband you do, price isnt an issue. gaming + 4k streaming"
    events = await ActionStartNeed().run(dispatcher, chat.tracker(words, intent="state_need", entities=[
        {"entity": "category", "value": "broadband", "start": 17, "end": 26}]), domain)
    assert texts(dispatcher)[0] == "Our fastest broadband is Fibre 900: 900 Mbps, at £45 a month."
    [need] = await store.needs(chat.customer_id)
    assert (need.category, need.budget) == ("broadband", "no fixed budget")
    form = await ValidateNeedForm().run(dispatcher, chat.tracker(slots=slot_values(events)), domain)
    assert SlotSet("requested_slot", "need_timeframe") in form  # the budget is not asked


async def test_what_they_already_have_is_not_part_of_the_need(store, conversation, dispatcher, domain):
    from actions.facts import ActionCorrect

    chat = await conversation()
    await store.add_need(chat.customer_id, category="broadband", words="broadband deal",
                         source=chat_source(chat))
    words = "sorry no, I meant a mobile plan not broadband, we already have internet at home"
    await ActionCorrect().run(dispatcher, chat.tracker(words, intent="correct", entities=[
        {"entity": "category", "value": "mobile", "start": 20, "end": 31},
        {"entity": "category", "value": "broadband", "start": 36, "end": 45},
        {"entity": "category", "value": "broadband", "start": 63, "end": 71}]), domain)
    assert [n.category for n in await store.needs(chat.customer_id)] == ["mobile"]


async def test_a_whole_question_that_looks_out_of_scope_is_told_so_plainly(store, conversation,
                                                                           dispatcher, domain):
    from actions.handoff import ActionFallback

    chat = await conversation()
    tracker = chat.tracker("can you recommend a good laptop for uni?", intent="nlu_fallback",
                           confidence=0.4)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_offers", "confidence": 0.39},
        {"name": "out_of_scope", "confidence": 0.34}]
    await ActionFallback().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith("I'm afraid I can't help with that here.")
    assert await store.complaints(chat.customer_id) == []

    dispatcher.messages.clear()
    short = chat.tracker("erm the thing", intent="nlu_fallback", confidence=0.4)
    short.latest_message["intent_ranking"] = tracker.latest_message["intent_ranking"]
    await ActionFallback().run(dispatcher, short, domain)
    assert texts(dispatcher) == ["Sorry, I didn't quite get that. Could you say it another way?"]


async def test_two_problems_of_different_kinds_in_one_message_are_two_complaints(store, conversation,
                                                                                 dispatcher, domain):
    chat = await conversation()
    words = ("two things. the wifi drops every night around 9pm, and you've also charged me a "
             "£30 missed appointment fee for an engineer visit i never even booked!!")
    await ActionStartComplaint().run(dispatcher, chat.tracker(words, intent="complain", entities=[
        {**CATEGORY, "end": len(words)}]), domain)
    complaints = sorted(await store.complaints(chat.customer_id), key=lambda c: c.reference)
    assert [c.category for c in complaints] == ["billing", "connection"]
    assert complaints[1].description == "the wifi drops every night around 9pm"
    assert f"I've also logged the other problem, about connection or speed, as complaint " \
           f"{complaints[1].reference}." in texts(dispatcher)
    # More about the fee joins the billing complaint, not the newer connection one.
    more = "the fee was on the bill that came out on the 1st"
    await ActionStartComplaint().run(dispatcher, chat.tracker(more, intent="complain", entities=[
        {**CATEGORY, "end": len(more)}]), domain)
    billing = await store.complaint(complaints[0].reference)
    assert more in billing.description and len(await store.complaints(chat.customer_id)) == 2


async def test_one_problem_told_at_length_is_one_complaint(store, conversation, dispatcher, domain):
    chat = await conversation()
    await ActionStartComplaint().run(dispatcher, chat.tracker(
        "my broadband keeps dropping out and its also really slow", intent="complain"), domain)
    assert [c.category for c in await store.complaints(chat.customer_id)] == ["connection"]


async def test_a_corrected_order_reference_amends_the_complaint_just_taken(store, conversation,
                                                                           dispatcher, domain):
    from actions.facts import ActionCorrect

    chat = await conversation()
    complaint = await store.open_complaint(chat.customer_id, category="billing", severity="high",
                                           description="exit fee", order_ref="NW-662018",
                                           source=chat_source(chat))
    await ActionCorrect().run(dispatcher, chat.tracker("sorry wrong number, it's NW-662081",
        intent="correct", entities=[{"entity": "order_ref", "value": "NW-662081", "start": 23,
                                     "end": 32}]), domain)
    amended = await store.complaint(complaint.reference)
    assert amended.order_ref == "NW-662081"
    assert [(c.field, c.old_value) for c in amended.changes] == [("order_ref", "NW-662018")]
    assert f"the reference on complaint {complaint.reference} is NW-662081" in texts(dispatcher)[0]


async def test_no_reference_said_up_front_is_not_asked_for(store, conversation, dispatcher, domain):
    chat = await conversation()
    words = ("Good day. Please I was charged twice for the month of October. I don't have any "
             "reference number. Kindly refund the extra one.")
    events = await ActionStartComplaint().run(dispatcher, chat.tracker(
        words, intent="complain", entities=[{**CATEGORY, "end": len(words)}]), domain)
    assert slot_values(events)["complaint_reference"] == "none"
    form = await ValidateComplaintForm().run(dispatcher, chat.tracker(slots=slot_values(events)), domain)
    assert SlotSet("requested_slot", "complaint_severity") in form


async def test_how_bad_it_is_told_after_intake_goes_to_the_complaint_not_a_need(store, conversation,
                                                                               dispatcher, domain):
    from actions.facts import ActionTakeNote

    chat = await conversation()
    complaint = await store.open_complaint(chat.customer_id, category="connection", severity="medium",
                                           description="wifi drops every evening",
                                           source=chat_source(chat))
    words = "pretty bad tbh i work from home"
    events = await ActionTakeNote().run(dispatcher, chat.tracker(words, intent="inform", entities=[
        {"entity": "product", "value": "home-worker-bundle", "start": 17, "end": 31},
        {"entity": "severity", "value": "high", "start": 0, "end": len(words)}]), domain)
    assert FollowupAction("action_start_need") not in events
    assert await store.needs(chat.customer_id) == []
    amended = await store.complaint(complaint.reference)
    assert amended.severity == "high" and words in amended.description
    assert texts(dispatcher) == [f"Thanks, I've added that to your complaint {complaint.reference}."]
