"""The hub of the web chat: the open sockets of each conversation (frames pushed to every
tab), the message ids this gateway has taken, and the caps on open sockets per address and
in all."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from aiohttp import WSCloseCode, web

from bot.conversations import BoundedSet
from bot.engine.client import Reply

RECENT_MESSAGE_IDS = 50_000
CLOSE_TOO_MANY_FROM_IP = 4429  # this address has too many sockets open
CLOSE_BUSY = WSCloseCode.TRY_AGAIN_LATER  # the gateway has as many sockets as it takes
SENDERS = ("bot", "agent", "system")


def iso(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
    return moment.astimezone(timezone.utc).isoformat()


def reply_frame(reply: Reply, *, sender: str = "bot", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "created_at": iso(), **reply.to_json(), "sender": sender, **extra}


async def send(ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
    if ws.closed:
        return
    try:
        await ws.send_json(frame)
    except (ConnectionError, RuntimeError):
        pass  # the tab went away mid-send; its own handler cleans up


class Hub:
    """The open sockets of each conversation, and the message ids this gateway has taken."""

    def __init__(self, max_sockets: int = 0, max_sockets_per_ip: int = 0) -> None:
        self._sockets: dict[str, set[web.WebSocketResponse]] = {}
        self._recent: BoundedSet[tuple[str, str]] = BoundedSet(RECENT_MESSAGE_IDS)
        self._max_sockets, self._max_per_ip = max_sockets, max_sockets_per_ip
        self._open_by_ip: Counter[str] = Counter()  # every open socket, before hello too

    @property
    def open_sockets(self) -> int:
        return self._open_by_ip.total()

    def admit(self, ip: str) -> tuple[int, str] | None:
        """Count a new socket from `ip`; None, or (close code, reason) when it is one too many."""
        if self._max_per_ip and self._open_by_ip[ip] >= self._max_per_ip:
            return CLOSE_TOO_MANY_FROM_IP, "Too many chat windows are open from your address. Close one and try again."
        if self._max_sockets and self.open_sockets >= self._max_sockets:
            return CLOSE_BUSY, "The chat is very busy right now. Please try again in a minute."
        self._open_by_ip[ip] += 1
        return None

    def closed(self, ip: str) -> None:
        self._open_by_ip[ip] -= 1
        if self._open_by_ip[ip] <= 0:
            del self._open_by_ip[ip]

    def join(self, conversation_id: str, ws: web.WebSocketResponse) -> None:
        self._sockets.setdefault(conversation_id, set()).add(ws)

    def leave(self, conversation_id: str, ws: web.WebSocketResponse) -> None:
        sockets = self._sockets.get(conversation_id, set())
        sockets.discard(ws)
        if not sockets:
            self._sockets.pop(conversation_id, None)

    def claim(self, conversation_id: str, message_id: str) -> bool:
        """True the first time this gateway sees the message id in the conversation."""
        return self._recent.first_sight((conversation_id, message_id))

    def release(self, conversation_id: str, message_id: str) -> None:
        """The message was not stored, so a resend must be processed."""
        self._recent.discard((conversation_id, message_id))

    async def broadcast(self, conversation_id: str, frame: dict[str, Any],
                        exclude: web.WebSocketResponse | None = None) -> None:
        # One after another: a send only waits when a tab's buffer is full, and a gather
        # would cost each frame extra trips round the event loop.
        for ws in [ws for ws in self._sockets.get(conversation_id, ()) if ws is not exclude]:
            await send(ws, frame)

    async def push(self, conversation_id: str, reply: Reply) -> None:
        """Delivery sender: a reply from outside a turn (an agent) to every open tab."""
        sender = reply.custom.get("sender") if reply.custom.get("sender") in SENDERS else "agent"
        await self.broadcast(conversation_id, reply_frame(reply, sender=sender))

    async def close_all(self) -> None:
        sockets = [ws for group in self._sockets.values() for ws in group]
        await asyncio.gather(
            *(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server restarting") for ws in sockets),
            return_exceptions=True,
        )


HUB = web.AppKey("web_hub", Hub)
