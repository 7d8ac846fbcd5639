"""One customer across channels: "continue on Telegram" deep links, and web links back.

When the bot's `action_link_channel` asks for a link (custom payload `link_channel`), the
gateway answers with one: from the web or the REST API a Telegram deep link
`https://t.me/<bot>?start=<token>`, from Telegram a web link `<public url>?link=<token>`.
Redeeming the token (Telegram's `/start <token>`, or the widget's POST /web/session with
`link`) attaches that chat to the customer who asked. A link never moves anybody's history:
a Telegram chat that already talked to us is refused (whoever sent the link may not be its
owner), and a browser gets a fresh visitor, leaving its earlier chat where it was. The widget
redeems a link only when the visitor clicks to continue, after saying what that does.

The token is 39 characters of [A-Za-z0-9_-] (Telegram allows 64):
base64url(jti 9 bytes | expiry uint32 | HMAC-SHA256(key, target | jti | expiry)[:16]).
Forged and expired tokens are refused without a database read; the jti is recorded in the
profile store with the customer, target channel and expiry, and consumed by one conditional
UPDATE, so a token works once even across gateways.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
import secrets
import struct
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from urllib.parse import quote

from aiohttp import web

from memory import ProfileStore, errors
from memory import LinkRedemption

from bot.conversations import Turn, new_conversation_id
from bot.engine.client import Reply
from bot.state import CONVERSATIONS, SETTINGS, STORE

logger = logging.getLogger(__name__)

LINK_KEY = "link_channel"  # the custom payload actions/handoff.py emits
TELEGRAM, WEB = "telegram", "web"
ACTOR = "gateway:link"
JTI_BYTES, MAC_BYTES = 9, 16
TOKEN_CHARS = 39  # base64url of 29 bytes, unpadded
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_CHARS}}}")

INVALID = "Sorry, that link isn't valid. Let's carry on here."
EXPIRED = (
    "Sorry, that link has expired. Ask me for a new one in the chat where you got it, "
    "or just carry on here."
)
USED = (
    "Sorry, that link has already been used. Ask me for a new one in the chat where you got "
    "it, or just carry on here."
)
TAKEN = (
    "Sorry, I can't join this chat to another one with a link: it already has its own "
    "history with us. Let's carry on here."
)
NOT_NOW = "Sorry, I couldn't link your chats just now. Please try the link again in a moment."
UNAVAILABLE = {
    TELEGRAM: "Sorry, continuing on Telegram isn't available here. Let's carry on in this chat.",
    WEB: "Sorry, continuing on the web isn't available here. Let's carry on in this chat.",
}
OFFER = {
    TELEGRAM: "Open this link to continue on Telegram ({expiry}): {url}",
    WEB: "Open this link to continue in your browser ({expiry}): {url}",
}
EXPIRY = "it works once, within {minutes} minutes"
NO_LINK = "Sorry, I couldn't make a link just now. Please ask me again in a moment."
_REFUSALS = {"unknown": INVALID, "used": USED, "expired": EXPIRED, "taken": TAKEN}


class LinkRefused(Exception):
    """A link token was not accepted; the text is fit to show the customer."""


class LinkDenied(LinkRefused):
    """A link token was refused; `code` tells clients why (link_invalid/expired/used)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class LinkTokens:
    """Mints and checks the compact signed tokens; says nothing about whether one was used."""

    def __init__(self, signing_key: str) -> None:
        # A key of its own, so a link token can never pass for anything else signed.
        label = b"rapport.link-token.v1"
        self._key = hmac.new(signing_key.encode(), label, hashlib.sha256).digest()

    def _mac(self, target: str, body: bytes) -> bytes:
        message = target.encode() + b"\0" + body
        return hmac.new(self._key, message, hashlib.sha256).digest()[:MAC_BYTES]

    def mint(self, target: str, expires_at: int) -> tuple[str, str]:
        """(jti, token) for a token valid on `target` until `expires_at` (Unix seconds)."""
        jti = secrets.token_bytes(JTI_BYTES)
        body = jti + struct.pack(">I", expires_at)
        return _b64(jti), _b64(body + self._mac(target, body))

    def read(self, token: object, target: str, now: float) -> str:
        """The jti of a genuine, unexpired token for `target`; LinkDenied otherwise."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise LinkDenied(INVALID, "link_invalid")
        try:
            raw = base64.urlsafe_b64decode(token + "=")
        except (binascii.Error, ValueError):
            raise LinkDenied(INVALID, "link_invalid") from None
        if _b64(raw) != token:  # the spare bits of the last character must be zero
            raise LinkDenied(INVALID, "link_invalid")
        body, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(target, body)):
            raise LinkDenied(INVALID, "link_invalid")
        (expires_at,) = struct.unpack(">I", body[JTI_BYTES:])
        if expires_at <= now:
            raise LinkDenied(EXPIRED, "link_expired")
        return _b64(body[:JTI_BYTES])


class Linker:
    """Offers links in the bot's replies and redeems them on the other channel."""

    def __init__(
        self,
        store: ProfileStore,
        tokens: LinkTokens,
        *,
        telegram_bot: str,
        web_url: str,
        max_age: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.telegram_bot = telegram_bot.lstrip("@")
        self.web_url = web_url
        self.max_age = max_age
        self.clock = clock

    def available(self, target: str) -> bool:
        return bool(self.telegram_bot) if target == TELEGRAM else bool(self.web_url)

    def url(self, target: str, token: str) -> str:
        if target == TELEGRAM:
            return f"https://t.me/{quote(self.telegram_bot)}?start={token}"
        separator = "&" if "?" in self.web_url else "?"
        return f"{self.web_url}{separator}link={token}"

    async def link_for(self, customer_id: str, source_channel: str, target: str) -> str:
        """A fresh single-use link that attaches `target` to this customer."""
        expires_at = int(self.clock()) + self.max_age
        jti, token = self.tokens.mint(target, expires_at)
        await self.store.issue_link_token(
            jti, customer_id, source_channel=source_channel, target_channel=target,
            expires_at=datetime.fromtimestamp(expires_at, timezone.utc),
        )
        return self.url(target, token)

    async def after_engine(self, turn: Turn, replies: list[Reply]) -> list[Reply]:
        """Turn the bot's link_channel payloads into links (a Conversations reply filter)."""
        if not any(LINK_KEY in reply.custom for reply in replies):
            return replies
        shown: list[Reply] = []
        for reply in replies:
            asked = reply.custom.get(LINK_KEY)
            if asked is None:
                shown.append(reply)
                continue
            target = _target(asked, turn.channel)
            if self.available(target):
                text = await self._offer(turn, target)
            else:
                text = UNAVAILABLE[target]
                if not reply.text and shown and _is_plain(shown[-1]):
                    shown.pop()  # the action's "use this link..." that came with the payload
            custom = {k: v for k, v in reply.custom.items() if k != LINK_KEY}
            shown.append(Reply("\n".join(filter(None, (reply.text, text))), reply.buttons, custom))
        return shown

    async def _offer(self, turn: Turn, target: str) -> str:
        try:
            url = await self.link_for(turn.customer_id, turn.channel, target)
        except errors.ProfileStoreError as error:
            logger.error("could not issue a link token: %s", type(error).__name__)
            return NO_LINK
        expiry = EXPIRY.format(minutes=max(1, self.max_age // 60))
        return OFFER[target].format(expiry=expiry, url=url)

    async def redeem(self, token: object, *, target: str, channel: str,
                     external_id: str) -> LinkRedemption:
        """Attach (channel, external_id) to the token's customer; LinkDenied if refused."""
        jti = self.tokens.read(token, target, self.clock())
        try:
            redemption = await self.store.redeem_link_token(
                jti, target_channel=target, channel=channel, external_id=external_id, actor=ACTOR
            )
        except errors.LinkTokenRefused as refused:
            logger.info("a %s link token was refused: %s", target, refused.reason)
            code = "link_invalid" if refused.reason == "unknown" else f"link_{refused.reason}"
            raise LinkDenied(_REFUSALS[refused.reason], code) from None
        except errors.ProfileStoreError as error:
            logger.error("could not redeem a link token: %s", type(error).__name__)
            raise LinkDenied(NOT_NOW, "link_unavailable") from None
        if redemption.merged_customer_id:
            logger.info("a link merged customer %s (no history) into %s",
                        redemption.merged_customer_id, redemption.customer_id)
        return redemption

    async def telegram_start(self, chat_id: str, token: str) -> None:
        """TelegramChats.link_start: `/start <token>` attaches this chat to the customer."""
        await self.redeem(token, target=TELEGRAM, channel=TELEGRAM, external_id=chat_id)

    async def web_customer(self, token: object) -> str:
        """The customer a web link attaches this browser to, under a fresh visitor id: the
        browser's earlier anonymous chat, if any, stays its own and is never merged."""
        visitor = new_conversation_id("visitor")
        redemption = await self.redeem(token, target=WEB, channel=WEB, external_id=visitor)
        return redemption.customer_id


def _target(asked: object, source_channel: str) -> str:
    """The channel to link to: the one asked for, or, asked from there already, the other."""
    wanted = asked.get("target") if isinstance(asked, dict) else None
    if wanted in (TELEGRAM, WEB) and wanted != source_channel:
        return wanted
    return WEB if source_channel == TELEGRAM else TELEGRAM


def _is_plain(reply: Reply) -> bool:
    return bool(reply.text) and not reply.buttons and not reply.custom


LINKER = web.AppKey("linker", Linker)


async def _linking_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    # In production the gateway's own address is rarely what customers can open: web links
    # stay off until RAPPORT_PUBLIC_URL names the page with the chat.
    web_url = settings.public_base_url or ("" if settings.production else settings.public_url)
    linker = Linker(
        app[STORE], LinkTokens(settings.signing_key),
        telegram_bot=settings.telegram_bot_username, web_url=web_url,
        max_age=settings.link_token_max_age,
    )
    app[LINKER] = linker
    app[CONVERSATIONS].filter_replies_with(linker.after_engine)
    yield


def setup(app: web.Application) -> None:
    """Call after the store and conversations contexts, before Telegram's (it uses the linker)."""
    app.cleanup_ctx.append(_linking_ctx)
