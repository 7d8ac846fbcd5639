"""REST integrations: each authenticates with its own API key, kept only as a SHA-256 digest.

    python -m bot.channels.rest create NAME   # prints the new key, once
    python -m bot.channels.rest revoke NAME   # the key stops working at once, on every gateway
    python -m bot.channels.rest list

Keys are 256 random bits, so a plain SHA-256 is enough to store them (a slow password hash
protects guessable secrets; these are not). The store keeps the digest and a short prefix
that tells keys apart in listings. The development key (RAPPORT_API_KEY, generated under
var/secrets locally) is the integration named "development", so `make run` works without one.

Customer references are namespaced per integration: two integrations' "crm-42" are two
customers. The development integration keeps the plain "api" channel.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from memory import ProfileStore, errors
from memory import ApiKeyView

DEVELOPMENT = "development"
CHANNEL = "api"
KEY_PREFIX = "rk_"
PREFIX_SHOWN = len(KEY_PREFIX) + 6
MAX_KEY_CHARS = 200
NAME_RULE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class InvalidIntegration(ValueError):
    """The integration cannot be created or changed; the text says why."""


@dataclass(frozen=True)
class Integration:
    name: str

    @property
    def identity_channel(self) -> str:
        """The identity channel its customer references live in."""
        return CHANNEL if self.name == DEVELOPMENT else f"{CHANNEL}:{self.name}"

    @property
    def scope(self) -> str:
        """Its idempotency keys' namespace."""
        return self.identity_channel


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RULE.fullmatch(name):
        raise InvalidIntegration(
            "an integration name is 1-40 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    if name == DEVELOPMENT:
        raise InvalidIntegration(f"'{DEVELOPMENT}' is the RAPPORT_API_KEY integration")
    return name


class Integrations:
    """Creates, revokes and recognises integrations' keys."""

    def __init__(self, store: ProfileStore, development_key: str = "") -> None:
        self._store = store
        self._development_key = development_key.encode()

    async def authenticate(self, key: str) -> Integration | None:
        """The integration this key belongs to, or None. StoreUnavailable if it cannot tell."""
        presented = key.encode("utf-8", "surrogateescape")
        if self._development_key and hmac.compare_digest(presented, self._development_key):
            return Integration(DEVELOPMENT)
        if not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_CHARS:
            return None  # not one of ours: no database round trip for junk
        name = await self._store.api_key_owner(key_digest(key))
        return Integration(name) if name is not None else None

    async def create(self, name: str, *, actor: str) -> str:
        """A new key for the integration, returned once and never stored."""
        name = check_name(name)
        key = new_key()
        try:
            await self._store.add_api_key(
                name, prefix=key[:PREFIX_SHOWN], key_hash=key_digest(key), actor=actor
            )
        except errors.IntegrationConflict:
            raise InvalidIntegration(
                f"'{name}' already has an active key; revoke it first"
            ) from None
        return key

    async def revoke(self, name: str, *, actor: str) -> bool:
        return await self._store.revoke_api_key(check_name(name), actor=actor) > 0

    async def listed(self, *, include_revoked: bool = True) -> list[ApiKeyView]:
        return await self._store.api_keys(include_revoked=include_revoked)
