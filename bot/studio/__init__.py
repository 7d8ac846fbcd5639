"""The marketer studio: edit what the bot says and offers, validate, preview, publish, roll back.

Wire it with `setup(app)` after bot.accounts. Every page and API needs the marketer role
(admins pass too). Published content lives in versions under `<data dir>/studio`; the
engine fetches every response from the gateway's /nlg endpoint, so wording and offers go
live without retraining, and flow changes are trained and swapped in without downtime.

This package's __init__ imports nothing at module level: the engine process (Python 3.10,
Rasa's own libraries) imports `bot.studio.engine_nlg` and must not pull in the gateway.
"""

from __future__ import annotations


def setup(app) -> None:
    from bot.studio.views import setup_routes

    setup_routes(app)


def live_responses(app):
    """The live version's responses (name -> variations), or None where no studio runs.

    The console's canned replies read this; a publish shows in the next call."""
    from bot.studio.views import STUDIO

    studio = app.get(STUDIO)
    return None if studio is None else studio.responses.live()
