"""The console's WebSocket: queue changes for everyone, and one watched conversation's events.

Client frames: {"type": "watch", "handoff_id": N} (this tab follows one conversation instead
of the queue) | {"type": "unwatch"} | {"type": "ping"}.
Server frames: the broker's events ({"type": "handoff" | "message" | "note" | "profile" |
"suggestion"}),
{"type": "resync"} when the screen fell behind and must reload, {"type": "pong"}.
The session is re-checked before a push when the last check is over RECHECK_SECONDS old, and
every RECHECK_SECONDS while idle, so a disabled or signed-out account stops receiving within
seconds even under steady traffic; signing out in this gateway closes its sockets at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import WSMsgType, web

from bot.accounts import AGENT, AUTH, require_role
from bot.accounts.guard import SESSION_COOKIE, same_origin, session_of
from bot.errors import json_error
from bot.handoff import BROKER, HANDOFFS
from bot.handoff.pubsub import QUEUE_TOPIC, Subscription, conversation_topic

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
RECHECK_SECONDS = 2.0
MAX_FRAME_BYTES = 4096
RESYNC = json.dumps({"type": "resync"})
SIGNED_OUT = 4401
# Each session's open console sockets, so that signing out closes them.
LIVE_SOCKETS = web.AppKey("console_sockets", dict[str, set[web.WebSocketResponse]])


async def _still_allowed(request: web.Request) -> bool:
    session = await request.app[AUTH].resolve(request.cookies.get(SESSION_COOKIE))
    return session is not None and session.member.has_role(AGENT)


async def _send_events(ws: web.WebSocketResponse, subscription: Subscription, request: web.Request) -> None:
    loop = asyncio.get_running_loop()
    checked = loop.time()
    while not ws.closed:
        try:
            encoded = await asyncio.wait_for(subscription.get_encoded(), RECHECK_SECONDS)
        except asyncio.TimeoutError:
            encoded = None
        if loop.time() - checked >= RECHECK_SECONDS:
            if not await _still_allowed(request):
                await ws.close(code=SIGNED_OUT, message=b"signed out")
                return
            checked = loop.time()
        if encoded is None:
            continue
        if subscription.overflowed:
            subscription.overflowed = False
            encoded = RESYNC
        await ws.send_str(encoded)


async def _watch(request: web.Request, subscription: Subscription, data: dict, watching: list[str]) -> None:
    handoff_id = data.get("handoff_id")
    if not isinstance(handoff_id, int) or isinstance(handoff_id, bool):
        return
    handoff = await request.app[HANDOFFS].store.get(handoff_id)
    if handoff is None:
        return
    for topic in watching:
        await subscription.remove(topic)
    # A conversation tab needs only its conversation (its handoff's changes are published
    # there too), so queue traffic is not fanned out to every open tab.
    await subscription.remove(QUEUE_TOPIC)
    watching[:] = [conversation_topic(handoff.conversation_id)]
    await subscription.add(watching[0])


@require_role(AGENT)
async def console_socket(request: web.Request) -> web.WebSocketResponse:
    if not same_origin(request):
        raise json_error(403, "Cross-site WebSockets are not allowed.")
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME_BYTES)
    await ws.prepare(request)
    session_key = session_of(request).token_hash
    request.app[LIVE_SOCKETS].setdefault(session_key, set()).add(ws)
    subscription = await request.app[BROKER].subscribe(QUEUE_TOPIC)
    sender = asyncio.create_task(_send_events(ws, subscription, request))
    watching: list[str] = []
    try:
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            try:
                data = json.loads(frame.data)
            except ValueError:
                continue
            if not isinstance(data, dict):
                continue
            if data.get("type") == "watch":
                await _watch(request, subscription, data, watching)
                await ws.send_json({"type": "watching", "handoff_id": data.get("handoff_id")})
            elif data.get("type") == "unwatch":
                for topic in watching:
                    await subscription.remove(topic)
                watching.clear()
                await subscription.add(QUEUE_TOPIC)  # back to following the queue
            elif data.get("type") == "ping":
                await ws.send_json({"type": "pong"})
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
            await sender
        await subscription.close()
        sockets = request.app[LIVE_SOCKETS].get(session_key, set())
        sockets.discard(ws)
        if not sockets:
            request.app[LIVE_SOCKETS].pop(session_key, None)
    return ws


async def _sign_out_ctx(app: web.Application) -> AsyncIterator[None]:
    async def close_sockets(session_key: str) -> None:
        for ws in list(app[LIVE_SOCKETS].pop(session_key, ())):
            await ws.close(code=SIGNED_OUT, message=b"signed out")

    app[AUTH].on_sign_out(close_sockets)
    yield


def setup(app: web.Application) -> None:
    """Close a session's console sockets as soon as it signs out (call after bot.accounts,
    whose context makes the AUTH this one listens to)."""
    app[LIVE_SOCKETS] = {}
    app.cleanup_ctx.append(_sign_out_ctx)
