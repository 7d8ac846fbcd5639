"""Human handoff: the queue, routing turns to a person, and live events for staff screens.

`setup(app)` builds the service for the gateway (after the store, engine and staff
accounts exist) and routes every channel's turns through it via Conversations.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.accounts import AUTH, STAFF_DB
from bot.handoff.actions import HandoffService
from bot.handoff.pubsub import Broker, InMemoryBroker, RedisBroker
from bot.handoff.responses import DOMAIN_PATH, LiveResponses
from bot.handoff.rules import load_rules
from bot.handoff.suggestions import load_vocabulary
from bot.settings import REPO_ROOT
from bot.state import CONVERSATIONS, DELIVERY, ENGINE, SETTINGS, STORE
from bot.studio import live_responses

logger = logging.getLogger(__name__)

HANDOFFS = web.AppKey("handoffs", HandoffService)
BROKER = web.AppKey("live_broker", Broker)
RESPONSES = web.AppKey("bot_responses", LiveResponses)


async def open_broker(redis_url: str) -> Broker:
    if not redis_url:
        return InMemoryBroker()
    broker = RedisBroker.from_url(redis_url)
    await broker.start()
    return broker


async def _handoff_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    rules = load_rules(settings.handoff_rules_path)
    # Read at each use: the studio is set up after the handoff and may publish at any time.
    responses = LiveResponses(lambda: live_responses(app), DOMAIN_PATH)
    broker = await open_broker(settings.redis_url)
    service = HandoffService(
        store=app[STAFF_DB].handoffs,
        profiles=app[STORE],
        engine=app[ENGINE],
        delivery=app[DELIVERY],
        broker=broker,
        rules=rules,
        accounts=app[AUTH].store,
        satisfaction_question=lambda: responses.reply("utter_ask_satisfaction"),
        vocabulary=load_vocabulary(REPO_ROOT),
        wording=responses,
    )
    service.max_message_chars = settings.max_message_chars
    app[BROKER], app[RESPONSES], app[HANDOFFS] = broker, responses, service
    following = await service.unhanded.follow(broker)
    app[CONVERSATIONS].route_handoffs_to(service)
    try:
        yield
    finally:
        app[CONVERSATIONS].route_handoffs_to(None)
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
        await service.close()
        await broker.close()


def setup(app: web.Application) -> None:
    """Call after the store, engine and accounts contexts are registered."""
    app.cleanup_ctx.append(_handoff_ctx)
