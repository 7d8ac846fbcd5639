"""Per-route authorisation for staff pages and APIs: `@require_role(...)`, CSRF and cookies.

    @require_role("agent")            # agents (and admins) only
    async def queue_page(request): ...
    member = staff(request)           # inside a guarded handler

Unsafe methods (anything but GET/HEAD/OPTIONS) must carry the session's CSRF token in
the X-CSRF-Token header or a `csrf_token` form field, and any Origin header must be
our own. Browsers navigating to a page without a session are sent to the sign-in page;
API callers get a JSON 401. The marketer studio reuses this unchanged.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.accounts.auth import StaffAuth
from bot.accounts.pages import forbidden_page
from bot.errors import json_error

SESSION_COOKIE = "rapport_staff"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATH = "/staff/login"

AUTH = web.AppKey("staff_auth", StaffAuth)
_SESSION = "rapport.staff_session"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


async def current_session(request: web.Request) -> StaffSession | None:
    """The signed-in staff session of this request, looked up once per request."""
    if _SESSION not in request:
        request[_SESSION] = await request.app[AUTH].resolve(request.cookies.get(SESSION_COOKIE))
    return request[_SESSION]


def staff(request: web.Request) -> StaffMember:
    """The signed-in member; only valid inside a handler guarded by require_role."""
    session = request.get(_SESSION)
    assert session is not None, "staff() outside a require_role handler"
    return session.member


def session_of(request: web.Request) -> StaffSession:
    session = request.get(_SESSION)
    assert session is not None, "session_of() outside a require_role handler"
    return session


def wants_html(request: web.Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("Accept", "")


def same_origin(request: web.Request) -> bool:
    """No Origin header (same-origin GETs, old clients) or one naming this very host."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.netloc == request.host and parts.scheme in ("http", "https")


async def check_csrf(request: web.Request, session: StaffSession) -> None:
    if not same_origin(request):
        raise json_error(403, "Cross-site requests are not allowed.")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sent = (await request.post()).get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise json_error(403, "The form has expired or did not come from this site. Reload the page and try again.")


def require_role(*roles: str) -> Callable[[Handler], Handler]:
    """Only signed-in staff with one of `roles` (admins always) may use the handler."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            session = await current_session(request)
            if session is None:
                if wants_html(request):
                    raise web.HTTPSeeOther(f"{LOGIN_PATH}?next={quote(request.path_qs, safe='')}")
                raise json_error(401, "Sign in first.")
            if not session.member.has_role(*roles):
                if wants_html(request):
                    raise web.HTTPForbidden(
                        text=forbidden_page(session.member), content_type="text/html",
                        headers=SECURITY_HEADERS,
                    )
                raise json_error(403, "Your account does not have access to this page.")
            if request.method not in SAFE_METHODS:
                await check_csrf(request, session)
            return await handler(request)

        guarded.required_roles = roles  # type: ignore[attr-defined]
        return guarded

    return decorate


def set_session_cookie(response: web.StreamResponse, token: str, request: web.Request) -> None:
    policy = request.app[AUTH].policy
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="Strict", secure=policy.secure_cookies,
        path="/", max_age=int(policy.absolute.total_seconds()),
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")


def secure(response: web.StreamResponse) -> web.StreamResponse:
    response.headers.update(SECURITY_HEADERS)
    return response
