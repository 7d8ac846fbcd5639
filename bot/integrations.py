"""REST integrations: each authenticates with its own API key, kept only as a SHA-256 digest.

    python -m bot.integrations create NAME    # prints the new key, once
    python -m bot.integrations revoke NAME    # the key stops working at once, on every gateway
    python -m bot.integrations list

Keys are 256 random bits, so a plain SHA-256 is enough to store them (a slow password hash
protects guessable secrets; these are not). The store keeps the digest and a short prefix
that tells keys apart in listings. The development key (RAPPORT_API_KEY, generated under
var/secrets locally) is the integration named "development", so `make run` works without one.

Customer references are namespaced per integration: two integrations' "crm-42" are two
customers. The development integration keeps the plain "api" channel.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import re
import secrets
import sys
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


def describe(key: ApiKeyView) -> str:
    state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
    return f"{key.integration}\t{key.prefix}…\tcreated {key.created_at:%Y-%m-%d %H:%M}\t{state}"


async def run(args: argparse.Namespace, profile_db_url: str) -> str:
    from memory import open_store

    store = await open_store(profile_db_url)
    try:
        integrations = Integrations(store)
        actor = f"cli:{os.environ.get('USER') or 'unknown'}"
        if args.command == "create":
            key = await integrations.create(args.name, actor=actor)
            return (
                f"created integration {args.name}\n"
                f"API key (shown once; keep it secret): {key}\n"
                f"send it as 'Authorization: Bearer <key>'"
            )
        if args.command == "revoke":
            if not await integrations.revoke(args.name, actor=actor):
                raise InvalidIntegration(f"'{args.name}' has no active key")
            return f"revoked the key of {args.name}"
        keys = await integrations.listed()
        return "\n".join(describe(key) for key in keys) or "no integrations yet"
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    from bot.cli import run_admin_command

    parser = argparse.ArgumentParser(
        prog="python -m bot.integrations", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an integration and print its key once")
    create.add_argument("name")
    commands.add_parser("revoke", help="revoke an integration's key").add_argument("name")
    commands.add_parser("list", help="list integrations and their key prefixes")
    args = parser.parse_args(argv)
    return run_admin_command(lambda settings: run(args, settings.profile_db_url),
                             (InvalidIntegration, errors.ProfileStoreError))


if __name__ == "__main__":
    sys.exit(main())
