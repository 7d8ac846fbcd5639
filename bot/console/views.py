"""The staff console's pages and JSON API: the queue, one conversation, and agent actions
(including recording or dismissing what the NLU suggests from the customer's messages).

Every route requires the agent role (admins pass too); every POST is CSRF-checked by
require_role. Domain errors from bot.handoff become JSON errors here and nowhere else.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from memory import errors, load_fact_catalog

from bot.accounts import AGENT, AUTH, require_role, secure, session_of, staff
from bot.console import live
from bot.console.pages import conversation_page, queue_page
from bot.errors import json_error, read_json_object
from bot.handoff import HANDOFFS, RESPONSES
from bot.handoff.customers import safe_panel
from bot.handoff.models import HandoffError

FACT_KEYS = web.AppKey("console_fact_keys", tuple)


def _handoff_id(request: web.Request) -> int:
    try:
        return int(request.match_info["handoff_id"])
    except ValueError:
        raise json_error(404, "There is no such handoff.") from None


def domain_errors(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
    @functools.wraps(handler)
    async def translated(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except HandoffError as error:
            raise json_error(error.status, str(error)) from None
        except errors.StoreUnavailable:
            raise json_error(503, "The database is busy. Please try again in a moment.") from None

    return translated


async def _agents(request: web.Request) -> list[dict[str, Any]]:
    members = await request.app[AUTH].store.accounts()
    return [m.to_json() for m in members if m.has_role(AGENT)]


# --- pages ------------------------------------------------------------------------------

@require_role(AGENT)
async def queue_view(request: web.Request) -> web.Response:
    html = queue_page(staff(request), session_of(request).csrf_token)
    return secure(web.Response(text=html, content_type="text/html"))


@require_role(AGENT)
async def conversation_view(request: web.Request) -> web.Response:
    html = conversation_page(staff(request), session_of(request).csrf_token, _handoff_id(request))
    return secure(web.Response(text=html, content_type="text/html"))


# --- reading ----------------------------------------------------------------------------

@require_role(AGENT)
@domain_errors
async def queue_api(request: web.Request) -> web.Response:
    service = request.app[HANDOFFS]
    return web.json_response({
        "me": staff(request).to_json(),
        "handoffs": await service.queue(),
        "follow_ups": [h.to_json() for h in await service.store.follow_ups()],
        "agents": await _agents(request),
    })


@require_role(AGENT)
@domain_errors
async def handoff_api(request: web.Request) -> web.Response:
    service = request.app[HANDOFFS]
    handoff = await service.get(_handoff_id(request))
    return web.json_response({
        "me": staff(request).to_json(),
        "handoff": await service.summary(handoff),
        "transcript": await service.transcript(handoff.conversation_id),
        "notes": await service.notes(handoff.conversation_id),
        "profile": await safe_panel(service.profiles, handoff.customer_id),
        "canned": [c.to_json() for c in request.app[RESPONSES].canned()],
        "agents": await _agents(request),
        "fact_keys": list(request.app[FACT_KEYS]),
        "suggestions": await service.suggestions(handoff.id),
        "vocabulary": service.capture.vocabulary.to_json(),
    })


# --- acting -----------------------------------------------------------------------------

def _action(run: Callable[[Any, Any, int, dict[str, Any]], Awaitable[Any]]):
    """A POST action on one handoff: parse the JSON body, run it, answer with its result."""

    @require_role(AGENT)
    @domain_errors
    @functools.wraps(run)
    async def handler(request: web.Request) -> web.Response:
        body = await read_json_object(request) if request.can_read_body else {}
        result = await run(request.app[HANDOFFS], staff(request), _handoff_id(request), body | {
            "_reference": request.match_info.get("reference"),
            "_suggestion": request.match_info.get("suggestion_id"),
        })
        if hasattr(result, "to_json"):
            result = result.to_json()
        return web.json_response({"ok": True, "result": result})

    return handler


claim = _action(lambda s, m, h, b: s.claim(h, m))
reply = _action(lambda s, m, h, b: s.reply(h, m, b.get("text")))
note = _action(lambda s, m, h, b: s.note(h, m, b.get("text")))
resolve = _action(lambda s, m, h, b: s.resolve(h, m, b.get("summary")))
hand_back = _action(lambda s, m, h, b: s.hand_back(h, m))
record_fact = _action(lambda s, m, h, b: s.record_fact(h, m, b.get("key"), b.get("value")))
record_suggestion = _action(lambda s, m, h, b: s.record_suggestion(h, m, b["_suggestion"], b.get("fields")))
dismiss_suggestion = _action(lambda s, m, h, b: s.dismiss_suggestion(h, m, b["_suggestion"]))
update_complaint = _action(
    lambda s, m, h, b: s.update_complaint(h, m, b["_reference"], b.get("status"), b.get("resolution"))
)


async def _transfer(service, member, handoff_id, body):
    target = body.get("to_agent_id")
    if target is not None and (not isinstance(target, int) or isinstance(target, bool)):
        raise json_error(400, "'to_agent_id' must be an agent's id, or null for the queue.")
    return await service.transfer(handoff_id, member, target)


transfer = _action(_transfer)


async def _fact_keys_ctx(app: web.Application):
    app[FACT_KEYS] = load_fact_catalog().keys
    yield


def setup_routes(app: web.Application) -> None:
    app.cleanup_ctx.append(_fact_keys_ctx)
    app.router.add_get("/console", queue_view)
    app.router.add_get("/console/conversations/{handoff_id}", conversation_view)
    app.router.add_get("/console/api/queue", queue_api)
    app.router.add_get("/console/api/handoffs/{handoff_id}", handoff_api)
    base = "/console/api/handoffs/{handoff_id}"
    for path, handler in (
        ("claim", claim), ("reply", reply), ("notes", note), ("transfer", transfer),
        ("resolve", resolve), ("hand-back", hand_back), ("facts", record_fact),
        ("complaints/{reference}", update_complaint),
        ("suggestions/{suggestion_id}/record", record_suggestion),
        ("suggestions/{suggestion_id}/dismiss", dismiss_suggestion),
    ):
        app.router.add_post(f"{base}/{path}", handler)
    app.router.add_get("/console/ws", live.console_socket)
    app.router.add_static("/console/static/", live.STATIC_DIR)
