"""What the gateway's logs may keep: no query strings (a `?link=` token opens someone's chat)
and no Telegram chat ids inside conversation ids (`telegram.<chat id>.<update id>` names a
person's Telegram account), which are replaced by a keyed digest that still tells
conversations apart.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

_TELEGRAM_CHAT = re.compile(r"\btelegram\.(-?\d+)(?=\.)")


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access line without the query string: `1.2.3.4 "GET /?…" 200 512 0.003`."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        target = request.path + ("?…" if request.query_string else "")
        self.logger.info('%s "%s %s" %s %s %.3f', request.remote, request.method, target,
                         response.status, response.body_length, time)


class ChatIdFilter(logging.Filter):
    """Replaces the chat id in Telegram conversation ids with a keyed digest."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self._key = hmac.new(key.encode(), b"rapport.log-chat-id", hashlib.sha256).digest()

    def _digest(self, match: re.Match[str]) -> str:
        digest = hmac.new(self._key, match.group(1).encode(), hashlib.sha256).hexdigest()[:12]
        return f"telegram.c{digest}"

    def redact(self, text: str) -> str:
        return _TELEGRAM_CHAT.sub(self._digest, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "telegram." in message:
            record.msg, record.args = self.redact(message), None
        return True


def install(signing_key: str) -> None:
    """Redact chat ids in every record the root logger's handlers write."""
    chat_ids = ChatIdFilter(signing_key)
    for handler in logging.getLogger().handlers:
        handler.addFilter(chat_ids)
