"""The REST channel: authentication, bad input and faults, through the real gateway app."""

from __future__ import annotations

import pytest

from bot.app import create_app  # noqa: F401  (the gateway fixture builds it)
from bot.conversations import APOLOGY
from bot.state import STORE

AUTH = {"Authorization": "Bearer test-api-key"}


async def post(gateway, body, headers=AUTH, **kwargs):
    return await gateway.post("/api/v1/messages", json=body, headers=headers, **kwargs)


async def test_message_reaches_the_engine_and_replies_come_back(gateway, fake_engine):
    fake_engine.replies = [
        {"recipient_id": "x", "text": "Pick one", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
    ]
    response = await post(gateway, {"customer": "crm-42", "text": "hello"})
    assert response.status == 200
    assert await response.json() == {
        "replies": [{"text": "Pick one", "buttons": [{"title": "Yes", "payload": "/affirm"}]}]
    }
    sent = fake_engine.received[0]
    assert sent["message"] == "hello"
    assert sent["sender"].startswith("api.")


async def test_same_customer_reference_is_the_same_conversation(gateway, fake_engine):
    await post(gateway, {"customer": "crm-42", "text": "one"})
    await post(gateway, {"customer": "crm-42", "text": "two"})
    await post(gateway, {"customer": "crm-43", "text": "three"})
    senders = [body["sender"] for body in fake_engine.received]
    assert senders[0] == senders[1] != senders[2]


async def test_a_sender_in_the_body_is_ignored(gateway, fake_engine):
    await post(gateway, {"customer": "crm-1", "text": "hi"})
    await post(gateway, {"customer": "crm-2", "text": "hi", "sender": fake_engine.received[0]["sender"]})
    assert fake_engine.received[0]["sender"] != fake_engine.received[1]["sender"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}]
)
async def test_requests_without_the_api_key_are_refused(gateway, fake_engine, headers):
    response = await post(gateway, {"customer": "crm-42", "text": "hello"}, headers=headers)
    assert response.status == 401
    assert "API key" in (await response.json())["error"]
    assert fake_engine.received == []


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"customer": "crm-42", "text": ""}, 400, "empty"),
        ({"customer": "crm-42", "text": "   \n\t "}, 400, "empty"),
        ({"customer": "crm-42", "text": "x" * 5000}, 400, "too long"),
        ({"customer": "crm-42", "text": "x" * 100_000}, 413, "too large"),
        ({"customer": "crm-42", "text": 42}, 400, "string"),
        ({"customer": "", "text": "hi"}, 400, "customer"),
        ({"text": "hi"}, 400, "customer"),
        (["not", "an", "object"], 400, "JSON object"),
    ],
)
async def test_bad_messages_get_a_clear_4xx(gateway, fake_engine, body, status, says):
    response = await post(gateway, body)
    assert response.status == status
    assert says in (await response.json())["error"]
    assert fake_engine.received == []


async def test_invalid_json_gets_a_clear_400(gateway, fake_engine):
    response = await gateway.post(
        "/api/v1/messages", data=b'{"customer": "a", "text": ', headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["error"] == "The body is not valid JSON."


async def test_engine_down_gets_an_apology_and_the_message_is_kept(gateway, fake_engine):
    fake_engine.down = True
    response = await post(gateway, {"customer": "crm-42", "text": "is anyone there?"})
    assert response.status == 200
    assert (await response.json())["replies"] == [APOLOGY.to_json()]

    store = gateway.app[STORE]
    customer = await store.find_customer("api", "crm-42")
    interactions = await store.interactions(customer)
    transcript = await store.transcript(interactions[0].conversation_id)
    assert [(m.sender, m.text) for m in transcript] == [
        ("customer", "is anyone there?"),
        ("bot", APOLOGY.text),
    ]


async def test_an_engine_that_answers_nothing_still_gets_the_customer_a_reply(gateway, fake_engine):
    fake_engine.replies = []  # what rasa returns when the action server is down
    response = await post(gateway, {"customer": "crm-42", "text": "hi"})
    assert (await response.json())["replies"] == [APOLOGY.to_json()]


async def test_action_server_down_gets_an_apology_not_a_misleading_fallback(gateway, fake_engine):
    fake_engine.actions_down = True
    response = await post(gateway, {"customer": "crm-42", "text": "hello"})
    assert (await response.json())["replies"] == [APOLOGY.to_json()]
    assert fake_engine.received == []


async def test_after_erasure_the_same_customer_reference_starts_afresh(gateway, fake_engine):
    await post(gateway, {"customer": "crm-42", "text": "hello"})
    store = gateway.app[STORE]
    erased = await store.find_customer("api", "crm-42")
    await store.erase(erased, actor="customer", reason="forget me")

    response = await post(gateway, {"customer": "crm-42", "text": "hello again"})
    assert response.status == 200
    fresh = await store.find_customer("api", "crm-42")
    assert fresh != erased
    assert (await store.profile(fresh)).facts == {}
