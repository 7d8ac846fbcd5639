"""The web chat WebSocket: one tab's connection (hello, history, turns); the hub that
pushes frames to every open tab of a conversation is in hub.py. The protocol is described
in the package docstring."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from memory import MessageView, errors

from bot import ratelimit
from bot.channels.web.hub import CLOSE_TOO_MANY_FROM_IP, HUB, iso as _iso, reply_frame
from bot.channels.web.hub import send as _send
from bot.channels.web.sessions import Session, SessionRefused, Sessions
from bot.conversations import (
    InvalidMessage, MessageNotStored, Turn, clean_text, new_conversation_id,
)
from bot.engine.client import Reply
from bot.state import CONVERSATIONS, SETTINGS, STORE

logger = logging.getLogger(__name__)

CHANNEL = "web"
HELLO_TIMEOUT = 10.0
MAX_FRAME_BYTES = 64 * 1024  # bigger frames close the socket (1009); the widget never sends them
CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")

CLOSE_BAD_HELLO = 4400
CLOSE_BAD_SESSION = 4401
CLOSE_NO_HELLO = 4408


SESSIONS = web.AppKey("web_sessions", Sessions)


def error_frame(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, **extra}


def history(messages: list[MessageView]) -> list[dict[str, Any]]:
    """The transcript as the widget shows it: button payloads become the titles pressed."""
    items, titles = [], {}
    for message in messages:
        buttons = (message.payload or {}).get("buttons") or []
        item = {"sender": message.sender, "text": message.text, "created_at": _iso(message.created_at)}
        if message.sender == "customer":
            item["text"] = titles.get(message.text, message.text)
            item["id"] = message.message_id
            titles = {}
        else:
            item["buttons"] = buttons
            titles.update({b.get("payload"): b.get("title") for b in buttons})
        items.append(item)
    return items


class ChatSocket:
    """One browser tab's connection, from hello to close."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.app, self.ws, self.ip = request.app, ws, ratelimit.client_ip(request)
        self.hub = self.app[HUB]
        self.session: Session | None = None
        self.stored_ids: set[str] = set()

    async def run(self) -> None:
        self.session = await self._hello()
        if self.session is None:
            return
        self.hub.join(self.session.conversation_id, self.ws)
        try:
            await self._ready()
            async for frame in self.ws:
                if frame.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    await self._on_frame(frame)
        finally:
            self.hub.leave(self.session.conversation_id, self.ws)

    async def _hello(self) -> Session | None:
        try:
            frame = await self.ws.receive(timeout=HELLO_TIMEOUT)
        except asyncio.TimeoutError:
            await self.ws.close(code=CLOSE_NO_HELLO, message=b"no hello")
            return None
        if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
            return None
        data = _parse(frame.data) if frame.type == WSMsgType.TEXT else None
        if not isinstance(data, dict) or data.get("type") != "hello":
            await self._refuse(CLOSE_BAD_HELLO, "bad_hello", "Start with a hello frame carrying the token.")
            return None
        try:
            return self.app[SESSIONS].read(data.get("token"))
        except SessionRefused as refused:
            await self._refuse(CLOSE_BAD_SESSION, "bad_session", str(refused))
            return None

    async def _refuse(self, close_code: int, code: str, message: str) -> None:
        await self._error(code, message)
        await self.ws.close(code=close_code, message=message[:100].encode())

    async def _ready(self) -> None:
        assert self.session is not None
        await self.app[CONVERSATIONS].settled(self.session.conversation_id)  # replies sent, not yet stored
        try:
            messages = await self.app[STORE].transcript(self.session.conversation_id)
        except errors.UnknownConversation:
            messages = []  # nothing said yet
        except errors.ProfileStoreError as error:
            logger.error("could not load web history: %s", type(error).__name__)
            messages = []
        # Ids already stored are resends the client has not heard the ack for: skip them.
        self.stored_ids = {m.message_id for m in messages if m.message_id}
        await _send(self.ws, {"type": "ready", "history": history(messages),
                              "identified": self.session.identified})

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await _send(self.ws, error_frame(code, message, **extra))

    async def _on_frame(self, frame: Any) -> None:
        data = _parse(frame.data) if frame.type == WSMsgType.TEXT else None
        if isinstance(data, dict) and data.get("type") == "ping":
            await _send(self.ws, {"type": "pong"})
            return
        assert self.session is not None
        # Every other frame, garbage included, spends from the session's and the IP's bucket.
        limits = self.app[ratelimit.LIMITS]
        # Counted per customer: a new conversation must not start a fresh count.
        decision = await limits.check_session(self.session.customer_id, self.ip)
        if not decision.allowed:
            seconds = decision.retry_after_seconds
            await self._error("rate_limited", f"You are sending messages too quickly. Please wait {seconds} s.",
                              retry_after=seconds, **(_id_of(data) if isinstance(data, dict) else {}))
        elif frame.type == WSMsgType.BINARY:
            await self._error("binary_frame", "Send messages as JSON text frames, not binary.")
        elif data is None and not _is_json(frame.data):
            await self._error("bad_json", "That frame is not valid JSON.")
        elif not isinstance(data, dict):
            await self._error("bad_frame", "Each frame must be a JSON object with a 'type'.")
        elif data.get("type") == "message":
            await self._on_message(data)
        elif data.get("type") == "new_conversation":
            await self._new_conversation()
        else:
            kind = data.get("type")
            shown = str(kind)[:40] if kind is not None else "none"
            await self._error("unknown_type", f"Unknown frame type '{shown}'. Send type 'message'.")

    async def _on_message(self, data: dict[str, Any]) -> None:
        assert self.session is not None
        conversation_id = self.session.conversation_id
        message_id = data.get("id")
        if not isinstance(message_id, str) or not CLIENT_ID.fullmatch(message_id):
            await self._error("bad_id", "Each message needs an 'id' of up to 100 letters, digits or -_.:")
            return
        try:
            text = clean_text(data.get("text"), max_chars=self.app[SETTINGS].max_message_chars)
        except InvalidMessage as error:
            await self._error("invalid_message", str(error), id=message_id)
            return
        if message_id in self.stored_ids or not self.hub.claim(conversation_id, message_id):
            await _send(self.ws, {"type": "ack", "id": message_id, "duplicate": True})
            return
        title = data.get("title")
        shown = title if isinstance(title, str) and 0 < len(title) <= 200 else text
        await self.hub.broadcast(conversation_id, {
            "type": "message", "sender": "customer", "text": shown, "id": message_id, "created_at": _iso(),
        }, exclude=self.ws)
        typing = {"type": "typing", "on": True}
        await self.hub.broadcast(conversation_id, typing)
        turn = Turn(self.session.customer_id, CHANNEL, conversation_id, text, message_id)
        try:
            replies = await self.app[CONVERSATIONS].handle(turn)
        except Exception as error:
            # Release the id so that the widget's resend is processed, not acked as a duplicate.
            self.hub.release(conversation_id, message_id)
            if isinstance(error, MessageNotStored):
                retry = {"retry_after": error.retry_after} if error.retry_after else {}
                await self._error("not_stored", str(error), id=message_id, **retry)
            else:
                logger.exception("web turn failed in %s", conversation_id)
                await self._error("failed", "Sorry, your message could not be handled. Please try again.",
                                  id=message_id)
            await self.hub.broadcast(conversation_id, {**typing, "on": False})
            return
        await _send(self.ws, {"type": "ack", "id": message_id})
        for index, reply in enumerate(replies):
            frame = reply_frame(reply, reply_to=message_id, key=f"{message_id}:{index}")
            await self.hub.broadcast(conversation_id, frame)
        await self.hub.broadcast(conversation_id, {**typing, "on": False})

    async def _new_conversation(self) -> None:
        assert self.session is not None
        self.hub.leave(self.session.conversation_id, self.ws)
        self.session = dataclasses.replace(self.session, conversation_id=new_conversation_id(CHANNEL))
        self.hub.join(self.session.conversation_id, self.ws)
        await _send(self.ws, {"type": "session", "token": self.app[SESSIONS].issue(self.session)})
        await self._ready()


def _parse(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _is_json(raw: str) -> bool:
    return raw.strip() == "null"  # the one valid JSON text that parses to None


def _id_of(data: dict[str, Any]) -> dict[str, str]:
    message_id = data.get("id")
    return {"id": message_id} if isinstance(message_id, str) and CLIENT_ID.fullmatch(message_id) else {}


async def chat_socket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME_BYTES)
    await ws.prepare(request)
    hub, ip = request.app[HUB], ratelimit.client_ip(request)
    refused = hub.admit(ip)
    if refused is not None:
        # A browser cannot read the status of a refused upgrade: say it in a frame and a close.
        close_code, reason = refused
        await _send(ws, error_frame("too_many_sockets" if close_code == CLOSE_TOO_MANY_FROM_IP else "busy",
                                    reason, retry_after=60))
        await ws.close(code=close_code, message=reason[:100].encode())
        return ws
    try:
        await ChatSocket(request, ws).run()
    except Exception:
        logger.exception("web chat socket failed")
        await ws.close(code=WSCloseCode.INTERNAL_ERROR, message=b"internal error")
    finally:
        hub.closed(ip)
    return ws
