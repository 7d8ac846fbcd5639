"""The web chat channel over HTTP and WebSocket, through the real gateway app and a fake engine."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType

from bot.app import create_app
from bot.channels.web import socket as web_socket
from bot.channels.web.sessions import Session, Sessions
from bot.channels.web.socket import SESSIONS
from bot.engine.client import Reply
from bot.state import DELIVERY, SETTINGS, STORE
from memory import errors

IDENTITY_SECRET = "host-site-shared-secret"


def user_hash(user_id: str, secret: str = IDENTITY_SECRET) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


async def new_session(gateway, **body: Any) -> str:
    response = await gateway.post("/web/session", json=body)
    assert response.status == 200, await response.text()
    return (await response.json())["token"]


async def receive_until(ws, done, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Frames up to and including the first one `done` accepts."""
    frames = []
    async with asyncio.timeout(timeout):
        while True:
            message = await ws.receive()
            assert message.type == WSMsgType.TEXT, message
            frames.append(json.loads(message.data))
            if done(frames[-1]):
                return frames


async def connect(gateway, token: str):
    ws = await gateway.ws_connect("/web/ws")
    await ws.send_json({"type": "hello", "token": token})
    ready = (await receive_until(ws, lambda f: f["type"] == "ready"))[-1]
    return ws, ready


async def say(ws, text: str, message_id: str, **extra: Any) -> list[dict[str, Any]]:
    """Send one message; the frames up to the end of its turn (or its refusal)."""
    await ws.send_json({"type": "message", "id": message_id, "text": text, **extra})

    started = False

    def done(frame: dict[str, Any]) -> bool:
        nonlocal started
        started = started or (frame["type"] == "typing" and frame["on"])
        return (
            (frame["type"] == "typing" and not frame["on"])
            or (frame["type"] == "ack" and frame.get("duplicate", False))
            or (frame["type"] == "error" and frame.get("id") == message_id and not started)
        )

    return await receive_until(ws, done)


def replies(frames):
    return [f for f in frames if f["type"] == "message" and f["sender"] == "bot"]


def error_of(frames):
    return next(f for f in frames if f["type"] == "error")


@pytest.fixture
async def identified_gateway(aiohttp_client, gateway_settings):
    settings = dataclasses.replace(gateway_settings, web_identity_secret=IDENTITY_SECRET)
    return await aiohttp_client(create_app(settings))


# --- sessions -------------------------------------------------------------------------

async def test_each_new_visitor_gets_their_own_signed_session(gateway):
    first, second = await new_session(gateway), await new_session(gateway)
    sessions = gateway.app[SESSIONS]
    a, b = sessions.read(first), sessions.read(second)
    assert a.customer_id != b.customer_id
    assert a.conversation_id.startswith("web.") and a.conversation_id != b.conversation_id
    assert not a.identified


async def test_renewing_a_session_keeps_the_visitor_and_the_conversation(gateway):
    token = await new_session(gateway)
    renewed = await new_session(gateway, token=token)
    sessions = gateway.app[SESSIONS]
    assert sessions.read(renewed) == sessions.read(token)


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: Sessions("someone-elses-key", "", 3600).issue(
            Session("any-customer", "web.any-conversation")
        ),
        lambda token: "not-a-token",
    ],
    ids=["tampered", "other-key", "garbage"],
)
async def test_a_forged_token_is_refused_over_http_and_websocket(gateway, fake_engine, forge):
    forged = forge(await new_session(gateway))
    response = await gateway.post("/web/session", json={"token": forged})
    assert response.status == 401
    assert "not valid" in (await response.json())["error"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"

    ws = await gateway.ws_connect("/web/ws")
    await ws.send_json({"type": "hello", "token": forged})
    frame = await ws.receive_json()
    assert frame["code"] == "bad_session" and "not valid" in frame["message"]
    assert (await ws.receive()).type == WSMsgType.CLOSE
    assert ws.close_code == 4401
    assert fake_engine.received == []


async def test_an_expired_token_is_refused(gateway, monkeypatch):
    token = await new_session(gateway)
    later = time.time() + gateway.app[SETTINGS].web_session_max_age + 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = await gateway.post("/web/session", json={"token": token})
    assert response.status == 401
    assert "expired" in (await response.json())["error"]


async def test_the_socket_wants_a_hello_first(gateway):
    ws = await gateway.ws_connect("/web/ws")
    await ws.send_json({"type": "message", "id": "m1", "text": "hi"})
    assert (await ws.receive_json())["code"] == "bad_hello"
    await ws.receive()
    assert ws.close_code == 4400


async def test_a_silent_socket_is_closed(gateway, monkeypatch):
    monkeypatch.setattr(web_socket, "HELLO_TIMEOUT", 0.2)
    ws = await gateway.ws_connect("/web/ws")
    assert (await ws.receive(timeout=3)).type == WSMsgType.CLOSE
    assert ws.close_code == 4408


async def test_cors_preflight_lets_any_site_embed_the_widget(gateway):
    response = await gateway.options(
        "/web/session",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


# --- conversation ---------------------------------------------------------------------

async def test_a_whole_turn_with_buttons_typing_and_timestamps(gateway, fake_engine):
    fake_engine.replies = [
        {"text": "Hi! Is this about an order?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
    ]
    token = await new_session(gateway)
    ws, ready = await connect(gateway, token)
    assert ready["history"] == []

    frames = await say(ws, "hello", "m-1")
    assert [f["type"] for f in frames] == ["typing", "ack", "message", "typing"]
    assert [f["on"] for f in frames if f["type"] == "typing"] == [True, False]
    (reply,) = replies(frames)
    assert reply["text"] == "Hi! Is this about an order?"
    assert reply["buttons"] == [{"title": "Yes", "payload": "/affirm"}]
    assert reply["reply_to"] == "m-1" and reply["created_at"].endswith("+00:00")

    session = gateway.app[SESSIONS].read(token)
    assert fake_engine.received[0]["sender"] == session.conversation_id
    assert fake_engine.received[0]["metadata"] == {"message_id": "m-1"}


async def test_a_sender_or_customer_in_a_frame_is_ignored(gateway, fake_engine):
    victim_token = await new_session(gateway)
    victim = gateway.app[SESSIONS].read(victim_token)
    victim_ws, _ = await connect(gateway, victim_token)
    await say(victim_ws, "my secret order", "v-1")

    token = await new_session(gateway)
    ws, _ = await connect(gateway, token)
    await say(ws, "hi", "a-1", sender=victim.conversation_id, customer=victim.customer_id,
              conversation=victim.conversation_id, customer_id=victim.customer_id)

    attacker = gateway.app[SESSIONS].read(token)
    assert fake_engine.received[1]["sender"] == attacker.conversation_id
    store = gateway.app[STORE]
    assert await store.customer_for_conversation(attacker.conversation_id) == attacker.customer_id
    victim_transcript = await store.transcript(victim.conversation_id)
    assert [m.text for m in victim_transcript] == ["my secret order", "echo: my secret order"]


async def test_history_is_restored_on_reload_with_button_titles(gateway, fake_engine):
    fake_engine.replies = [{"text": "Pick one", "buttons": [{"title": "Yes please", "payload": "/affirm"}]}]
    token = await new_session(gateway)
    ws, _ = await connect(gateway, token)
    await say(ws, "hello", "m-1")
    fake_engine.replies = [{"text": "Great **choice**"}]
    await say(ws, "/affirm", "m-2", title="Yes please")
    await ws.close()

    _, ready = await connect(gateway, await new_session(gateway, token=token))  # a reload
    assert [(h["sender"], h["text"]) for h in ready["history"]] == [
        ("customer", "hello"), ("bot", "Pick one"), ("customer", "Yes please"), ("bot", "Great **choice**"),
    ]
    assert ready["history"][0]["id"] == "m-1"
    assert ready["history"][1]["buttons"] == [{"title": "Yes please", "payload": "/affirm"}]
    assert all(h["created_at"] for h in ready["history"])


async def test_a_resend_is_processed_once_on_the_same_socket_and_after_reconnect(gateway, fake_engine):
    token = await new_session(gateway)
    ws, _ = await connect(gateway, token)
    await say(ws, "only once", "m-1")
    again = await say(ws, "only once", "m-1")
    assert again[-1] == {"type": "ack", "id": "m-1", "duplicate": True}
    await ws.close()

    ws, _ = await connect(gateway, token)
    again = await say(ws, "only once", "m-1")
    assert again[-1]["duplicate"] is True
    assert [body["message"] for body in fake_engine.received] == ["only once"]


async def test_a_resend_after_a_gateway_restart_is_processed_once(
    gateway, aiohttp_client, gateway_settings, fake_engine
):
    token = await new_session(gateway)
    ws, _ = await connect(gateway, token)
    await say(ws, "before the restart", "m-1")
    await gateway.close()

    restarted = await aiohttp_client(create_app(gateway_settings))  # same key, same database
    ws, ready = await connect(restarted, token)
    assert ready["history"][0]["id"] == "m-1"
    assert (await say(ws, "before the restart", "m-1"))[-1]["duplicate"] is True
    assert len(fake_engine.received) == 1


async def test_a_message_that_could_not_be_stored_is_reported_and_can_be_resent(gateway, fake_engine):
    store = gateway.app[STORE]
    original = store.record_message

    async def broken(*args, **kwargs):
        raise errors.StoreUnavailable("database is busy")

    token = await new_session(gateway)
    ws, _ = await connect(gateway, token)
    store.record_message = broken
    try:
        frames = await say(ws, "please keep this", "m-1")
    finally:
        store.record_message = original
    failure = error_of(frames)
    assert failure["code"] == "not_stored" and failure["id"] == "m-1"
    assert "could not be saved" in failure["message"]
    assert fake_engine.received == []

    frames = await say(ws, "please keep this", "m-1")
    assert not frames[-1].get("duplicate")
    assert replies(frames)[0]["text"] == "echo: please keep this"


@pytest.mark.parametrize(
    ("frame", "code", "says"),
    [
        ("this is not json", "bad_json", "not valid JSON"),
        ("[1, 2, 3]", "bad_frame", "JSON object"),
        ("null", "bad_frame", "JSON object"),
        ('{"type": "dance"}', "unknown_type", "'dance'"),
        ('{"text": "no type"}', "unknown_type", "'none'"),
        ('{"type": "message", "text": "no id"}', "bad_id", "'id'"),
        ('{"type": "message", "id": "<script>", "text": "x"}', "bad_id", "'id'"),
        ('{"type": "message", "id": "m-1"}', "invalid_message", "string"),
        ('{"type": "message", "id": "m-1", "text": "   "}', "invalid_message", "empty"),
        ('{"type": "message", "id": "m-1", "text": "' + "x" * 5000 + '"}', "invalid_message", "too long"),
    ],
    ids=["not-json", "array", "null", "unknown-type", "no-type", "no-id", "bad-id", "no-text",
         "empty", "oversized"],
)
async def test_bad_frames_get_a_clear_error_and_the_socket_goes_on(gateway, fake_engine, frame, code, says):
    ws, _ = await connect(gateway, await new_session(gateway))
    await ws.send_str(frame)
    error = (await receive_until(ws, lambda f: f["type"] == "error"))[-1]
    assert error["code"] == code
    assert says in error["message"]
    assert fake_engine.received == []
    assert replies(await say(ws, "still here?", "m-2"))[0]["text"] == "echo: still here?"


async def test_binary_frames_are_refused_and_the_socket_goes_on(gateway):
    ws, _ = await connect(gateway, await new_session(gateway))
    await ws.send_bytes(b'{"type": "message", "id": "m-1", "text": "hi"}')
    assert (await ws.receive_json())["code"] == "binary_frame"
    assert replies(await say(ws, "text works", "m-2"))


async def test_a_huge_frame_closes_that_socket_only(gateway):
    other, _ = await connect(gateway, await new_session(gateway))
    ws, _ = await connect(gateway, await new_session(gateway))
    await ws.send_str(json.dumps({"type": "message", "id": "m-1", "text": "x" * 100_000}))
    assert (await ws.receive(timeout=5)).type == WSMsgType.CLOSE
    assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    assert replies(await say(other, "unaffected", "o-1"))[0]["text"] == "echo: unaffected"


async def test_a_new_conversation_gets_a_new_token_and_a_clean_history(gateway, fake_engine):
    token = await new_session(gateway)
    ws, _ = await connect(gateway, token)
    await say(ws, "first topic", "m-1")
    await ws.send_json({"type": "new_conversation"})
    session_frame, ready = await receive_until(ws, lambda f: f["type"] == "ready")
    assert ready["history"] == []
    old, new = (gateway.app[SESSIONS].read(t) for t in (token, session_frame["token"]))
    assert new.customer_id == old.customer_id and new.conversation_id != old.conversation_id
    await say(ws, "second topic", "m-2")
    assert fake_engine.received[1]["sender"] == new.conversation_id


# --- several tabs and pushes from agents ----------------------------------------------

async def test_every_tab_of_a_conversation_sees_the_turn(gateway):
    token = await new_session(gateway)
    tab_a, _ = await connect(gateway, token)
    tab_b, _ = await connect(gateway, token)
    await say(tab_a, "from tab A", "m-1")
    seen = await receive_until(tab_b, lambda f: f["type"] == "message" and f["sender"] == "bot")
    customer = next(f for f in seen if f["sender"] == "customer")
    assert (customer["text"], customer["id"]) == ("from tab A", "m-1")
    assert seen[-1]["text"] == "echo: from tab A"


async def test_an_agent_reply_reaches_every_open_tab_and_survives_a_closed_one(gateway):
    token = await new_session(gateway)
    conversation_id = gateway.app[SESSIONS].read(token).conversation_id
    tab_a, _ = await connect(gateway, token)
    tab_b, _ = await connect(gateway, token)
    delivery = gateway.app[DELIVERY]

    await delivery.deliver(conversation_id, Reply("Hi, I'm Sam from support.", custom={"sender": "agent"}))
    for tab in (tab_a, tab_b):
        frame = await tab.receive_json(timeout=5)
        assert (frame["sender"], frame["text"]) == ("agent", "Hi, I'm Sam from support.")

    await tab_a.close()
    await delivery.deliver(conversation_id, Reply("Still there?"))
    assert (await tab_b.receive_json(timeout=5))["text"] == "Still there?"


# --- identified mode ------------------------------------------------------------------

async def test_a_valid_user_hash_attaches_the_chat_to_that_customer(identified_gateway):
    response = await identified_gateway.post(
        "/web/session", json={"user_id": "user-42", "user_hash": user_hash("user-42")}
    )
    assert response.status == 200
    body = await response.json()
    assert body["identified"] is True
    session = identified_gateway.app[SESSIONS].read(body["token"])
    store = identified_gateway.app[STORE]
    assert session.customer_id == await store.find_customer("web-user", "user-42")

    ws, ready = await connect(identified_gateway, body["token"])
    assert ready["identified"] is True
    await say(ws, "signed in on my laptop", "m-1")
    # The same user on another device carries on the same conversation.
    phone = await new_session(identified_gateway, user_id="user-42", user_hash=user_hash("user-42"))
    _, ready = await connect(identified_gateway, phone)
    assert ready["history"][0]["text"] == "signed in on my laptop"


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"user_id": "user-42", "user_hash": user_hash("user-43")}, 403, "could not verify"),
        ({"user_id": "user-42", "user_hash": user_hash("user-42", "wrong-secret")}, 403, "could not verify"),
        ({"user_id": "user-42", "user_hash": ""}, 403, "could not verify"),
        ({"user_id": "user-42"}, 403, "could not verify"),
        ({"user_hash": user_hash("")}, 400, "user id"),
        ({"user_id": "x" * 500, "user_hash": user_hash("x" * 500)}, 400, "too long"),
    ],
    ids=["other-user", "wrong-secret", "empty-hash", "no-hash", "no-id", "long-id"],
)
async def test_an_invalid_identity_is_refused_with_a_clear_message(identified_gateway, body, status, says):
    response = await identified_gateway.post("/web/session", json=body)
    assert response.status == status
    assert says in (await response.json())["error"]
    assert await identified_gateway.app[STORE].find_customer("web-user", "user-42") is None


async def test_identified_mode_is_refused_when_no_secret_is_configured(gateway):
    response = await gateway.post("/web/session", json={"user_id": "user-42", "user_hash": user_hash("user-42")})
    assert response.status == 403
    assert "not enabled" in (await response.json())["error"]


async def test_a_signed_in_token_without_the_identity_starts_an_anonymous_session(identified_gateway):
    signed_in = await new_session(identified_gateway, user_id="user-42", user_hash=user_hash("user-42"))
    after_logout = await new_session(identified_gateway, token=signed_in)
    sessions = identified_gateway.app[SESSIONS]
    assert sessions.read(after_logout).customer_id != sessions.read(signed_in).customer_id
    assert not sessions.read(after_logout).identified


# --- rate limiting and the page -------------------------------------------------------

async def test_a_chatty_session_gets_an_error_frame_and_keeps_its_socket(
    aiohttp_client, gateway_settings, fake_engine
):
    settings = dataclasses.replace(gateway_settings, rate_session_burst=2, rate_session_per_second=0.01)
    gateway = await aiohttp_client(create_app(settings))
    ws, _ = await connect(gateway, await new_session(gateway))
    await say(ws, "one", "m-1")
    await say(ws, "two", "m-2")
    await ws.send_json({"type": "message", "id": "m-3", "text": "three"})
    error = await ws.receive_json(timeout=5)
    assert error["code"] == "rate_limited" and error["id"] == "m-3"
    assert error["retry_after"] >= 1 and "too quickly" in error["message"]
    await ws.send_json({"type": "ping"})
    assert await ws.receive_json(timeout=5) == {"type": "pong"}
    assert [b["message"] for b in fake_engine.received] == ["one", "two"]

    other, _ = await connect(gateway, await new_session(gateway))  # another visitor is fine
    assert replies(await say(other, "hello", "o-1"))


async def test_the_demo_page_embeds_the_widget_with_one_script_tag(gateway):
    page = await (await gateway.get("/")).text()
    assert page.count("<script") == 1 and 'src="/static/widget.js"' in page
    script = await gateway.get("/static/widget.js")
    assert script.status == 200 and "javascript" in script.headers["Content-Type"]
    assert (await gateway.get("/static/widget.css")).status == 200
