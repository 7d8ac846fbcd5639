"""`python -m bot.channels.rest create|revoke|list`: manage the REST integrations' API keys."""

from __future__ import annotations

import argparse
import os
import sys

from memory import errors, open_store
from memory.api.channels import ApiKeyView

from bot.channels.rest.integrations import __doc__ as HELP
from bot.channels.rest.integrations import Integrations, InvalidIntegration
from bot.cli import run_admin_command


def describe(key: ApiKeyView) -> str:
    state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
    return f"{key.integration}\t{key.prefix}…\tcreated {key.created_at:%Y-%m-%d %H:%M}\t{state}"


async def run(args: argparse.Namespace, profile_db_url: str) -> str:
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
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.rest", description=HELP,
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
