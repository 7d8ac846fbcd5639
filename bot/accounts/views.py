"""Sign-in and sign-out pages shared by the staff console and the marketer studio."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from aiohttp import web

from memory import errors
from memory.api.staff import ADMIN, AGENT, MARKETER

from bot import ratelimit
from bot.accounts.auth import LoginRefused
from bot.accounts.guard import (
    AUTH,
    LOGIN_PATH,
    clear_session_cookie,
    current_session,
    require_role,
    secure,
    session_of,
    set_session_cookie,
)
from bot.accounts.pages import login_page
from bot.accounts.throttle import client_network

logger = logging.getLogger(__name__)

LOGIN_COOKIE = "rapport_login"
# Sign-in posts per client (IPv6 by /64), before any password is checked: 10 at once, then
# one every 6 s. The per-account throttle (bot.accounts.throttle) counts failures on top.
LOGIN_RULE = ratelimit.Rule("staff_login", burst=10, per_second=1 / 6)
STATIC_DIR = Path(__file__).resolve().parent / "static"
HOME_BY_ROLE = {AGENT: "/console", ADMIN: "/console", MARKETER: "/studio"}


def safe_next(value: object) -> str | None:
    """Only a path on this site: never '//evil.example' or 'https://…'."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value[:500]
    return None


def _form(request: web.Request, *, status: int = 200, error: str = "", username: str = "",
          next_path: str = "") -> web.Response:
    nonce = secrets.token_urlsafe(24)
    html = login_page(
        form_token=request.app[AUTH].login_form_token(nonce), next_path=next_path,
        error=error, username=username,
    )
    response = secure(web.Response(text=html, content_type="text/html", status=status))
    response.set_cookie(
        LOGIN_COOKIE, nonce, httponly=True, samesite="Strict", path=LOGIN_PATH,
        secure=request.app[AUTH].policy.secure_cookies, max_age=3600,
    )
    return response


async def login_form(request: web.Request) -> web.Response:
    session = await current_session(request)
    next_path = safe_next(request.query.get("next")) or ""
    if session is not None and not next_path:
        raise web.HTTPSeeOther(HOME_BY_ROLE.get(session.member.role, "/console"))
    return _form(request, next_path=next_path)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = form.get("username")
    next_path = safe_next(form.get("next")) or ""
    shown_name = username[:100] if isinstance(username, str) else ""
    limits = request.app.get(ratelimit.LIMITS)
    if limits is not None:
        client = client_network(ratelimit.client_ip(request))
        decision = await limits.limiter.hit(LOGIN_RULE, f"staff-login:{client}")
        if not decision.allowed:
            seconds = decision.retry_after_seconds
            response = _form(request, status=429, username=shown_name, next_path=next_path,
                             error=f"Too many sign-in attempts. Try again in {seconds} seconds.")
            response.headers["Retry-After"] = str(seconds)
            return response
    auth = request.app[AUTH]
    if not auth.check_login_form_token(request.cookies.get(LOGIN_COOKIE), form.get("csrf_token")):
        return _form(request, status=403, username=shown_name, next_path=next_path,
                     error="The sign-in form expired. Please try again.")
    try:
        token, session = await auth.login(username, form.get("password"), ratelimit.client_ip(request))
    except LoginRefused as refused:
        response = _form(request, status=refused.status, error=refused.message,
                         username=shown_name, next_path=next_path)
        if refused.retry_after:
            response.headers["Retry-After"] = str(refused.retry_after)
        return response
    except errors.StoreUnavailable:
        return _form(request, status=503, username=shown_name, next_path=next_path,
                     error="Sign-in is unavailable right now. Please try again shortly.")
    response = web.HTTPSeeOther(next_path or HOME_BY_ROLE.get(session.member.role, "/console"))
    set_session_cookie(response, token, request)
    response.del_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    raise response


@require_role(AGENT, MARKETER, ADMIN)
async def logout(request: web.Request) -> web.Response:
    await request.app[AUTH].logout(session_of(request))
    response = web.HTTPSeeOther(LOGIN_PATH)
    clear_session_cookie(response)
    raise response


@require_role(AGENT, MARKETER, ADMIN)
async def whoami(request: web.Request) -> web.Response:
    session = session_of(request)
    return web.json_response({**session.member.to_json(), "csrf_token": session.csrf_token})


def setup_routes(app: web.Application) -> None:
    app.router.add_get(LOGIN_PATH, login_form)
    app.router.add_post(LOGIN_PATH, login)
    app.router.add_post("/staff/logout", logout)
    app.router.add_get("/staff/me", whoami)
    app.router.add_static("/staff/static/", STATIC_DIR)
