"""The console's live socket ends with the session: signing out closes it at once, and an
account disabled elsewhere (the admin command line, another gateway) stops receiving within
seconds, even while customers keep the socket busy."""

from __future__ import annotations

import asyncio
import json

from aiohttp import WSMsgType

from bot.accounts import AUTH
from bot.console.live import RECHECK_SECONDS, SIGNED_OUT


async def closed_code(ws, timeout: float) -> int | None:
    """Read events until the socket closes; its close code (None if still open)."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                frame = await ws.receive()
                if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                    return ws.close_code
    except TimeoutError:
        return None


async def test_signing_out_closes_the_live_socket_at_once(staff):
    ann = await staff.sign_in("ann")
    live = await ann.client.ws_connect("/console/ws")
    await live.send_json({"type": "ping"})
    assert json.loads((await live.receive()).data) == {"type": "pong"}

    response = await ann.post("/staff/logout", allow_redirects=False)
    assert response.status == 303
    assert await closed_code(live, timeout=1.0) == SIGNED_OUT


async def test_a_disabled_agent_stops_receiving_under_steady_traffic(staff):
    ann = await staff.sign_in("ann")
    bob = await staff.sign_in("bob")
    ann_live = await ann.client.ws_connect("/console/ws")
    bob_live = await bob.client.ws_connect("/console/ws")

    async def traffic() -> None:  # customers queueing all the time: the socket is never idle
        while True:
            customer = await staff.customer()
            await customer.say("I want a human please")
            await asyncio.sleep(0.2)

    busy = asyncio.create_task(traffic())
    try:
        first = json.loads((await ann_live.receive(timeout=5)).data)
        assert first["type"] == "handoff"  # Ann was receiving
        await staff.app[AUTH].set_disabled("ann", True)
        assert await closed_code(ann_live, timeout=RECHECK_SECONDS + 3) == SIGNED_OUT
        # Bob, still allowed, keeps receiving.
        assert json.loads((await bob_live.receive(timeout=5)).data)["type"] == "handoff"
        assert not bob_live.closed
    finally:
        busy.cancel()
        await asyncio.gather(busy, return_exceptions=True)
        await bob_live.close()


async def test_a_signed_out_session_cannot_open_the_socket_again(staff):
    ann = await staff.sign_in("ann")
    await ann.post("/staff/logout", allow_redirects=False)
    response = await ann.client.get("/console/ws", headers={"Accept": "application/json"})
    assert response.status == 401
