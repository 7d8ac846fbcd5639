"""The marketer studio: edit what the bot says and offers, validate, preview, publish, roll back.

Wire it with `setup(app)` after bot.accounts. Every page and API needs the marketer role
(admins pass too). Published content lives in versions under `<data dir>/studio`; the
engine fetches every response from the gateway's /nlg endpoint, so wording and offers go
live without retraining, and flow changes are trained and swapped in without downtime.

Modules: `views` (routes and wiring), `service` (drafts, checks, publish requests),
`publishing` (the publish job: train, swap, go live), `preview`, `project` (snapshots and
the training key), `validation` and `checks` (problems on every save), `rasa_tools`
(Rasa's validator and trainer on a draft, through bot.engine.runner), `startup` (the live
version at start-up), `versions`, `drafts`, `edits`, `jobs`, `nlg` and `responses` (the
live wording the engine asks for), `pages`.
"""

from __future__ import annotations

from aiohttp import web

from bot.studio.responses import Responses
from bot.studio.service import STUDIO
from bot.studio.views import setup_routes


def setup(app: web.Application) -> None:
    setup_routes(app)


def live_responses(app: web.Application) -> Responses | None:
    """The live version's responses (name -> variations), or None where no studio runs.

    The console's canned replies read this; a publish shows in the next call."""
    studio = app.get(STUDIO)
    return None if studio is None else studio.responses.live()
