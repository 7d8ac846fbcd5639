"""Writes the engine's endpoints.yml and credentials.yml from the settings."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.settings import Settings


def tracker_store(url: str) -> dict[str, Any]:
    """Rasa's SQL tracker store configuration for a SQLAlchemy-style database URL."""
    parts = urlsplit(url)
    dialect = parts.scheme.split("+", 1)[0]
    if dialect == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db, as in SQLAlchemy.
        return {"type": "SQL", "dialect": "sqlite", "db": parts.path[1:]}
    if dialect in ("postgresql", "postgres"):
        return {
            "type": "SQL",
            "dialect": "postgresql",
            "url": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "username": parts.username or "postgres",
            "password": parts.password or "",
            "db": parts.path.lstrip("/") or "rapport",
        }
    raise ValueError(f"unsupported tracker store URL scheme {parts.scheme!r}")


def prepare_tracker_store(url: str) -> None:
    """Put a SQLite tracker store in WAL mode (a setting the file keeps): the engine then
    writes each turn without blocking readers, and without a rollback journal per commit."""
    config = tracker_store(url)
    if config["dialect"] != "sqlite":
        return
    path = Path(config["db"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def lock_store(redis_url: str) -> dict[str, Any]:
    if not redis_url:
        return {"type": "in_memory"}
    parts = urlsplit(redis_url)
    config: dict[str, Any] = {
        "type": "redis",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        "key_prefix": "rapport",
    }
    if parts.password:
        config["password"] = parts.password
    return config


def nlg_endpoint(settings: Settings) -> dict[str, Any]:
    return {
        "type": "bot.studio.engine_nlg.GatewayNaturalLanguageGenerator",
        "url": settings.nlg_url,
        "token": settings.nlg_token,
    }


def write_engine_config(settings: Settings) -> tuple[Path, Path]:
    """Write endpoints.yml and credentials.yml under the data directory; return their paths."""
    endpoints = {
        # Not "enable_selective_domain": rasa-sdk 3.21 answers a call without the domain
        # with HTTP 449 ("retry with the domain"), a retry Rasa 3.6 does not make.
        "action_endpoint": {"url": f"{settings.actions_url}/webhook"},
        "tracker_store": tracker_store(settings.tracker_db_url),
        "lock_store": lock_store(settings.redis_url),
        # Every response comes from the gateway (the studio's published wording), with the
        # model's own responses as the fallback (bot/studio/engine_nlg.py).
        "nlg": nlg_endpoint(settings),
    }
    credentials = {"rest": None}
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    endpoints_path = settings.data_dir / "endpoints.yml"
    credentials_path = settings.data_dir / "credentials.yml"
    endpoints_path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    credentials_path.write_text(yaml.safe_dump(credentials, sort_keys=False))
    return endpoints_path, credentials_path
