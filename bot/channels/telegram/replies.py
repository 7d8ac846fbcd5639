"""Turns the bot's replies into Telegram messages: text within Telegram's limits, inline keyboards.

Telegram caps a message at 4096 UTF-16 code units and callback data at 64 bytes. Longer
texts are split; longer button payloads travel as a short hash ("#h:...") that is resolved
from a bounded in-process table, or after a restart from the buttons recorded in the
conversation's transcript.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine.client import Button, Reply
from memory import MessageView

MAX_TEXT_UNITS = 4096
MAX_CALLBACK_BYTES = 64
HASHED_PREFIX = "#h:"
CHOOSE = "Please choose:"


def _units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Split `text` into chunks Telegram accepts, preferring to break after a newline or space."""
    chunks: list[str] = []
    start, used, last_break = 0, 0, -1
    for index, char in enumerate(text):
        if used + _units(char) > limit:
            cut = last_break + 1 if last_break >= start else index
            chunks.append(text[start:cut])
            start = cut
            used = sum(_units(c) for c in text[start:index])
            last_break = -1
        used += _units(char)
        if char in "\n ":
            last_break = index
    chunks.append(text[start:])
    return [chunk for chunk in chunks if chunk.strip()]


def hashed_callback_data(payload: str) -> str:
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return HASHED_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:32]


class ButtonPayloads:
    """Maps button payloads to callback data that fits Telegram's 64 bytes, and back."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._long: OrderedDict[str, str] = OrderedDict()

    def callback_data(self, payload: str) -> str:
        size = len(payload.encode("utf-8"))
        if size <= MAX_CALLBACK_BYTES and not payload.startswith(HASHED_PREFIX):
            return payload
        data = hashed_callback_data(payload)
        self._long[data] = payload
        self._long.move_to_end(data)
        while len(self._long) > self._capacity:
            self._long.popitem(last=False)
        return data

    def payload(self, data: str, transcript: Iterable[MessageView] = ()) -> str | None:
        """The payload behind `data`; None for a hashed button that is no longer known."""
        if not data.startswith(HASHED_PREFIX):
            return data
        if data in self._long:
            return self._long[data]
        for message in transcript:
            for button in (message.payload or {}).get("buttons", ()):
                payload = button.get("payload") if isinstance(button, dict) else None
                if isinstance(payload, str) and hashed_callback_data(payload) == data:
                    return payload
        return None

    def keyboard(self, buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
        """One button per row, as quick replies read best on a phone."""
        rows = [
            [InlineKeyboardButton(button.title or button.payload,
                                  callback_data=self.callback_data(button.payload))]
            for button in buttons
            if button.payload
        ]
        return InlineKeyboardMarkup(rows) if rows else None


async def send_reply(bot: Bot, chat_id: int, reply: Reply, payloads: ButtonPayloads) -> None:
    """Send one reply; the keyboard goes with the last chunk so it sits under the whole text."""
    markup = payloads.keyboard(reply.buttons)
    chunks = split_text(reply.text) or ([CHOOSE] if markup else [])
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await bot.send_message(chat_id, chunk, reply_markup=markup if last else None)
