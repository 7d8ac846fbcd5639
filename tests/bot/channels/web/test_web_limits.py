"""Issue 14 item 5 on the web channel: sockets are capped, new visitors are limited per IP,
and a new conversation does not refill the session's rate limit."""

from __future__ import annotations

import asyncio
import dataclasses

from aiohttp import WSMsgType

from bot.app import create_app
from bot.channels.web.hub import CLOSE_BUSY, CLOSE_TOO_MANY_FROM_IP, HUB
from tests.bot.channels.web.test_web import connect, new_session, say


async def _gateway(aiohttp_client, gateway_settings, **changes):
    return await aiohttp_client(create_app(dataclasses.replace(gateway_settings, **changes)))


async def _refused(gateway) -> tuple[dict, int]:
    ws = await gateway.ws_connect("/web/ws")
    frame = await ws.receive_json(timeout=5)
    closing = await ws.receive(timeout=5)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    return frame, ws.close_code


async def test_one_address_cannot_hold_more_sockets_than_its_cap(aiohttp_client, gateway_settings):
    gateway = await _gateway(aiohttp_client, gateway_settings, web_max_sockets_per_ip=3)
    held = [await gateway.ws_connect("/web/ws") for _ in range(3)]  # not even a hello yet
    frame, code = await _refused(gateway)
    assert code == CLOSE_TOO_MANY_FROM_IP
    assert frame["code"] == "too_many_sockets" and "Too many chat windows" in frame["message"]
    assert frame["retry_after"] >= 1
    await held[0].close()
    for _ in range(50):  # the freed place is given back
        if gateway.app[HUB].open_sockets < 3:
            break
        await asyncio.sleep(0.02)
    ws, ready = await connect(gateway, await new_session(gateway))
    assert ready["type"] == "ready"


async def test_the_gateway_caps_sockets_in_all(aiohttp_client, gateway_settings):
    gateway = await _gateway(aiohttp_client, gateway_settings, web_max_sockets=2)
    ws, _ = await connect(gateway, await new_session(gateway))
    await gateway.ws_connect("/web/ws")
    frame, code = await _refused(gateway)
    assert code == CLOSE_BUSY and frame["code"] == "busy" and "busy" in frame["message"]
    await say(ws, "still here", "m-1")  # the sockets already open keep working


async def test_new_visitors_per_address_are_limited_but_a_visitor_renews_freely(
    aiohttp_client, gateway_settings
):
    gateway = await _gateway(aiohttp_client, gateway_settings, rate_new_visitor_burst=3,
                             rate_new_visitor_per_second=0.001)
    tokens = [await new_session(gateway) for _ in range(3)]
    response = await gateway.post("/web/session", json={})
    assert response.status == 429 and int(response.headers["Retry-After"]) >= 1
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Too many requests" in (await response.json())["error"]
    # Renewing an existing session makes no customer, so it is not counted.
    assert (await gateway.post("/web/session", json={"token": tokens[0]})).status == 200


async def test_a_new_conversation_does_not_refill_the_session_limit(
    aiohttp_client, gateway_settings, fake_engine
):
    gateway = await _gateway(aiohttp_client, gateway_settings, rate_session_burst=3,
                             rate_session_per_second=0.001)
    ws, _ = await connect(gateway, await new_session(gateway))
    await say(ws, "one", "m-1")
    await say(ws, "two", "m-2")
    await ws.send_json({"type": "new_conversation"})  # the third frame of three allowed
    assert (await ws.receive_json(timeout=5))["type"] == "session"
    assert (await ws.receive_json(timeout=5))["type"] == "ready"
    await ws.send_json({"type": "message", "id": "m-3", "text": "three"})
    frame = await ws.receive_json(timeout=5)
    assert frame["type"] == "error" and frame["code"] == "rate_limited" and frame["id"] == "m-3"
    assert [b["message"] for b in fake_engine.received] == ["one", "two"]
