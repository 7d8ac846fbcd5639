"""Staff accounts for every staff surface: argon2 passwords, sessions, roles, CSRF, throttling.

Wire it with `setup(app)`; guard handlers with `require_role("agent")` (admins always
pass) and read the member with `staff(request)`. Create the first admin with
`python -m bot.accounts create-user --role admin --username NAME`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from memory.sql.engine import Runner

from bot.accounts.auth import LoginRefused, SessionPolicy, StaffAuth
from bot.accounts.database import open_runner
from bot.accounts.guard import AUTH, current_session, require_role, secure, session_of, staff
from bot.accounts.models import ADMIN, AGENT, MARKETER, ROLES, StaffMember, StaffSession
from bot.accounts.sql import SqlAccountStore
from bot.accounts.views import setup_routes
from bot.state import SETTINGS, STORE

__all__ = [
    "ADMIN", "AGENT", "AUTH", "LoginRefused", "MARKETER", "ROLES", "STAFF_DB", "SessionPolicy",
    "StaffAuth", "StaffMember", "StaffSession", "current_session", "require_role", "secure",
    "session_of", "setup", "staff",
]

STAFF_DB = web.AppKey("staff_db", Runner)


def policy_from(settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(seconds=settings.staff_session_idle),
        absolute=timedelta(seconds=settings.staff_session_max_age),
        secure_cookies=settings.production,
    )


def _profile_runner(app: web.Application) -> Runner | None:
    """The profile store's own connection runner, when it has one to share.

    Sharing it keeps one SQLite writer thread (one queue for the write lock instead of two
    writers polling for it) and one PostgreSQL connection pool per gateway.
    """
    runner = getattr(app.get(STORE), "runner", None)
    return runner if isinstance(runner, Runner) else None


async def _accounts_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    shared = _profile_runner(app)
    runner = shared or open_runner(settings.profile_db_url)
    app[STAFF_DB] = runner
    if AUTH not in app:  # tests may bring their own
        app[AUTH] = StaffAuth(
            SqlAccountStore(runner), signing_key=settings.signing_key, policy=policy_from(settings)
        )
    try:
        yield
    finally:
        if shared is None:
            await runner.close()


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_accounts_ctx)
    setup_routes(app)
