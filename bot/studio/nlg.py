"""The gateway's NLG endpoint: the engine asks it for every response the bot sends.

POST /nlg with Rasa's callback body ({response, arguments, tracker: {sender_id, slots},
channel: {name}}) answers {text, buttons, image, elements, attachment, custom} from the
*published* version's responses, chosen and filled exactly as Rasa would. A conversation
being previewed in the studio gets its draft's responses instead. Only the engine may
call it: it must present the token bot.engine.config wrote into endpoints.yml.
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path

from aiohttp import web

from bot.errors import json_error, read_json_object
from bot.settings import REPO_ROOT
from bot.studio.project import DOMAIN, responses_of
from bot.studio.responses import Responses, render
from bot.studio.versions import VersionStore

logger = logging.getLogger(__name__)


class ResponseSource:
    """Which responses a conversation sees: the live version's, or a previewed draft's."""

    def __init__(self, versions: VersionStore, shipped_root: Path = REPO_ROOT) -> None:
        self._versions = versions
        self._shipped_root = shipped_root
        self._stamp: float | None = None
        self._live: Responses = {}
        self._previews: dict[str, Responses] = {}

    def live(self) -> Responses:
        stamp = self._versions.live_stamp()  # one stat(): another gateway may have published
        if stamp != self._stamp:
            self.refresh(stamp)
        return self._live

    def refresh(self, stamp: float | None = None) -> None:
        number = self._versions.live_number()
        root = self._versions.files_dir(number) if number is not None else self._shipped_root
        try:
            text = (root / DOMAIN).read_text(encoding="utf-8")
        except OSError as error:
            logger.error("cannot read the live responses (%s); keeping the ones loaded",
                         type(error).__name__)
            return
        self._live = responses_of({DOMAIN: text})
        self._stamp = self._versions.live_stamp() if stamp is None else stamp

    def for_conversation(self, sender_id: object) -> Responses:
        if isinstance(sender_id, str) and sender_id in self._previews:
            return self._previews[sender_id]
        return self.live()

    def preview(self, sender_id: str, responses: Responses) -> None:
        self._previews[sender_id] = responses

    def end_preview(self, sender_id: str) -> None:
        self._previews.pop(sender_id, None)


def _authorised(request: web.Request, token: str) -> bool:
    # The header only: a token in the query string would end up in access logs.
    header = request.headers.get("Authorization", "")
    sent = header[7:] if header.startswith("Bearer ") else ""
    return bool(sent) and bool(token) and hmac.compare_digest(sent.encode(), token.encode())


async def serve_nlg(request: web.Request, source: ResponseSource, token: str) -> web.Response:
    if not _authorised(request, token):
        raise json_error(401, "This endpoint is for the dialogue engine only.")
    body = await read_json_object(request)
    name = body.get("response") or body.get("template")
    if not isinstance(name, str) or not name:
        raise json_error(400, "'response' must name a response.")
    tracker = body.get("tracker") if isinstance(body.get("tracker"), dict) else {}
    slots = tracker.get("slots") if isinstance(tracker.get("slots"), dict) else {}
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    arguments = body.get("arguments") if isinstance(body.get("arguments"), dict) else {}
    message = render(
        source.for_conversation(tracker.get("sender_id")), name,
        slots=slots, output_channel=str(channel.get("name") or ""), arguments=arguments,
    )
    if message is None:
        raise json_error(404, f"There is no response {name} for this conversation's state.")
    return web.json_response(message)
