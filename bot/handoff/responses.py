"""The bot's responses: canned replies for agents, the satisfaction question, and what the
gateway itself says to a waiting customer (queue places, after hours: `LiveResponses.say`).

They come from the live published version (the studio's, see `LiveResponses`), so a
marketer's publish reaches the console without a restart; the shipped domain.yml is only
the fallback when no studio runs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.engine.client import Button, Reply
from bot.settings import REPO_ROOT

logger = logging.getLogger(__name__)

DOMAIN_PATH = REPO_ROOT / "domain.yml"
# Responses only the gateway says (bot/handoff/notices.py), never an agent's canned reply.
GATEWAY_ONLY = ("utter_queue_", "utter_after_hours_", "utter_handoff_")

_SLOT = re.compile(r"(?<!\{)\{[a-z_]+\}(?!\})")
_ARGUMENT = re.compile(r"\{([a-z_]+)\}")


def fill(text: str, arguments: dict[str, object]) -> str:
    """A response's `{name}` parts filled from `arguments` (others left as they are)."""
    return _ARGUMENT.sub(lambda m: str(arguments.get(m.group(1), m.group(0))), text)


def _unescape(text: str) -> str:
    """Rasa fills '{slot}' and writes a literal brace as '{{' or '}}'."""
    return text.replace("{{", "{").replace("}}", "}")


@dataclass(frozen=True)
class CannedReply:
    name: str
    text: str
    needs_editing: bool  # it has a '{slot}' placeholder the agent must fill in

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "text": self.text, "needs_editing": self.needs_editing}


@dataclass(frozen=True)
class Responses:
    by_name: dict[str, list[dict]]

    def reply(self, name: str) -> Reply | None:
        """The first unconditional variation of a response, as the bot would send it."""
        for variation in self.by_name.get(name, ()):
            if variation.get("condition") or not isinstance(variation.get("text"), str):
                continue
            buttons = tuple(
                Button(title=str(b.get("title", "")), payload=_unescape(str(b.get("payload", ""))))
                for b in variation.get("buttons") or () if isinstance(b, dict)
            )
            return Reply(text=_unescape(variation["text"]), buttons=buttons)
        return None

    def canned(self) -> list[CannedReply]:
        """One canned reply per response that has plain text, for the agent's reply box."""
        replies = []
        for name in sorted(self.by_name):
            if name.startswith("utter_ask_") and name != "utter_ask_satisfaction":
                continue  # form questions only make sense inside the bot's forms
            if name.startswith(GATEWAY_ONLY):
                continue  # the gateway's own queue and after-hours sentences
            reply = self.reply(name)
            if reply is not None and reply.text:
                replies.append(CannedReply(name, reply.text, bool(_SLOT.search(reply.text))))
        return replies


def load_responses(domain_path: Path) -> Responses:
    try:
        document = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        logger.warning("no canned replies: cannot read %s (%s)", domain_path, type(error).__name__)
        return Responses({})
    raw = document.get("responses") if isinstance(document, dict) else None
    if not isinstance(raw, dict):
        return Responses({})
    return Responses({
        str(name): [v for v in variations if isinstance(v, dict)]
        for name, variations in raw.items() if isinstance(variations, list)
    })


Published = Callable[[], dict[str, list[dict[str, Any]]] | None]


class LiveResponses:
    """The responses of whatever version is live now, from `published()` (None: no studio,
    read the shipped domain.yml instead, once)."""

    def __init__(self, published: Published, domain_path: Path) -> None:
        self._published = published
        self._domain_path = domain_path
        self._source: object = None
        self._current: Responses | None = None
        self._shipped: Responses | None = None

    def current(self) -> Responses:
        raw = self._published()
        if raw is None:
            if self._current is None or self._source is not None:
                self._current, self._source = load_responses(self._domain_path), None
            return self._current
        if raw is not self._source:  # the studio hands out a new mapping when a version goes live
            self._current = Responses({name: list(variations) for name, variations in raw.items()})
            self._source = raw
        return self._current

    def canned(self) -> list[CannedReply]:
        return self.current().canned()

    def reply(self, name: str) -> Reply | None:
        return self.current().reply(name)

    def say(self, name: str, **arguments: object) -> str:
        """The live text of response `name`, its `{name}` parts filled; a version published
        before the response existed falls back to the shipped domain.yml's."""
        reply = self.current().reply(name)
        if reply is None:
            if self._shipped is None:
                self._shipped = load_responses(self._domain_path)
            reply = self._shipped.reply(name)
        if reply is None:
            raise KeyError(f"no response {name!r} in the live version or domain.yml")
        return fill(reply.text, arguments)
