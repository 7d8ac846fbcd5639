"""REST channel: server-to-server integrations post a customer's message and get the replies.

Each integration authenticates with its own API key (`integrations.py`; keys are made and
revoked with `python -m bot.channels.rest`) and names its own customer reference, trusted
because the key is; a `sender` in the body is ignored. A retried
request carrying the same `Idempotency-Key` is answered with the first response and never
reaches the engine twice, whichever gateway gets it: the key is claimed in the profile
store before the turn runs. The OpenAPI document is served at /api/v1/openapi.{json,yaml}.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import unicodedata
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from memory import errors
from memory.api.channels import DONE, PENDING

from bot import ratelimit
from bot.conversations import InvalidMessage, MessageNotStored, Turn, clean_text
from bot.errors import json_error, read_json_object
from bot.channels.rest.integrations import Integration, Integrations
from bot.state import CONVERSATIONS, SETTINGS, STORE

logger = logging.getLogger(__name__)

CHANNEL = "api"
MAX_REFERENCE_CHARS = 200
MAX_IDEMPOTENCY_KEY_CHARS = 200
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Keys are remembered for a day (as Stripe does); a claim whose gateway died is taken over
# after the lease, and the message's own id then keeps the engine from seeing it twice.
IDEMPOTENCY_KEEP_FOR = timedelta(hours=24)
PURGE_EVERY_SECONDS = 3600
OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.yml"
_CONVERSATION_NAMESPACE = uuid.UUID("5f1d7a3e-8c1b-4a53-9a7e-0c3f5b6a9d21")

INTEGRATIONS = web.AppKey("integrations", Integrations)
OPENAPI = web.AppKey("openapi", dict)
OPENAPI_TEXT = web.AppKey("openapi_text", str)


def _bearer_key(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise json_error(401, "Send your API key as 'Authorization: Bearer <key>'.")
    return key.strip()


async def _integration(request: web.Request) -> Integration:
    key = _bearer_key(request)
    try:
        integration = await request.app[INTEGRATIONS].authenticate(key)
    except errors.ProfileStoreError as error:
        logger.error("could not check an API key: %s", type(error).__name__)
        raise json_error(503, "The API is unavailable right now. Please retry shortly.") from None
    if integration is None:
        raise json_error(401, "The API key is not valid.")
    return integration


def _reference(body: dict, name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise json_error(400, f"'{name}' must be a non-empty string.")
    if len(value) > MAX_REFERENCE_CHARS:
        raise json_error(400, f"'{name}' is longer than {MAX_REFERENCE_CHARS} characters.")
    if "\x00" in value or any(unicodedata.category(ch) == "Cs" for ch in value):
        # The profile store refuses these, so a retry would never work (found by fuzzing).
        raise json_error(400, f"'{name}' must be valid UTF-8 text without NUL characters.")
    return value.strip()


def _idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_CHARS or not (key.isascii() and key.isprintable()):
        raise json_error(400, f"'{IDEMPOTENCY_HEADER}' must be 1-{MAX_IDEMPOTENCY_KEY_CHARS} "
                              "printable ASCII characters.")
    return key


def conversation_id_for(customer_id: str, reference: str | None) -> str:
    """A stable engine conversation id for the integration's (customer, conversation) pair."""
    name = f"{customer_id}/{reference or 'default'}"
    return f"{CHANNEL}.{uuid.uuid5(_CONVERSATION_NAMESPACE, name).hex}"


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


async def _answer(request: web.Request, turn: Turn) -> dict[str, Any]:
    try:
        replies = await request.app[CONVERSATIONS].handle(turn)
    except MessageNotStored as error:
        refused = json_error(503, str(error))
        if error.retry_after:
            refused.headers["Retry-After"] = str(error.retry_after)
        raise refused from None
    return {"replies": [reply.to_json() for reply in replies]}


async def _answer_once(request: web.Request, integration: Integration, key: str, turn: Turn,
                       fingerprint: str) -> web.Response:
    """Answer a request that carries an idempotency key: at most once per key."""
    store, settings = request.app[STORE], request.app[SETTINGS]
    try:
        claim = await store.claim_request(
            integration.scope, key, fingerprint=fingerprint, customer_id=turn.customer_id,
            conversation_id=turn.conversation_id,
            lease=timedelta(seconds=2 * settings.engine_timeout), keep_for=IDEMPOTENCY_KEEP_FOR,
        )
    except errors.RequestMismatch:
        raise json_error(
            422, f"This {IDEMPOTENCY_HEADER} was already used for a different message. "
            "Use a new key for each new message."
        ) from None
    except errors.ProfileStoreError as error:
        logger.error("could not claim an idempotency key: %s", type(error).__name__)
        raise json_error(
            503, "The message could not be saved. Please retry with the same key."
        ) from None
    if claim.state == DONE:
        return web.json_response(claim.response, headers={REPLAYED_HEADER: "true"})
    if claim.state == PENDING:
        error = json_error(
            409, f"A request with this {IDEMPOTENCY_HEADER} is still being processed. "
            "Retry shortly to get its response."
        )
        error.headers["Retry-After"] = "1"
        raise error

    # The message id ties the stored message to this claim of the key, so a takeover after
    # a crash finds it already stored and does not ask the engine again.
    message_id = "idem-" + _digest(key, claim.created_at.isoformat())[:32]
    try:
        body = await _answer(request, dataclasses.replace(turn, message_id=message_id))
    except BaseException:
        await _release(store, integration.scope, key)
        raise
    try:
        await store.complete_request(integration.scope, key, body)
    except errors.ProfileStoreError as error:
        # The message is stored under its id: a retry finds it and gets these replies back.
        logger.error("could not keep an idempotent response: %s", type(error).__name__)
        await _release(store, integration.scope, key)
    return web.json_response(body)


async def _release(store, scope: str, key: str) -> None:
    try:
        await store.release_request(scope, key)
    except errors.ProfileStoreError as error:
        logger.error("could not release an idempotency key: %s", type(error).__name__)


async def post_message(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    integration = await _integration(request)
    body = await read_json_object(request)
    customer_ref = _reference(body, "customer", required=True)
    conversation_ref = _reference(body, "conversation", required=False)
    try:
        text = clean_text(body.get("text"), max_chars=settings.max_message_chars)
    except InvalidMessage as error:
        raise json_error(400, str(error)) from None
    key = _idempotency_key(request)
    # Per customer, before anything is written: one integration's server is one IP, so
    # the IP limit cannot tell a flood about one customer from a busy integration.
    decision = await request.app[ratelimit.LIMITS].check_customer(
        integration.identity_channel, customer_ref
    )
    if not decision.allowed:
        seconds = decision.retry_after_seconds
        raise ratelimit.refusal(
            429, f"Too many messages for this customer. Please wait {seconds} s and try again.", seconds
        )

    try:
        customer_id = await request.app[STORE].identify(integration.identity_channel, customer_ref)
    except errors.ProfileStoreError as error:
        logger.error("could not identify an API customer: %s", type(error).__name__)
        raise json_error(503, "The message could not be saved. Please retry.") from None
    turn = Turn(
        customer_id=customer_id,
        channel=CHANNEL,
        conversation_id=conversation_id_for(customer_id, conversation_ref),
        text=text,
    )
    if key is not None:
        fingerprint = _digest(customer_ref, conversation_ref, text)
        return await _answer_once(request, integration, key, turn, fingerprint)
    return web.json_response(await _answer(request, turn))


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


async def openapi_yaml(request: web.Request) -> web.Response:
    return web.Response(text=request.app[OPENAPI_TEXT], content_type="application/yaml")


async def _purge_periodically(app: web.Application) -> None:
    """Forget idempotency keys older than a day, and expired link tokens."""
    while True:
        cutoff = datetime.now(timezone.utc) - IDEMPOTENCY_KEEP_FOR
        try:
            purged = await app[STORE].purge_expired(requests_before=cutoff)
            if purged:
                logger.info("purged %d expired idempotency keys and link tokens", purged)
        except errors.ProfileStoreError as error:
            logger.warning("could not purge expired channel records: %s", type(error).__name__)
        await asyncio.sleep(PURGE_EVERY_SECONDS)


async def _rest_ctx(app: web.Application) -> AsyncIterator[None]:
    app[INTEGRATIONS] = Integrations(app[STORE], app[SETTINGS].api_key)
    purging = asyncio.create_task(_purge_periodically(app))
    try:
        yield
    finally:
        purging.cancel()
        await asyncio.gather(purging, return_exceptions=True)


def setup(app: web.Application) -> None:
    app[OPENAPI_TEXT] = OPENAPI_PATH.read_text(encoding="utf-8")
    app[OPENAPI] = yaml.safe_load(app[OPENAPI_TEXT])
    app.cleanup_ctx.append(_rest_ctx)
    app.router.add_post("/api/v1/messages", post_message)
    app.router.add_get("/api/v1/openapi.json", openapi_json)
    app.router.add_get("/api/v1/openapi.yaml", openapi_yaml)
