"""The settings the actions read, taken once per process from bot.settings."""

from __future__ import annotations

from functools import lru_cache

from bot.settings import Settings


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return Settings.from_env()


def currency() -> str:
    """The shop's currency (ISO 4217): catalogue prices and bare amounts are in it."""
    return _settings().currency
