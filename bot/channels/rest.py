"""REST channel: server-to-server integrations post a customer's message and get the replies."""

from __future__ import annotations

import hmac
import uuid

from aiohttp import web

from bot.conversations import InvalidMessage, MessageNotStored, Turn, clean_text
from bot.errors import json_error, read_json_object
from bot.state import CONVERSATIONS, SETTINGS, STORE

CHANNEL = "api"
MAX_REFERENCE_CHARS = 200
_CONVERSATION_NAMESPACE = uuid.UUID("5f1d7a3e-8c1b-4a53-9a7e-0c3f5b6a9d21")


def _bearer_key(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise json_error(401, "Send your API key as 'Authorization: Bearer <key>'.")
    return key.strip()


def _reference(body: dict, name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise json_error(400, f"'{name}' must be a non-empty string.")
    if len(value) > MAX_REFERENCE_CHARS:
        raise json_error(400, f"'{name}' is longer than {MAX_REFERENCE_CHARS} characters.")
    return value.strip()


def conversation_id_for(customer_id: str, reference: str | None) -> str:
    """A stable engine conversation id for the integration's (customer, conversation) pair."""
    name = f"{customer_id}/{reference or 'default'}"
    return f"{CHANNEL}.{uuid.uuid5(_CONVERSATION_NAMESPACE, name).hex}"


async def post_message(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if not hmac.compare_digest(_bearer_key(request).encode(), settings.api_key.encode()):
        raise json_error(401, "The API key is not valid.")
    body = await read_json_object(request)
    customer_ref = _reference(body, "customer", required=True)
    conversation_ref = _reference(body, "conversation", required=False)
    try:
        text = clean_text(body.get("text"), max_chars=settings.max_message_chars)
    except InvalidMessage as error:
        raise json_error(400, str(error)) from None

    customer_id = await request.app[STORE].identify(CHANNEL, customer_ref)
    turn = Turn(
        customer_id=customer_id,
        channel=CHANNEL,
        conversation_id=conversation_id_for(customer_id, conversation_ref),
        text=text,
    )
    try:
        replies = await request.app[CONVERSATIONS].handle(turn)
    except MessageNotStored as error:
        raise json_error(503, str(error)) from None
    return web.json_response({"replies": [reply.to_json() for reply in replies]})


def setup(app: web.Application) -> None:
    app.router.add_post("/api/v1/messages", post_message)
