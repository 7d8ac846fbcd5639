"""Signing staff in and out: passwords, throttling, server-side sessions and CSRF tokens.

A session cookie carries 32 random bytes; the database keeps only their SHA-256, the
account, an idle and an absolute expiry, and the session's CSRF token. Every
state-changing request must echo that token (see bot.accounts.guard).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from memory.api.staff import (
    AccountError,
    StaffMember,
    StaffSession,
    StaffStore,
    check_role,
    normalise_username,
    MAX_DISPLAY_NAME,
)

from bot.accounts.passwords import Passwords
from bot.accounts.throttle import LoginThrottle

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginRefused(Exception):
    """Sign-in failed; `message` is safe to show and never says which part was wrong."""

    def __init__(self, status: int, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(hours=8)
    absolute: timedelta = timedelta(hours=24)
    touch_every: timedelta = timedelta(seconds=60)
    secure_cookies: bool = False


class StaffAuth:
    def __init__(
        self,
        store: StaffStore,
        *,
        signing_key: str,
        passwords: Passwords | None = None,
        throttle: LoginThrottle | None = None,
        policy: SessionPolicy | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.passwords = passwords or Passwords()
        self.throttle = throttle or LoginThrottle(store)
        self.policy = policy or SessionPolicy()
        self._signing_key = hashlib.sha256(b"rapport.staff.login-form|" + signing_key.encode()).digest()
        self._clock = clock
        self._signed_out: list[Callable[[str], Awaitable[None]]] = []

    # --- accounts ---------------------------------------------------------------------

    async def create_account(
        self, username: str, role: str, password: str, display_name: str | None = None
    ) -> StaffMember:
        username, role = normalise_username(username), check_role(role)
        name = (display_name or username).strip()
        if not name or len(name) > MAX_DISPLAY_NAME:
            raise AccountError(f"a display name is 1 to {MAX_DISPLAY_NAME} characters")
        password_hash = await self.passwords.hash(password)
        member = await self.store.create_account(username, name, role, password_hash, now=self._clock())
        logger.info("created staff account %s with role %s", member.id, role)
        return member

    async def set_password(self, username: str, password: str) -> StaffMember:
        member = await self._existing(username)
        await self.store.set_password_hash(member.id, await self.passwords.hash(password))
        await self.store.delete_sessions(member.id)
        return member

    async def set_disabled(self, username: str, disabled: bool) -> StaffMember:
        member = await self._existing(username)
        await self.store.set_disabled(member.id, self._clock() if disabled else None)
        if disabled:
            await self.store.delete_sessions(member.id)
        return member

    async def _existing(self, username: str) -> StaffMember:
        found = await self.store.credentials(normalise_username(username))
        if found is None:
            raise AccountError(f"no account named {username!r}")
        return found[0]

    # --- signing in and out -----------------------------------------------------------

    async def login(self, username: object, password: object, ip: str) -> tuple[str, StaffSession]:
        """A new session (cookie token, session) or LoginRefused."""
        try:
            name = normalise_username(username)
        except AccountError:
            raise LoginRefused(401, "Wrong username or password.") from None
        now = self._clock()
        allowed, wait = await self.throttle.begin(name, ip, now)
        if not allowed:
            seconds = max(1, int(wait + 0.999))
            raise LoginRefused(429, f"Too many failed sign-ins. Try again in {seconds} seconds.", seconds)
        found = await self.store.credentials(name)
        stored_hash = found[1] if found is not None else None
        ok = await self.passwords.verify(stored_hash, password if isinstance(password, str) else "")
        if not ok or found is None or found[0].disabled:
            logger.info("failed staff sign-in from %s", ip)
            raise LoginRefused(401, "Wrong username or password.")
        member = found[0]
        await self.throttle.succeeded(name, ip, now)
        if self.passwords.needs_rehash(stored_hash):
            await self.store.set_password_hash(member.id, await self.passwords.hash(password))
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires_at = now + min(self.policy.idle, self.policy.absolute)
        await self.store.create_session(token_hash(token), member.id, csrf, now=now, expires_at=expires_at)
        logger.info("staff account %s signed in", member.id)
        session = StaffSession(token_hash(token), member, csrf, now, now, expires_at)
        return token, session

    async def resolve(self, token: str | None) -> StaffSession | None:
        """The live session for a cookie token, sliding its idle expiry; None if not valid."""
        if not token or len(token) > 200:
            return None
        session = await self.store.session(token_hash(token))
        now = self._clock()
        if session is None or session.member.disabled:
            return None
        if now >= session.expires_at or now >= session.created_at + self.policy.absolute:
            await self.store.delete_session(session.token_hash)
            return None
        if now - session.last_seen_at >= self.policy.touch_every:
            expires_at = min(now + self.policy.idle, session.created_at + self.policy.absolute)
            await self.store.touch_session(session.token_hash, now=now, expires_at=expires_at)
        return session

    async def logout(self, session: StaffSession) -> None:
        await self.store.delete_session(session.token_hash)
        for listener in self._signed_out:
            await listener(session.token_hash)

    def on_sign_out(self, listener: Callable[[str], Awaitable[None]]) -> None:
        """Call `listener(session token hash)` when a session signs out in this process
        (the console closes that session's live sockets)."""
        self._signed_out.append(listener)

    async def online_agents(self, within: timedelta = timedelta(minutes=10)) -> int:
        return await self.store.online(self._clock() - within, ("agent", "admin"))

    # --- the sign-in form's CSRF token (there is no session yet) -------------------------

    def login_form_token(self, nonce: str) -> str:
        return hmac.new(self._signing_key, nonce.encode(), hashlib.sha256).hexdigest()

    def check_login_form_token(self, nonce: str | None, token: object) -> bool:
        if not nonce or not isinstance(token, str):
            return False
        return hmac.compare_digest(self.login_form_token(nonce), token)
