"""Web chat channel: issues signed sessions, serves the widget and its demo page, wires the socket.

The embeddable widget (/static/widget.js, joined from static/widget/*.js by widget.py) asks
POST /web/session for a signed token, then talks over /web/ws. The token names the customer
and the conversation; nothing the browser sends can choose either. Protocol, one JSON object
per frame:

  client: {"type": "hello", "token"}            first frame, within socket.HELLO_TIMEOUT
          {"type": "message", "id", "text", "title"?}   id is the idempotency key
          {"type": "new_conversation"} | {"type": "ping"}
  server: {"type": "ready", "history"}  {"type": "session", "token"}  {"type": "ack", "id"}
          {"type": "message", "sender", "text", "buttons", "created_at", ...}
          {"type": "typing", "on"}  {"type": "error", "code", "message", "id"?}  {"type": "pong"}
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from memory import errors

from bot import ratelimit
from bot.channels.web.sessions import Session, SessionRefused, Sessions
from bot.channels.web import widget
from bot.channels.web.hub import HUB, Hub
from bot.channels.web.socket import CHANNEL, SESSIONS, chat_socket
from bot.conversations import new_conversation_id
from bot.errors import json_error, read_json_object
from bot.linking import INVALID, LINKER, LinkDenied
from bot.state import DELIVERY, SETTINGS, STORE

logger = logging.getLogger(__name__)

USER_CHANNEL = "web-user"  # identities vouched for by the host site's HMAC
STATIC_DIR = Path(__file__).resolve().parent / "static"
CORS = {"Access-Control-Allow-Origin": "*"}


async def start_session(request: web.Request) -> web.Response:
    """Issue (or renew) a session: anonymous, or identified by the host site's HMAC."""
    try:
        return await _start_session(request)
    except web.HTTPException as error:
        error.headers.update(CORS)  # the widget on another site must read the reason
        raise


async def _start_session(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    sessions, store = request.app[SESSIONS], request.app[STORE]
    wants_identity = body.get("user_id") is not None or body.get("user_hash") is not None
    wants_link = body.get("link") is not None  # a "continue on the web" link (bot.linking)
    try:
        try:
            previous = sessions.read(body["token"]) if body.get("token") is not None else None
        except SessionRefused:
            if not (wants_identity or wants_link):
                raise
            previous = None  # a vouched-for user simply gets a fresh session
        if wants_identity:
            user_id = sessions.verify_identity(body.get("user_id"), body.get("user_hash"))
            session = await _identified_session(store, await store.identify(USER_CHANNEL, user_id), previous)
        elif wants_link:
            session = await _linked_session(request.app, body["link"])
        elif previous is not None and not previous.identified:
            session = previous
        else:
            # A new visitor, or a signed-in user's tab after logging out: never carry on
            # someone's signed-in conversation without the host site vouching for them.
            # Each one writes a customer row, so their number per IP has its own limit.
            decision = await request.app[ratelimit.LIMITS].check_new_visitor(ratelimit.client_ip(request))
            if not decision.allowed:
                raise ratelimit.too_many_requests(decision)
            customer_id = await store.identify(CHANNEL, new_conversation_id("visitor"))
            session = Session(customer_id, new_conversation_id(CHANNEL))
    except SessionRefused as refused:
        raise json_error(refused.status, str(refused)) from None
    except errors.ProfileStoreError as error:
        logger.error("could not start a web session: %s", type(error).__name__)
        raise json_error(503, "The chat is unavailable right now. Please try again shortly.") from None
    return web.json_response(
        {"token": sessions.issue(session), "identified": session.identified}, headers=CORS
    )


async def _identified_session(store, customer_id: str, previous: Session | None) -> Session:
    """Carry on this tab's conversation, else the user's latest open web chat on any device."""
    if previous is not None and previous.customer_id == customer_id:
        return Session(customer_id, previous.conversation_id, identified=True)
    for interaction in await store.interactions(customer_id):
        if interaction.channel == CHANNEL and interaction.ended_at is None:
            return Session(customer_id, interaction.conversation_id, identified=True)
    return Session(customer_id, new_conversation_id(CHANNEL), identified=True)


async def _linked_session(app: web.Application, token: object) -> Session:
    """A session for the customer a "continue on the web" `link` token names (bot.linking)."""
    linker = app.get(LINKER)
    if linker is None:
        raise SessionRefused(403, INVALID)
    try:
        customer_id = await linker.web_customer(token)
    except LinkDenied as denied:
        status = 503 if denied.code == "link_unavailable" else 403
        raise SessionRefused(status, str(denied)) from None
    return Session(customer_id, new_conversation_id(CHANNEL))


async def session_preflight(_: web.Request) -> web.Response:
    return web.Response(status=204, headers={
        **CORS, "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "86400",
    })


async def demo_page(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


async def _close_sockets(app: web.Application) -> None:
    await app[HUB].close_all()


def setup(app: web.Application) -> None:
    settings = app[SETTINGS]
    app[SESSIONS] = Sessions(settings.signing_key, settings.web_identity_secret,
                             settings.web_session_max_age)
    app[HUB] = Hub(settings.web_max_sockets, settings.web_max_sockets_per_ip)
    app[DELIVERY].register(CHANNEL, app[HUB].push)
    app.on_shutdown.append(_close_sockets)
    app.router.add_get("/", demo_page)
    app.router.add_post("/web/session", start_session)
    app.router.add_route("OPTIONS", "/web/session", session_preflight)
    app.router.add_get("/web/ws", chat_socket)
    widget.setup(app, STATIC_DIR / "widget")  # /static/widget.js, before the other files
    app.router.add_static("/static/", STATIC_DIR)
