"""`python -m bot.channels.telegram set-webhook URL`: register the gateway's webhook with Telegram."""

from __future__ import annotations

import argparse
import asyncio
import sys

from telegram.error import TelegramError

from bot.channels.telegram import WEBHOOK_PATH, set_webhook
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.telegram",
        description="Register the gateway's webhook with Telegram (run once per deployment).",
    )
    parser.add_argument("command", choices=["set-webhook"])
    parser.add_argument("url", help=f"the public HTTPS URL of {WEBHOOK_PATH}")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if not settings.telegram_token:
        print("RAPPORT_TELEGRAM_TOKEN is not set", file=sys.stderr)
        return 2
    try:
        asyncio.run(set_webhook(settings, args.url))
    except (ValueError, TelegramError) as problem:
        print(f"could not set the webhook: {problem}", file=sys.stderr)
        return 1
    print(f"Telegram now sends updates to {args.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
