"""The staff console over HTTP and WebSocket: queue, claim, reply, notes, transfer, resolve, hand back.

Customers talk through the real web chat WebSocket; the engine is a fake that speaks the
REST channel and the tracker API (see FakeEngineAPI in conftest).
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.handoff import HANDOFFS
from bot.state import CONVERSATIONS, STORE
from memory import Source


async def queued(staff, customer, text: str = "I want a human please") -> dict:
    """The customer asks for a person; the handoff as the console lists it."""
    turn = await customer.say(text)
    assert any("queue" in frame["text"] for frame in turn), turn
    await staff.app[CONVERSATIONS].settled()  # the bot's replies are in the transcript
    for handoff in await staff.app[HANDOFFS].queue():
        if handoff["conversation_id"] == customer.conversation_id:
            return handoff
    raise AssertionError("the conversation was not queued")


async def next_event(ws, wanted, timeout: float = 5.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads((await ws.receive()).data)
            if wanted(event):
                return event


async def test_a_customer_asking_for_a_person_is_queued_and_the_bot_falls_silent(staff, engine_api):
    customer = await staff.customer()
    turn = await customer.say("I want a human please")

    texts = [frame["text"] for frame in turn]
    assert texts[0] == "Of course. I'm bringing in a colleague."
    assert "You're next in the queue" in texts[1]
    assert not any("custom" in frame and "handoff" in frame["custom"] for frame in turn)  # payload hidden
    assert engine_api.event_names(customer.conversation_id) == ["pause"]

    sent_before = len(engine_api.received)
    follow_up = await customer.say("are you there?")
    assert len(engine_api.received) == sent_before  # the bot was not asked
    assert engine_api.logged == []  # nor its tracker (the NLU alone reads it, for suggestions)
    assert not any("Sorry, something went wrong" in f["text"] for f in follow_up)

    transcript = await staff.app[STORE].transcript(customer.conversation_id)
    assert [m.text for m in transcript if m.sender == "customer"] == ["I want a human please", "are you there?"]


async def test_the_queue_is_live_and_claiming_is_exclusive(staff):
    ann = await staff.sign_in("ann")
    bob = await staff.sign_in("bob")
    live = await ann.client.ws_connect("/console/ws")
    customer = await staff.customer()
    await customer.say("I want a human please")

    arrived = await next_event(live, lambda e: e["type"] == "handoff")
    assert arrived["handoff"]["status"] == "waiting"
    assert arrived["handoff"]["conversation_id"] == customer.conversation_id
    handoff_id = arrived["handoff"]["id"]

    first, second = await asyncio.gather(
        ann.post(f"/console/api/handoffs/{handoff_id}/claim"),
        bob.post(f"/console/api/handoffs/{handoff_id}/claim"),
    )
    assert sorted([first.status, second.status]) == [200, 409]
    loser = second if second.status == 409 else first
    assert "Someone else" in (await loser.json())["error"]
    claimed = await next_event(live, lambda e: e["type"] == "handoff" and e["handoff"]["status"] == "active")
    winner = ann if first.status == 200 else bob
    assert claimed["handoff"]["agent_id"] == winner.member.id
    joined = await customer.pushed("system")
    assert f"{winner.member.display_name} from our team has joined" in joined["text"]
    listed = await ann.get_json("/console/api/queue")
    assert [(h["id"], h["status"]) for h in listed["handoffs"]] == [(handoff_id, "active")]
    assert listed["follow_ups"] == [] and {a["id"] for a in listed["agents"]} == {ann.member.id, bob.member.id}
    await live.close()


async def test_a_tab_that_stops_watching_a_conversation_follows_the_queue_again(staff):
    ann = await staff.sign_in("ann")
    first = await queued(staff, await staff.customer())
    live = await ann.client.ws_connect("/console/ws")
    await live.send_json({"type": "watch", "handoff_id": first["id"]})
    await next_event(live, lambda e: e["type"] == "watching")
    await live.send_json({"type": "unwatch"})
    await live.send_json({"type": "ping"})
    await next_event(live, lambda e: e["type"] == "pong")  # the unwatch was handled

    other = await staff.customer()
    await other.say("I want a human please")
    arrived = await next_event(live, lambda e: e["type"] == "handoff")
    assert arrived["handoff"]["conversation_id"] == other.conversation_id
    await live.close()


async def test_messages_flow_both_ways_while_the_bot_stays_silent(staff, engine_api):
    ann = await staff.sign_in("ann", name="Ann Agent")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    await ann.post(f"/console/api/handoffs/{handoff['id']}/claim")
    await customer.pushed("system")

    live = await ann.client.ws_connect("/console/ws")
    await live.send_json({"type": "watch", "handoff_id": handoff["id"]})
    await next_event(live, lambda e: e["type"] == "watching")

    turn = await customer.say("My router keeps dropping the connection")
    assert turn == []  # nothing from the bot
    seen = await next_event(live, lambda e: e["type"] == "message" and e["sender"] == "customer")
    assert seen["text"] == "My router keeps dropping the connection"

    response = await ann.post(f"/console/api/handoffs/{handoff['id']}/reply", {"text": "Let me check that for you."})
    assert response.status == 200, await response.text()
    pushed = await customer.pushed("agent")
    assert pushed["text"] == "Let me check that for you."
    transcript = await staff.app[STORE].transcript(customer.conversation_id)
    agent_turns = [m for m in transcript if m.sender == "agent"]
    assert [m.text for m in agent_turns] == ["Let me check that for you."]
    assert agent_turns[0].payload["agent"]["name"] == "Ann Agent"
    assert engine_api.event_names(customer.conversation_id) == ["pause"]  # still paused
    await live.close()


async def test_only_the_agent_holding_the_conversation_may_reply(staff):
    ann = await staff.sign_in("ann")
    bob = await staff.sign_in("bob")
    customer = await staff.customer()
    handoff = await queued(staff, customer)

    early = await ann.post(f"/console/api/handoffs/{handoff['id']}/reply", {"text": "hi"})
    assert early.status == 409 and "Claim the conversation first" in (await early.json())["error"]
    await ann.post(f"/console/api/handoffs/{handoff['id']}/claim")
    other = await bob.post(f"/console/api/handoffs/{handoff['id']}/reply", {"text": "me too"})
    assert other.status == 409 and "Ann is handling" in (await other.json())["error"]
    empty = await ann.post(f"/console/api/handoffs/{handoff['id']}/reply", {"text": "   "})
    assert empty.status == 400


async def test_internal_notes_never_reach_the_customer(staff):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    await ann.post(f"/console/api/handoffs/{handoff['id']}/claim")
    await customer.pushed("system")

    response = await ann.post(f"/console/api/handoffs/{handoff['id']}/notes",
                              {"text": "Customer sounds upset; offer a credit"})
    assert response.status == 200
    await ann.post(f"/console/api/handoffs/{handoff['id']}/reply", {"text": "Sorry about that!"})
    pushed = await customer.pushed()
    assert pushed["text"] == "Sorry about that!"  # the next thing the customer got is the reply

    assert not any("offer a credit" in json.dumps(frame) for frame in customer.frames)
    transcript = await staff.app[STORE].transcript(customer.conversation_id)
    assert not any("offer a credit" in m.text for m in transcript)
    detail = await ann.get_json(f"/console/api/handoffs/{handoff['id']}")
    assert [n["text"] for n in detail["notes"]] == ["Customer sounds upset; offer a credit"]


async def test_handing_back_resumes_the_bot_which_asks_about_satisfaction(staff, engine_api):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    await ann.post(f"/console/api/handoffs/{handoff['id']}/claim")
    await customer.pushed("system")

    response = await ann.post(f"/console/api/handoffs/{handoff['id']}/hand-back")
    assert response.status == 200, await response.text()
    assert "handed you back" in (await customer.pushed("system"))["text"]
    question = await customer.pushed("bot")
    assert question["text"] == "How was your experience today?"
    assert question["buttons"] == [{"title": "Good", "payload": "/feedback_satisfied"}]
    assert engine_api.event_names(customer.conversation_id) == ["pause", "resume", "action"]
    assert engine_api.executed == [(customer.conversation_id, "utter_ask_satisfaction")]

    turn = await customer.say("/feedback_satisfied")  # the bot has the conversation again
    assert [f["text"] for f in turn] == ["echo: /feedback_satisfied"]
    assert await staff.app[HANDOFFS].store.open_for_conversation(customer.conversation_id) is None


async def test_resolving_closes_the_handoff_and_keeps_a_summary(staff, engine_api):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    await ann.post(f"/console/api/handoffs/{handoff['id']}/claim")
    response = await ann.post(f"/console/api/handoffs/{handoff['id']}/resolve", {"summary": "Replaced the router"})
    assert response.status == 200
    assert (await response.json())["result"]["outcome"] == "resolved"
    assert engine_api.event_names(customer.conversation_id) == ["pause", "resume"]
    interactions = await staff.app[STORE].interactions(customer.customer_id)
    assert interactions[0].summary == "Replaced the router"
    again = await ann.post(f"/console/api/handoffs/{handoff['id']}/reply", {"text": "hello?"})
    assert again.status == 409


async def test_transfer_to_another_agent_and_back_to_the_queue(staff):
    ann = await staff.sign_in("ann")
    bob = await staff.sign_in("bob", name="Bob Builder")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    await ann.post(f"/console/api/handoffs/{handoff['id']}/claim")
    await customer.pushed("system")

    moved = await ann.post(f"/console/api/handoffs/{handoff['id']}/transfer", {"to_agent_id": bob.member.id})
    assert moved.status == 200
    assert "passed your conversation to Bob Builder" in (await customer.pushed("system"))["text"]
    assert (await ann.post(f"/console/api/handoffs/{handoff['id']}/reply", {"text": "x"})).status == 409
    assert (await bob.post(f"/console/api/handoffs/{handoff['id']}/reply", {"text": "Bob here"})).status == 200

    back = await bob.post(f"/console/api/handoffs/{handoff['id']}/transfer", {"to_agent_id": None})
    assert (await back.json())["result"]["status"] == "waiting"
    bad = await ann.post(f"/console/api/handoffs/{handoff['id']}/transfer", {"to_agent_id": "bob"})
    assert bad.status in (400, 409)


async def test_agents_update_complaints_and_record_facts_with_themselves_as_source(staff):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    store = staff.app[STORE]
    complaint = await store.open_complaint(
        customer.customer_id, category="device", description="Router <b>dead</b>",
        severity="high", source=Source("web", customer.conversation_id),
    )
    await ann.post(f"/console/api/handoffs/{handoff['id']}/claim")

    unresolved = await ann.post(
        f"/console/api/handoffs/{handoff['id']}/complaints/{complaint.reference}", {"status": "resolved"}
    )
    assert unresolved.status == 400 and "resolved" in (await unresolved.json())["error"]
    done = await ann.post(
        f"/console/api/handoffs/{handoff['id']}/complaints/{complaint.reference}",
        {"status": "resolved", "resolution": "Sent a new router"},
    )
    assert done.status == 200, await done.text()
    updated = await store.complaint(complaint.reference)
    assert updated.status == "resolved"
    assert updated.transitions[-1].actor == f"agent:{ann.member.id}"
    assert updated.transitions[-1].note == "Sent a new router"

    fact = await ann.post(f"/console/api/handoffs/{handoff['id']}/facts", {"key": "city", "value": "Leeds"})
    assert fact.status == 200
    held = (await store.profile(customer.customer_id)).facts["city"]
    assert held.value == "Leeds"
    assert held.source.channel == "agent" and held.source.actor == f"agent:{ann.member.id}"
    unknown = await ann.post(f"/console/api/handoffs/{handoff['id']}/facts", {"key": "shoe_size", "value": "9"})
    assert unknown.status == 400

    panel = (await ann.get_json(f"/console/api/handoffs/{handoff['id']}"))["profile"]
    assert panel["facts"][0]["source"]["actor"] == f"agent:{ann.member.id}"
    assert panel["complaints"][0]["resolution"] == "Sent a new router"
    assert panel["value"]["tier"] in ("new", "standard", "top")
    assert panel["interactions"][0]["channel"] == "web"


async def test_the_conversation_view_has_transcript_profile_and_canned_replies(staff):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    detail = await ann.get_json(f"/console/api/handoffs/{handoff['id']}")
    assert [m["sender"] for m in detail["transcript"]] == ["customer", "bot", "bot"]
    assert detail["transcript"][0]["text"] == "I want a human please"
    names = [c["name"] for c in detail["canned"]]
    assert "utter_ask_satisfaction" in names and "utter_goodbye" in names
    assert all(not n.startswith("utter_ask_") or n == "utter_ask_satisfaction" for n in names)
    assert {"facts", "needs", "complaints", "consents", "value", "satisfaction", "interactions",
            "follow_ups"} <= set(detail["profile"])
    assert "city" in detail["fact_keys"]


async def test_console_pages_need_a_signed_in_agent(staff, aiohttp_client):
    anonymous = await aiohttp_client(staff.server)
    page = await anonymous.get("/console", headers={"Accept": "text/html"}, allow_redirects=False)
    assert page.status == 303 and page.headers["Location"].startswith("/staff/login?next=")
    api = await anonymous.get("/console/api/queue")
    assert api.status == 401
    marketer = await staff.sign_in("mia", role="marketer")
    refused = await marketer.client.get("/console/api/queue")
    assert refused.status == 403
    socket = await marketer.client.get("/console/ws")
    assert socket.status == 403
    agent = await staff.sign_in("ann")
    cross_site = await agent.client.get("/console/ws", headers={"Origin": "https://evil.example"})
    assert cross_site.status == 403  # no cross-site WebSocket hijacking with the agent's cookie


async def test_state_changing_requests_need_the_csrf_token(staff):
    ann = await staff.sign_in("ann")
    customer = await staff.customer()
    handoff = await queued(staff, customer)
    forged = await ann.client.post(f"/console/api/handoffs/{handoff['id']}/claim", json={})
    assert forged.status == 403
    wrong = await ann.post(f"/console/api/handoffs/{handoff['id']}/claim", headers={"X-CSRF-Token": "nope"})
    assert wrong.status == 403
    cross_site = await ann.post(f"/console/api/handoffs/{handoff['id']}/claim",
                                headers={"Origin": "https://evil.example"})
    assert cross_site.status == 403
    assert (await staff.app[HANDOFFS].store.get(handoff["id"])).status == "waiting"


async def test_what_a_customer_wrote_is_escaped_in_the_console_pages(staff):
    ann = await staff.sign_in("ann", name='<script>alert("agent")</script>')
    customer = await staff.customer()
    handoff = await queued(staff, customer, '<img src=x onerror=alert(1)> I want a human')
    page = await ann.client.get(f"/console/conversations/{handoff['id']}", headers={"Accept": "text/html"})
    html = await page.text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;agent&quot;)&lt;/script&gt;" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]  # no inline script could run
    detail = await ann.get_json(f"/console/api/handoffs/{handoff['id']}")
    assert detail["transcript"][0]["text"] == '<img src=x onerror=alert(1)> I want a human'  # data, as text


@pytest.mark.parametrize("path", ["/console/api/handoffs/999999", "/console/api/handoffs/abc"])
async def test_unknown_handoffs_are_404(staff, path):
    ann = await staff.sign_in("ann")
    response = await ann.client.get(path)
    assert response.status == 404
