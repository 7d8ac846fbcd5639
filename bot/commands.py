"""Customer text that Rasa would read as a command (`/intent{"entity": "value"}`).

Rasa takes any message starting with `/` as an intent with entities, skipping NLU. A
customer must not choose their intent or set entities that way: such text reaches the engine
as a command only when it is exactly a button payload of the bot's last reply in that
conversation (a pressed button, on any channel). Anything else goes as plain words, with the
leading slashes taken off so Rasa's own parser cannot match it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from memory import MessageView

COMMAND_PREFIX = "/"  # rasa.shared.constants.INTENT_MESSAGE_PREFIX
# Rasa strips the text before it looks for the prefix, so whitespace between slashes counts.
_LEADING = re.compile(r"^[\s/]+")


def looks_like_command(text: str) -> bool:
    return text.strip().startswith(COMMAND_PREFIX)


def as_plain_text(text: str) -> str:
    """The words of `text` without the leading slashes that would make Rasa parse it."""
    return _LEADING.sub("", text) or COMMAND_PREFIX  # a lone "/" is not a command to Rasa


def offered_payloads(transcript: Iterable[MessageView], message_id: int) -> set[str]:
    """The button payloads of the bot's last reply before the customer message `message_id`:
    every bot message between that message and the customer message before it."""
    earlier = [m for m in transcript if m.id < message_id]
    payloads: set[str] = set()
    for message in reversed(earlier):
        if message.sender == "customer":
            break
        if message.sender == "bot":
            for button in (message.payload or {}).get("buttons") or ():
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    payloads.add(button["payload"])
    return payloads
