"""The gateway's aiohttp application: every channel ends here."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from memory import ValuePolicy, open_store

from bot import accounts as staff_accounts, console, handoff, linking, ratelimit, studio
from bot.channels import rest, telegram, web as web_channel
from bot.conversations import Conversations
from bot.delivery import Delivery
from bot.engine.client import ActionServerProbe, EngineClient
from bot.settings import Settings
from bot.state import CONVERSATIONS, DELIVERY, ENGINE, SETTINGS, STORE

logger = logging.getLogger(__name__)

# Room for the largest allowed message plus JSON overhead; bigger bodies get a 413.
MAX_BODY_BYTES = 64 * 1024


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[STORE] = await open_store(
        settings.profile_db_url, value_policy=ValuePolicy(currency=settings.currency)
    )
    yield
    await app[STORE].close()


async def _engine_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    timeout = aiohttp.ClientTimeout(total=settings.engine_timeout)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        probe = ActionServerProbe(session, f"{settings.actions_url}/health")
        app[ENGINE] = EngineClient(session, settings.engine_url, settings.engine_token, probe)
        app[CONVERSATIONS] = Conversations(app[STORE], app[ENGINE],
                                           max_in_flight=settings.max_turns_in_flight)
        yield
        await app[CONVERSATIONS].settled(timeout=10)  # replies given but not yet stored


async def _freeze_startup_objects(_: web.Application) -> None:
    """Everything loaded so far lives as long as the process: take it out of the garbage
    collector's reach, so that a full collection stalls the event loop for microseconds,
    not the ~75 ms it takes to walk the whole heap of a running gateway."""
    gc.collect()
    gc.freeze()


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/health", health)
    rest.setup(app)
    web_channel.setup(app)
    telegram.setup(app)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[DELIVERY] = Delivery()
    app.cleanup_ctx.extend([_store_ctx, _engine_ctx])
    linking.setup(app)  # before Telegram, whose /start <token> redeems link tokens
    ratelimit.setup(app)  # before Telegram too: polled updates can come in at once
    app.cleanup_ctx.append(telegram.telegram_ctx)
    setup_routes(app)
    # Staff: accounts, then the handoff service (needs the store, engine and accounts), then the console.
    staff_accounts.setup(app)
    handoff.setup(app)
    console.setup(app)
    # The marketer studio (needs accounts) and the engine's /nlg endpoint it feeds.
    studio.setup(app)
    app.on_startup.append(_freeze_startup_objects)  # last: after every other startup step
    return app
