"""Capture during a handoff: the NLU reads what the customer tells the agent, the console suggests
it, and the agent records it (as is, or edited) in the profile with themselves as the source.
And the console's canned replies come from the live published version.

The gateway is real (aiohttp, SQLite profile and handoff store); the engine is the fake in
conftest, whose POST /model/parse answers what each test tells it to.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.handoff import HANDOFFS
from bot.handoff.suggestions import Vocabulary, read_parse
from bot.state import CONVERSATIONS, STORE
from memory import Source
from tests.bot.console.test_console import next_event, queued
from tests.bot.studio.test_studio_support import studio  # noqa: F401  (fixture)

COMPLAINT = "My router keeps dropping the connection"
NEED = "I'm after a new mobile plan, about 25 a month, before March"
EMAIL = "you can reach me at maria.k@example.com"


def complain(category: str | None = "connection", **entities: str) -> dict:
    found = [{"entity": "complaint_category", "value": category, "confidence_entity": 0.91}] if category else []
    found += [{"entity": name, "value": value, "confidence_entity": 1.0} for name, value in entities.items()]
    return {"intent": {"name": "complain", "confidence": 0.93}, "entities": found}


STATE_NEED = {"intent": {"name": "state_need", "confidence": 0.97}, "entities": [
    {"entity": "category", "value": "mobile", "confidence_entity": 1.0},
    {"entity": "money", "value": "25 GBP/month", "confidence_entity": 1.0},
    {"entity": "timeframe", "value": "before:2027-03-01", "confidence_entity": 1.0},
]}
GAVE_EMAIL = {"intent": {"name": "inform", "confidence": 0.98}, "entities": [
    {"entity": "email", "value": "maria.k@example.com", "confidence_entity": 1.0},
]}


async def taken(staff, agent, customer) -> dict:
    """The customer is queued and `agent` holds the conversation."""
    handoff = await queued(staff, customer)
    assert (await agent.post(f"/console/api/handoffs/{handoff['id']}/claim")).status == 200
    await customer.pushed("system")
    return handoff


async def told(staff, customer, text: str) -> list:
    """The customer writes to the agent; the handoff's suggestions once the NLU has read it."""
    turn = await customer.say(text)
    assert turn == []  # the bot stays silent
    await staff.app[HANDOFFS].capture.idle()
    handoff = await staff.app[HANDOFFS].store.open_for_conversation(customer.conversation_id)
    return await staff.app[HANDOFFS].suggestions(handoff.id)


def path(handoff: dict, suggestion: dict, action: str = "record") -> str:
    return f"/console/api/handoffs/{handoff['id']}/suggestions/{suggestion['id']}/{action}"


async def test_a_complaint_told_to_the_agent_is_suggested_live_and_recorded_with_the_agent_as_source(
        staff, engine_api):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await taken(staff, ann, customer)
    live = await ann.client.ws_connect("/console/ws")
    await live.send_json({"type": "watch", "handoff_id": handoff["id"]})
    await next_event(live, lambda e: e["type"] == "watching")
    engine_api.parses[COMPLAINT] = complain(order_ref="NW-123456")

    assert await customer.say(COMPLAINT) == []
    event = await next_event(live, lambda e: e["type"] == "suggestion")
    suggestion = event["suggestion"]
    assert suggestion["label"] == f"connection complaint: '{COMPLAINT}'"
    assert suggestion["fields"] == {"category": "connection", "description": COMPLAINT,
                                    "severity": "medium", "order_ref": "NW-123456"}
    assert engine_api.parsed == [COMPLAINT]
    assert engine_api.logged == [] and engine_api.event_names(customer.conversation_id) == ["pause"]
    reloaded = await ann.get_json(f"/console/api/handoffs/{handoff['id']}")
    assert [s["id"] for s in reloaded["suggestions"]] == [suggestion["id"]]  # survives a reload

    response = await ann.post(path(handoff, suggestion))
    assert response.status == 200, await response.text()
    result = (await response.json())["result"]
    assert result["status"] == "recorded" and result["result"]["reference"].startswith("C-")
    complaints = await staff.app[STORE].complaints(customer.customer_id)
    assert [(c.reference, c.category, c.description, c.order_ref) for c in complaints] == [
        (result["result"]["reference"], "connection", COMPLAINT, "NW-123456")]
    assert complaints[0].source.channel == "agent"
    assert complaints[0].source.actor == f"agent:{ann.member.id}"
    assert complaints[0].source.conversation_id == customer.conversation_id
    await next_event(live, lambda e: e["type"] == "profile")  # the profile panel reloads
    await live.close()


async def test_a_double_click_records_once(staff, engine_api):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await taken(staff, ann, customer)
    engine_api.parses[COMPLAINT] = complain()
    [suggestion] = await told(staff, customer, COMPLAINT)

    first, second = await asyncio.gather(ann.post(path(handoff, suggestion)), ann.post(path(handoff, suggestion)))
    assert (first.status, second.status) == (200, 200)
    again = await ann.post(path(handoff, suggestion))
    assert again.status == 200 and (await again.json())["result"]["status"] == "recorded"
    assert len(await staff.app[STORE].complaints(customer.customer_id)) == 1


async def test_edit_then_record_stores_what_the_agent_changed(staff, engine_api):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await taken(staff, ann, customer)
    engine_api.parses[NEED] = STATE_NEED
    engine_api.parses[EMAIL] = GAVE_EMAIL
    [need] = await told(staff, customer, NEED)
    [_, email] = await told(staff, customer, EMAIL)
    assert need["label"] == f"mobile need, 25 GBP/month, before:2027-03-01: '{NEED}'"
    assert email["label"] == "email: maria.k@example.com"

    edited = await ann.post(path(handoff, need), {"fields": {"category": "bundle", "budget": "30 GBP/month"}})
    assert edited.status == 200, await edited.text()
    fact = await ann.post(path(handoff, email), {"fields": {"value": "maria.kowalska@example.com"}})
    assert fact.status == 200, await fact.text()

    [stored] = await staff.app[STORE].needs(customer.customer_id)
    assert (stored.category, stored.budget, stored.timeframe, stored.words) == (
        "bundle", "30 GBP/month", "before:2027-03-01", NEED)
    assert stored.source.actor == f"agent:{ann.member.id}"
    held = (await staff.app[STORE].profile(customer.customer_id)).facts["email"]
    assert held.value == "maria.kowalska@example.com"
    assert (held.source.channel, held.source.actor) == ("agent", f"agent:{ann.member.id}")


async def test_an_edit_the_profile_cannot_hold_is_refused_and_the_suggestion_stays(staff, engine_api):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await taken(staff, ann, customer)
    engine_api.parses[COMPLAINT] = complain()
    [suggestion] = await told(staff, customer, COMPLAINT)

    for fields in ({"category": "weather"}, {"description": ""}, {"colour": "red"}):
        refused = await ann.post(path(handoff, suggestion), {"fields": fields})
        assert refused.status == 400, fields
    assert await staff.app[STORE].complaints(customer.customer_id) == []
    [still] = (await ann.get_json(f"/console/api/handoffs/{handoff['id']}"))["suggestions"]
    assert still["status"] == "pending"


async def test_recording_needs_a_signed_in_agent_holding_the_conversation_and_the_csrf_token(
        staff, engine_api, aiohttp_client):
    ann = await staff.sign_in("ann")
    bob = await staff.sign_in("bob")
    mia = await staff.sign_in("mia", role="marketer")
    customer = await staff.customer()
    handoff = await taken(staff, ann, customer)
    engine_api.parses[COMPLAINT] = complain()
    [suggestion] = await told(staff, customer, COMPLAINT)

    anonymous = await aiohttp_client(staff.server)
    assert (await anonymous.post(path(handoff, suggestion), json={})).status == 401
    assert (await mia.post(path(handoff, suggestion))).status == 403
    assert (await ann.client.post(path(handoff, suggestion), json={})).status == 403  # no CSRF token
    assert (await ann.post(path(handoff, suggestion), headers={"Origin": "https://evil.example"})).status == 403
    not_his = await bob.post(path(handoff, suggestion))
    assert not_his.status == 409 and "Ann is handling" in (await not_his.json())["error"]
    assert (await bob.post(path(handoff, suggestion, "dismiss"))).status == 409
    assert (await ann.get_json(f"/console/api/handoffs/{handoff['id']}"))["suggestions"][0]["status"] == "pending"
    assert await staff.app[STORE].complaints(customer.customer_id) == []
    unknown = await ann.post(f"/console/api/handoffs/{handoff['id']}/suggestions/nope/record")
    assert unknown.status == 404


async def test_a_dismissed_suggestion_is_gone_and_cannot_be_recorded(staff, engine_api):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await taken(staff, ann, customer)
    engine_api.parses[COMPLAINT] = complain()
    [suggestion] = await told(staff, customer, COMPLAINT)

    assert (await ann.post(path(handoff, suggestion, "dismiss"))).status == 200
    assert (await ann.get_json(f"/console/api/handoffs/{handoff['id']}"))["suggestions"] == []
    late = await ann.post(path(handoff, suggestion))
    assert late.status == 409 and "dismissed" in (await late.json())["error"]
    assert await staff.app[STORE].complaints(customer.customer_id) == []


async def test_an_engine_that_cannot_parse_gives_no_suggestion_and_the_message_still_reaches_the_agent(
        staff, engine_api, caplog):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await taken(staff, ann, customer)
    live = await ann.client.ws_connect("/console/ws")
    await live.send_json({"type": "watch", "handoff_id": handoff["id"]})
    await next_event(live, lambda e: e["type"] == "watching")
    engine_api.parse_down = True
    engine_api.parses[COMPLAINT] = complain()

    assert await told(staff, customer, COMPLAINT) == []
    seen = await next_event(live, lambda e: e["type"] == "message" and e["sender"] == "customer")
    assert seen["text"] == COMPLAINT  # routed to the agent
    await staff.app[CONVERSATIONS].settled()
    transcript = await staff.app[STORE].transcript(customer.conversation_id)
    assert COMPLAINT in [m.text for m in transcript if m.sender == "customer"]  # stored
    assert engine_api.parsed == [COMPLAINT]  # it was tried
    assert "keeps dropping" not in caplog.text  # the failure is logged without the words
    await live.close()


async def test_a_fact_the_profile_already_holds_is_not_suggested_again(staff, engine_api):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await taken(staff, ann, customer)
    await staff.app[STORE].remember(customer.customer_id, "email", "maria.k@example.com",
                                    source=Source("web", customer.conversation_id))
    engine_api.parses[EMAIL] = GAVE_EMAIL
    assert await told(staff, customer, EMAIL) == []
    detail = await ann.get_json(f"/console/api/handoffs/{handoff['id']}")
    assert detail["suggestions"] == [] and "connection" in detail["vocabulary"]["complaint_categories"]


async def test_messages_while_waiting_for_an_agent_are_read_too(staff, engine_api):
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    engine_api.parses[COMPLAINT] = complain()
    turn = await customer.say(COMPLAINT)
    assert not any("Sorry, something went wrong" in f["text"] for f in turn)
    await staff.app[HANDOFFS].capture.idle()
    [suggestion] = await staff.app[HANDOFFS].suggestions(handoff["id"])
    assert (suggestion["status"], suggestion["fields"]["description"]) == ("pending", COMPLAINT)


# --- reading a parse ---------------------------------------------------------------------------

def test_a_parse_names_complaints_needs_and_facts_in_one_message():
    text = "Hi, I'm Grace, grace@example.com. Order NW-1 arrived broken, it's unusable; I also want fibre"
    parse = {"intent": {"name": "complain", "confidence": 0.6}, "entities": [
        {"entity": "first_name", "value": "Grace", "confidence_entity": 0.9},
        {"entity": "email", "value": "grace@example.com", "confidence_entity": 1.0},
        {"entity": "order_ref", "value": "NW-1", "confidence_entity": 1.0},
        {"entity": "severity", "value": "high", "confidence_entity": 0.7},
        {"entity": "category", "value": "device", "confidence_entity": 1.0},
        {"entity": "fact_key", "value": "city", "confidence_entity": 1.0, "additional_info": {"new_value": "Leeds"}},
        {"entity": "phone", "value": "+441514960000", "confidence_entity": 0.2},  # too unsure to suggest
    ]}
    assert read_parse(parse, text, Vocabulary()) == [
        ("complaint", {"category": "device", "description": text, "severity": "high", "order_ref": "NW-1"}),
        ("fact", {"key": "email", "value": "grace@example.com"}),
        ("fact", {"key": "first_name", "value": "Grace"}),
        ("fact", {"key": "city", "value": "Leeds"}),
    ]


def test_a_complaint_without_a_category_is_other_and_a_need_without_one_is_unspecified():
    assert read_parse({"intent": {"name": "complain"}}, "this is a joke", Vocabulary()) == [
        ("complaint", {"category": "other", "description": "this is a joke", "severity": "medium"})]
    product = {"entity": "product", "value": "fibre-500", "additional_info": {"category": "broadband"}}
    assert read_parse({"intent": {"name": "state_need"}, "entities": [product]}, "fibre 500 please", Vocabulary()) == [
        ("need", {"category": "broadband", "words": "fibre 500 please", "product": "fibre-500"})]
    assert read_parse({"intent": {"name": "state_need"}}, "something new", Vocabulary())[0][1]["category"] == "unspecified"
    # The complaint category entity alone is enough, whatever the intent.
    only_entity = {"intent": {"name": "inform"}, "entities": [{"entity": "complaint_category", "value": "billing"}]}
    assert read_parse(only_entity, "the invoice", Vocabulary())[0][1]["category"] == "billing"
    assert read_parse({"intent": {"name": "greet"}, "entities": []}, "hello", Vocabulary()) == []


async def test_a_slow_parse_is_given_up():
    from aiohttp import ClientSession, web
    from aiohttp.test_utils import TestServer

    from bot.engine.client import EngineClient, EngineUnavailable

    async def slow(request):
        await asyncio.sleep(5)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/model/parse", slow)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as session:
            engine = EngineClient(session, f"http://127.0.0.1:{server.port}", "token")
            with pytest.raises(EngineUnavailable, match="did not parse"):
                await engine.parse("my router", timeout=0.2)
    finally:
        await server.close()


# --- canned replies come from the live published version ----------------------------------------

async def test_canned_replies_follow_a_publish_without_a_restart(studio):
    from tests.bot.studio.test_studio import edit_response, publish

    mia = await studio.marketer()
    ann = await studio.harness.sign_in("ann")
    customer_id = await studio.app[STORE].identify("api", "crm-7")
    await studio.app[STORE].start_interaction(customer_id, "api", "api.crm-7")
    await studio.app[HANDOFFS].request(conversation_id="api.crm-7", customer_id=customer_id,
                                       channel="api", reason="customer_asked")
    [handoff] = await studio.app[HANDOFFS].queue()

    def canned(detail) -> dict:
        return {c["name"]: c["text"] for c in detail["canned"]}

    before = canned(await ann.get_json(f"/console/api/handoffs/{handoff['id']}"))
    assert before["utter_goodbye"] != "Cheerio, and thanks for talking to Northwind!"

    def reword(variations):
        for variation in variations:
            variation["text"] = "Cheerio, and thanks for talking to Northwind!"
        return variations

    await edit_response(mia, "utter_goodbye", reword)
    assert (await publish(mia, "Friendlier goodbye")).status == 200
    after = canned(await ann.get_json(f"/console/api/handoffs/{handoff['id']}"))
    assert after["utter_goodbye"] == "Cheerio, and thanks for talking to Northwind!"
    assert {name: text for name, text in after.items() if name != "utter_goodbye"} == {
        name: text for name, text in before.items() if name != "utter_goodbye"}
