"""The staff console: the live queue and the conversation view, served by the gateway.

Pages are HTML shells; the scripts in static/console/ fill them from the JSON API and keep
them live over /console/ws. `setup(app)` registers the routes (after bot.accounts and bot.handoff).
"""

from __future__ import annotations

from aiohttp import web

from bot.console import live
from bot.console.views import setup_routes


def setup(app: web.Application) -> None:
    setup_routes(app)
    live.setup(app)
