"""Web chat channel: server-signed visitor sessions and the chat page served by the gateway."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from itsdangerous import BadSignature, URLSafeSerializer

from bot.conversations import InvalidMessage, MessageNotStored, Turn, clean_text, new_conversation_id
from bot.errors import json_error, read_json_object
from bot.state import CONVERSATIONS, SETTINGS, STORE

CHANNEL = "web"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
_SALT = "rapport.web.session"


def _serializer(request: web.Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app[SETTINGS].signing_key, salt=_SALT)


def _session(request: web.Request, body: dict) -> dict[str, str]:
    """The verified session from the signed token; the client never chooses who it is."""
    token = body.get("session")
    if not isinstance(token, str) or not token:
        raise json_error(401, "Start a chat session first (POST /web/session).")
    try:
        session = _serializer(request).loads(token)
    except BadSignature:
        raise json_error(401, "This chat session is not valid. Please reload the page.") from None
    return session


async def start_session(request: web.Request) -> web.Response:
    """A new anonymous visitor with a fresh conversation."""
    visitor = new_conversation_id("visitor")
    customer_id = await request.app[STORE].identify(CHANNEL, visitor)
    session = {"customer": customer_id, "conversation": new_conversation_id(CHANNEL)}
    return web.json_response({"session": _serializer(request).dumps(session)})


async def post_message(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    session = _session(request, body)
    try:
        text = clean_text(body.get("text"), max_chars=request.app[SETTINGS].max_message_chars)
    except InvalidMessage as error:
        raise json_error(400, str(error)) from None
    turn = Turn(
        customer_id=session["customer"],
        channel=CHANNEL,
        conversation_id=session["conversation"],
        text=text,
    )
    try:
        replies = await request.app[CONVERSATIONS].handle(turn)
    except MessageNotStored as error:
        raise json_error(503, str(error)) from None
    return web.json_response({"replies": [reply.to_json() for reply in replies]})


async def chat_page(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "chat.html")


def setup(app: web.Application) -> None:
    app.router.add_get("/", chat_page)
    app.router.add_post("/web/session", start_session)
    app.router.add_post("/web/messages", post_message)
    app.router.add_static("/static/", STATIC_DIR)
