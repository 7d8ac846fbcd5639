"""Staff accounts for every staff surface: argon2 passwords, sessions, roles, CSRF, throttling.

Wire it with `setup(app)`; guard handlers with `require_role("agent")` (admins always
pass) and read the member with `staff(request)`. Create the first admin with
`python -m bot.accounts create-user --role admin --username NAME`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from memory import StaffDatabase, open_staff_database
from memory.api.staff import ADMIN, AGENT, MARKETER, ROLES, StaffMember, StaffSession

from bot.accounts.auth import LoginRefused, SessionPolicy, StaffAuth
from bot.accounts.guard import AUTH, current_session, require_role, secure, session_of, staff
from bot.accounts.views import setup_routes
from bot.state import SETTINGS, STORE

__all__ = [
    "ADMIN", "AGENT", "AUTH", "LoginRefused", "MARKETER", "ROLES", "STAFF_DB", "SessionPolicy",
    "StaffAuth", "StaffMember", "StaffSession", "current_session", "require_role", "secure",
    "session_of", "setup", "staff",
]

STAFF_DB = web.AppKey("staff_db", StaffDatabase)


def policy_from(settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(seconds=settings.staff_session_idle),
        absolute=timedelta(seconds=settings.staff_session_max_age),
        secure_cookies=settings.production,
    )


async def _accounts_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    # On the profile store's own connections when it is the SQL one (see open_staff_database).
    database = open_staff_database(settings.profile_db_url, profiles=app.get(STORE))
    app[STAFF_DB] = database
    if AUTH not in app:  # tests may bring their own
        app[AUTH] = StaffAuth(
            database.staff, signing_key=settings.signing_key, policy=policy_from(settings)
        )
    try:
        yield
    finally:
        await database.close()


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_accounts_ctx)
    setup_routes(app)
