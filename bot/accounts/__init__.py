"""Staff accounts for every staff surface: argon2 passwords, sessions, roles, CSRF, throttling.

Wire it with `setup(app)`; guard handlers with `require_role("agent")` (admins always
pass) and read the member with `staff(request)`. Create the first admin with
`python -m bot.accounts create-user --role admin --username NAME`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

from aiohttp import web

from memory import StaffDatabase, errors, open_staff_database
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
PURGE_THROTTLES_EVERY = 600.0  # seconds

logger = logging.getLogger(__name__)


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
    purging = asyncio.create_task(_purge_throttles_periodically(app[AUTH]))
    try:
        yield
    finally:
        purging.cancel()
        await asyncio.gather(purging, return_exceptions=True)
        await database.close()


async def _purge_throttles_periodically(auth: StaffAuth) -> None:
    """Delete sign-in counts that have decayed, so the table does not grow without end."""
    while True:
        try:
            purged = await auth.throttle.purge(datetime.now(timezone.utc))
            if purged:
                logger.info("purged %d decayed sign-in throttles", purged)
        except errors.ProfileStoreError as error:
            logger.warning("could not purge sign-in throttles: %s", type(error).__name__)
        await asyncio.sleep(PURGE_THROTTLES_EVERY)


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_accounts_ctx)
    setup_routes(app)
