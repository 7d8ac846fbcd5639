"""Issue 14 item 5 on the REST API: a per-customer limit, and overload shed with 503."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.app import create_app
from bot.state import CONVERSATIONS, ENGINE

AUTH = {"Authorization": "Bearer test-api-key"}


async def test_one_customer_is_limited_while_others_of_the_integration_go_on(
    aiohttp_client, gateway_settings, fake_engine
):
    settings = dataclasses.replace(gateway_settings, rate_session_burst=2, rate_session_per_second=0.001)
    gateway = await aiohttp_client(create_app(settings))
    statuses = []
    for _ in range(3):
        response = await gateway.post("/api/v1/messages", json={"customer": "crm-1", "text": "hi"},
                                      headers=AUTH)
        statuses.append(response.status)
    assert statuses == [200, 200, 429]
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many messages for this customer" in (await response.json())["error"]
    other = await gateway.post("/api/v1/messages", json={"customer": "crm-2", "text": "hi"}, headers=AUTH)
    assert other.status == 200
    assert len(fake_engine.received) == 3  # the refused message never reached the engine


async def test_past_the_turns_it_can_take_the_gateway_sheds_with_503_and_retry_after(
    aiohttp_client, gateway_settings, fake_engine
):
    settings = dataclasses.replace(gateway_settings, max_turns_in_flight=2)
    gateway = await aiohttp_client(create_app(settings))
    release = asyncio.Event()
    engine, conversations = gateway.app[ENGINE], gateway.app[CONVERSATIONS]
    answer = engine.send

    async def slow_send(*args, **kwargs):
        await release.wait()
        return await answer(*args, **kwargs)

    engine.send = slow_send  # the engine is slow: two turns wait on it
    held = [asyncio.create_task(gateway.post(
        "/api/v1/messages", json={"customer": f"crm-{i}", "text": "hello"}, headers=AUTH))
        for i in range(2)]
    async with asyncio.timeout(5):
        while conversations.in_flight < 2:
            await asyncio.sleep(0.01)
    shed = await gateway.post("/api/v1/messages", json={"customer": "crm-9", "text": "hello"}, headers=AUTH)
    assert shed.status == 503 and shed.headers["Retry-After"] == "5"
    assert "very busy" in (await shed.json())["error"]
    release.set()
    assert [r.status for r in await asyncio.gather(*held)] == [200, 200]
    again = await gateway.post("/api/v1/messages", json={"customer": "crm-9", "text": "hello"}, headers=AUTH)
    assert again.status == 200  # it recovers by itself


async def test_text_or_a_customer_the_store_cannot_hold_is_a_clear_400_not_a_503(gateway, fake_engine):
    """Found by schemathesis: a NUL passed the checks, the store refused it, and the caller
    was told to retry (503) a message that could never be saved."""
    for body in ({"customer": "crm-1", "text": "hi\x00there"}, {"customer": "crm\x00-1", "text": "hi"}):
        response = await gateway.post("/api/v1/messages", json=body, headers=AUTH)
        assert response.status == 400, await response.text()
        assert "NUL" in (await response.json())["error"]
    assert fake_engine.received == []
