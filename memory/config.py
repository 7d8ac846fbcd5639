"""Configuration of the store: which fact keys exist, their limits and time to live.

The catalogue is read from YAML when a store is opened (never at import time);
`memory/facts.yml` is the default.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Mapping

import yaml

from memory import errors

DEFAULT_FACTS_PATH = Path(__file__).with_name("facts.yml")


@dataclass(frozen=True)
class FactSpec:
    key: str
    max_length: int
    ttl: timedelta | None = None

    def is_stale(self, observed_at: datetime, now: datetime) -> bool:
        return self.ttl is not None and now - observed_at > self.ttl


@dataclass(frozen=True)
class FactCatalog:
    specs: Mapping[str, FactSpec]

    def spec(self, key: str) -> FactSpec:
        try:
            return self.specs[key]
        except (KeyError, TypeError):
            raise errors.UnknownFactKey(str(key)) from None

    def __contains__(self, key: object) -> bool:
        return key in self.specs

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.specs)


def load_fact_catalog(path: str | Path | None = None) -> FactCatalog:
    """Read the fact catalogue; a malformed file fails loudly with its path in the message."""
    source = Path(path) if path is not None else DEFAULT_FACTS_PATH
    with source.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle) or {}
    entries = document.get("facts") if isinstance(document, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"{source}: expected a non-empty 'facts:' mapping")
    specs: dict[str, FactSpec] = {}
    for key, options in entries.items():
        options = options or {}
        max_length = options.get("max_length")
        ttl_days = options.get("ttl_days")
        if not isinstance(max_length, int) or max_length <= 0:
            raise ValueError(f"{source}: fact {key!r} needs a positive integer max_length")
        if ttl_days is not None and (not isinstance(ttl_days, (int, float)) or ttl_days <= 0):
            raise ValueError(f"{source}: fact {key!r} has an invalid ttl_days")
        ttl = timedelta(days=ttl_days) if ttl_days is not None else None
        specs[str(key)] = FactSpec(key=str(key), max_length=max_length, ttl=ttl)
    return FactCatalog(specs=specs)
