"""The studio's pages and JSON API, and the engine's /nlg endpoint.

Pages and API need the marketer role (admins pass too; agents get 403), and every POST
is CSRF-checked by bot.accounts.require_role. StudioError becomes a JSON error here and
nowhere else.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.accounts import MARKETER, require_role, secure, session_of, staff
from bot.errors import json_error, read_json_object
from bot.state import ENGINE, SETTINGS, STORE
from bot.studio import pages, preview
from bot.studio.offer_checks import CHANNELS, VALUE_TIERS, reference_data
from bot.studio.jobs import Job
from bot.studio.nlg import serve_nlg
from bot.studio.project import check_path, load_yaml, responses_of
from bot.engine.runner import WarmRasa
from bot.studio.rasa_tools import RasaTools
from bot.studio.publishing import StudioError
from bot.studio.service import STUDIO, TOOLS, Studio, offers_of
from bot.studio.startup import studio_models, studio_root
from bot.studio.versions import UnknownVersion

STATIC_DIR = Path(__file__).resolve().parent / "static"
# A wording publish finishes in milliseconds: answer with the result instead of a job to poll.
WAIT_FOR_JOB = 5.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def studio_api(handler: Handler) -> Handler:
    @require_role(MARKETER)
    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except StudioError as error:
            raise json_error(error.status, error.message, problems=error.problems) from None
        except UnknownVersion as error:
            raise json_error(404, str(error)) from None

    return guarded


def _page(render: Callable[..., str]) -> Handler:
    @require_role(MARKETER)
    async def view(request: web.Request) -> web.Response:
        html = render(staff(request), session_of(request).csrf_token)
        return secure(web.Response(text=html, content_type="text/html"))

    return view


# --- reading ------------------------------------------------------------------------------

@studio_api
async def status(request: web.Request) -> web.Response:
    return web.json_response(request.app[STUDIO].status(staff(request)))


@studio_api
async def responses(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    files = studio.draft(staff(request)).files()
    domain = load_yaml(files.get("domain.yml", "")) or {}
    slots = domain.get("slots") if isinstance(domain, dict) else None
    slots = slots if isinstance(slots, dict) else {}
    return web.json_response({
        "responses": responses_of(files),
        "live": responses_of(studio.live_files()),
        "slots": {name: {"type": spec.get("type"), "values": spec.get("values") or []}
                  for name, spec in slots.items() if isinstance(spec, dict)},
    })


@studio_api
async def offers(request: web.Request) -> web.Response:
    purposes, products, categories = reference_data()
    return web.json_response({
        "offers": offers_of(request.app[STUDIO].draft(staff(request)).files()),
        "purposes": sorted(purposes), "products": sorted(products),
        "categories": sorted(categories),
        "value_tiers": list(VALUE_TIERS), "channels": list(CHANNELS),
    }, dumps=_dumps)


@studio_api
async def files(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    draft, live = studio.draft(staff(request)).files(), studio.live_files()
    path = request.query.get("path")
    if path:
        try:
            check_path(path)
        except ValueError as error:
            raise json_error(400, str(error)) from None
        return web.json_response({"path": path, "text": draft.get(path, ""),
                                  "live": live.get(path)})
    return web.json_response({"files": [
        {"path": p, "changed": draft.get(p) != live.get(p), "new": p not in live}
        for p in sorted(draft)
    ]})


@studio_api
async def versions(request: web.Request) -> web.Response:
    studio = request.app[STUDIO]
    return web.json_response({"live": studio.live().number,
                              "versions": [v.to_json() for v in studio.versions.versions()]})


@studio_api
async def version(request: web.Request) -> web.Response:
    studio, number = request.app[STUDIO], _number(request)
    return web.json_response({**studio.versions.get(number).to_json(),
                              "diff": studio.versions.diff(number)})


@studio_api
async def audit(request: web.Request) -> web.Response:
    return web.json_response({"entries": request.app[STUDIO].audit.latest(200)})


@studio_api
async def job(request: web.Request) -> web.Response:
    current = request.app[STUDIO].job
    return web.json_response({"job": current.to_json() if current else None})


# --- editing ------------------------------------------------------------------------------

@studio_api
async def save_file(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    studio = request.app[STUDIO]
    return web.json_response(studio.save_file(staff(request), body.get("path"), body.get("text")))


@studio_api
async def delete_file(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    return web.json_response(request.app[STUDIO].delete_file(staff(request), str(body.get("path"))))


@studio_api
async def save_response(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    return web.json_response(
        request.app[STUDIO].save_response(staff(request), request.match_info["name"],
                                          body.get("variations"))
    )


@studio_api
async def save_offers(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    return web.json_response(request.app[STUDIO].save_offers(staff(request), body.get("offers")))


@studio_api
async def bring_in_code(request: web.Request) -> web.Response:
    return web.json_response(request.app[STUDIO].bring_in_code(staff(request)))


@studio_api
async def discard(request: web.Request) -> web.Response:
    return web.json_response(request.app[STUDIO].discard(staff(request)))


# --- publishing ---------------------------------------------------------------------------

async def _job_response(started: Job) -> web.Response:
    assert started.task is not None
    try:
        await asyncio.wait_for(asyncio.shield(started.task), WAIT_FOR_JOB)
    except TimeoutError:
        return web.json_response({"job": started.to_json()}, status=202)
    if started.state == "failed":
        status = 422 if started.problems else 503
        raise json_error(status, started.error, problems=started.problems, job=started.to_json())
    return web.json_response({"job": started.to_json()})


@studio_api
async def publish(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    return await _job_response(request.app[STUDIO].publish(staff(request), body.get("message")))


@studio_api
async def rollback(request: web.Request) -> web.Response:
    return await _job_response(request.app[STUDIO].rollback(staff(request), _number(request)))


def _number(request: web.Request) -> int:
    try:
        return int(request.match_info["number"])
    except ValueError:
        raise json_error(404, "There is no such version.") from None


def _dumps(data: object) -> str:
    return json.dumps(data, default=str)  # offer dates


# --- wiring -------------------------------------------------------------------------------

async def _studio_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if TOOLS not in app:  # tests bring a fake trainer
        app[TOOLS] = RasaTools(studio_root(settings) / "work", studio_models(settings), WarmRasa())
    studio = Studio(settings, app[STORE], app[ENGINE], app[TOOLS])
    app[STUDIO] = studio
    try:
        yield
    finally:
        await studio.close()
        await app[TOOLS].close()


async def nlg(request: web.Request) -> web.Response:
    """The engine's request for a response (token-checked inside)."""
    return await serve_nlg(request, request.app[STUDIO].responses, request.app[SETTINGS].nlg_token)


def setup_routes(app: web.Application) -> None:
    app.cleanup_ctx.append(_studio_ctx)
    app.router.add_post("/nlg", nlg)
    for path, render in (
        ("/studio", pages.overview_page), ("/studio/responses", pages.responses_page),
        ("/studio/offers", pages.offers_page), ("/studio/files", pages.files_page),
        ("/studio/preview", pages.preview_page), ("/studio/history", pages.history_page),
    ):
        app.router.add_get(path, _page(render))
    api = "/studio/api"
    for path, handler in (
        ("status", status), ("responses", responses), ("offers", offers), ("files", files),
        ("versions", versions), ("versions/{number}", version), ("audit", audit), ("job", job),
    ):
        app.router.add_get(f"{api}/{path}", handler)
    for path, handler in (
        ("files", save_file), ("files/delete", delete_file), ("responses/{name}", save_response),
        ("offers", save_offers), ("discard", discard), ("publish", publish),
        ("code/bring-in", bring_in_code),
        ("versions/{number}/rollback", rollback),
    ):
        app.router.add_post(f"{api}/{path}", handler)
    preview.setup_routes(app, studio_api)
    app.router.add_static("/studio/static/", STATIC_DIR)
