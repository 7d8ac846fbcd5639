"""The REST channel: authentication, bad input and faults, through the real gateway app."""

from __future__ import annotations

import asyncio

import pytest
import yaml

from bot.app import create_app  # noqa: F401  (the gateway fixture builds it)
from bot.channels.rest import OPENAPI_PATH
from bot.conversations import APOLOGY
from bot.channels.rest.integrations import Integrations
from bot.state import CONVERSATIONS, ENGINE, STORE
from memory import errors

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

    await gateway.app[CONVERSATIONS].settled()  # the replies are stored after they are sent
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


# Idempotency-Key: a retried request is answered once


def keyed(key: str, auth: dict[str, str] = AUTH) -> dict[str, str]:
    return {**auth, "Idempotency-Key": key}


async def test_a_retry_with_the_same_key_gets_the_first_response_and_is_not_processed_again(
    gateway, fake_engine
):
    body = {"customer": "crm-42", "text": "hello"}
    first = await post(gateway, body, headers=keyed("order-1"))
    assert first.status == 200 and "Idempotent-Replayed" not in first.headers
    fake_engine.replies = [{"recipient_id": "x", "text": "a different answer"}]
    retry = await post(gateway, body, headers=keyed("order-1"))
    assert retry.status == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    expected = {"replies": [{"text": "echo: hello", "buttons": []}]}
    assert await retry.json() == await first.json() == expected
    assert len(fake_engine.received) == 1

    store = gateway.app[STORE]
    customer = await store.find_customer("api", "crm-42")
    [interaction] = await store.interactions(customer)
    transcript = await store.transcript(interaction.conversation_id)
    assert [(m.sender, m.text) for m in transcript] == [
        ("customer", "hello"), ("bot", "echo: hello"),
    ]

    fresh = await post(gateway, body, headers=keyed("order-2"))  # a new key is a new message
    assert (await fresh.json())["replies"][0]["text"] == "a different answer"
    assert len(fake_engine.received) == 2


async def test_concurrent_duplicates_never_both_reach_the_engine(gateway, fake_engine):
    engine = gateway.app[ENGINE]
    send, entered, release = engine.send, asyncio.Event(), asyncio.Event()

    async def slow_send(*args, **kwargs):
        entered.set()
        await release.wait()
        return await send(*args, **kwargs)

    engine.send = slow_send
    body = {"customer": "crm-42", "text": "pay my bill"}
    first = asyncio.create_task(post(gateway, body, headers=keyed("pay-1")))
    await entered.wait()
    duplicate = await post(gateway, body, headers=keyed("pay-1"))
    assert duplicate.status == 409
    assert duplicate.headers["Retry-After"] == "1"
    assert "still being processed" in (await duplicate.json())["error"]
    release.set()
    assert (await first).status == 200
    retry = await post(gateway, body, headers=keyed("pay-1"))
    assert (await retry.json())["replies"] == [{"text": "echo: pay my bill", "buttons": []}]
    assert len(fake_engine.received) == 1


async def test_a_key_reused_for_another_message_is_refused(gateway, fake_engine):
    await post(gateway, {"customer": "crm-42", "text": "hello"}, headers=keyed("k-1"))
    for changed in ({"customer": "crm-42", "text": "bye"}, {"customer": "crm-43", "text": "hello"},
                    {"customer": "crm-42", "conversation": "other", "text": "hello"}):
        response = await post(gateway, changed, headers=keyed("k-1"))
        assert response.status == 422
        assert "different message" in (await response.json())["error"]
    assert len(fake_engine.received) == 1


async def test_keys_are_per_integration(gateway, fake_engine):
    crm = await Integrations(gateway.app[STORE]).create("crm", actor="test")
    body = {"customer": "crm-42", "text": "hello"}
    await post(gateway, body, headers=keyed("k-1"))
    other = await post(gateway, body, headers=keyed("k-1", {"Authorization": f"Bearer {crm}"}))
    assert other.status == 200 and "Idempotent-Replayed" not in other.headers
    assert len(fake_engine.received) == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "caf\u00e9", "tab\there"])
async def test_a_malformed_idempotency_key_gets_a_clear_400(gateway, fake_engine, key):
    response = await post(gateway, {"customer": "crm-42", "text": "hi"}, headers=keyed(key))
    assert response.status == 400
    assert "Idempotency-Key" in (await response.json())["error"]
    assert fake_engine.received == []


async def test_a_message_that_could_not_be_stored_can_be_retried_with_its_key(
    gateway, fake_engine, monkeypatch
):
    store = gateway.app[STORE]
    record = store.record_message
    failures = iter([errors.StoreUnavailable("busy")])

    async def flaky_record(*args, **kwargs):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return await record(*args, **kwargs)

    monkeypatch.setattr(store, "record_message", flaky_record)
    body = {"customer": "crm-42", "text": "hello"}
    failed = await post(gateway, body, headers=keyed("k-1"))
    assert failed.status == 503
    assert fake_engine.received == []
    retry = await post(gateway, body, headers=keyed("k-1"))
    assert retry.status == 200 and "Idempotent-Replayed" not in retry.headers
    assert (await retry.json())["replies"] == [{"text": "echo: hello", "buttons": []}]
    assert len(fake_engine.received) == 1


async def test_the_engine_never_sees_a_message_already_stored_under_its_id(gateway, fake_engine):
    """A claim taken over after its gateway died: the message is stored, so its replies come
    from the transcript instead of a second trip to the engine."""
    from bot.conversations import Turn
    from bot.state import CONVERSATIONS

    customer = await gateway.app[STORE].identify("api", "crm-42")
    turn = Turn(customer, "api", "api.retried", "hello", message_id="idem-1")
    first = await gateway.app[CONVERSATIONS].handle(turn)
    again = await gateway.app[CONVERSATIONS].handle(turn)
    assert again == first and [r.text for r in again] == ["echo: hello"]
    assert len(fake_engine.received) == 1


# The OpenAPI document


async def test_the_openapi_document_is_served_and_describes_the_api(gateway):
    response = await gateway.get("/api/v1/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.")
    assert document == yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    as_yaml = await gateway.get("/api/v1/openapi.yaml")
    assert as_yaml.content_type == "application/yaml"
    assert yaml.safe_load(await as_yaml.text()) == document

    served = {
        (route.method.lower(), route.resource.canonical)
        for route in gateway.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith("/api/")
        and route.method != "HEAD"
    }
    documented = {
        (method, path) for path, item in document["paths"].items() for method in item
    }
    assert served == documented

    post_message = document["paths"]["/api/v1/messages"]["post"]
    headers = {p["name"] for p in post_message["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    assert {"200", "401", "409", "422", "503"} <= set(post_message["responses"])
    assert "Idempotent-Replayed" in post_message["responses"]["200"]["headers"]
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    request_schema = document["components"]["schemas"]["MessageRequest"]
    assert {"customer", "text"} <= set(request_schema["required"])


async def test_every_reference_in_the_openapi_document_resolves(gateway):
    document = await (await gateway.get("/api/v1/openapi.json")).json()

    def references(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from references(value)
        elif isinstance(node, list):
            for item in node:
                yield from references(item)

    for reference in references(document):
        target = document
        for part in reference.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict), reference


async def test_replies_are_sent_before_they_are_stored_and_the_transcript_keeps_its_order(
    gateway, fake_engine, monkeypatch
):
    """The customer does not wait for the bot's replies to be written; the conversation's
    next message waits for that write, so the transcript stays in the order things were said."""
    store = gateway.app[STORE]
    record_messages = store.record_messages
    release = asyncio.Event()

    async def slow_record_messages(conversation_id, messages):
        if messages[0].sender == "bot":
            await release.wait()
        return await record_messages(conversation_id, messages)

    monkeypatch.setattr(store, "record_messages", slow_record_messages)
    try:
        first = await post(gateway, {"customer": "crm-42", "text": "one"})
        assert (await first.json())["replies"] == [{"text": "echo: one", "buttons": []}]  # not held up

        second = asyncio.ensure_future(post(gateway, {"customer": "crm-42", "text": "two"}))
        await asyncio.sleep(0.2)
        assert not second.done()
        assert len(fake_engine.received) == 1  # the second waits for the first turn's write
    finally:
        release.set()
    assert (await (await second).json())["replies"] == [{"text": "echo: two", "buttons": []}]

    await gateway.app[CONVERSATIONS].settled()
    customer = await store.find_customer("api", "crm-42")
    [interaction] = await store.interactions(customer)
    transcript = await store.transcript(interaction.conversation_id)
    assert [(m.sender, m.text) for m in transcript] == [
        ("customer", "one"), ("bot", "echo: one"), ("customer", "two"), ("bot", "echo: two"),
    ]
