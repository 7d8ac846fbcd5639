"""What the admin command lines (`python -m bot.accounts`, `python -m bot.channels.rest`) share:
settings from the environment, a migrated profile store, one command, exit codes 0/1/2."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from memory import migrate

from bot.settings import InsecureSettings, Settings


def run_admin_command(command: Callable[[Settings], Awaitable[str]],
                      refused: tuple[type[Exception], ...]) -> int:
    """Print what `command` returns (0); a `refused` error is printed as such (1), and
    insecure settings stop it before anything runs (2)."""
    try:
        settings = Settings.from_env()
    except InsecureSettings as error:
        print(f"refusing to run: {error}", file=sys.stderr)
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.profile_db_url)
    try:
        print(asyncio.run(command(settings)))
    except refused as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
