"""What the engine is started with: its command line, endpoints.yml and credentials.yml."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.engine.processes import ENGINE_PYTHON, engine_env
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
        "type": "bot.engine.nlg.GatewayNaturalLanguageGenerator",
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
        # model's own responses as the fallback (bot/engine/nlg.py).
        "nlg": nlg_endpoint(settings),
    }
    credentials = {"rest": None}
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    endpoints_path = settings.data_dir / "endpoints.yml"
    credentials_path = settings.data_dir / "credentials.yml"
    endpoints_path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    credentials_path.write_text(yaml.safe_dump(credentials, sort_keys=False))
    return endpoints_path, credentials_path


def engine_command(settings: Settings, endpoints: Path, credentials: Path, model: Path) -> list[str]:
    """`rasa run` through our entry point (bot/engine/serve.py), bound to localhost."""
    return [
        str(ENGINE_PYTHON), "-m", "bot.engine.serve", "run",
        "--interface", "127.0.0.1", "--port", str(settings.engine_port),
        "--enable-api", f"--auth-token={settings.engine_token}",
        "--model", str(model),
        "--endpoints", str(endpoints), "--credentials", str(credentials),
    ]


def engine_process_env(settings: Settings) -> dict[str, str]:
    """The engine's environment. It runs nlu/ on its own Python and reads the currency from
    its environment (nlu/money.py), so it gets the value the settings resolved."""
    return {**engine_env(), "RAPPORT_CURRENCY": settings.currency}


def write_preview_config(settings: Settings, directory: Path) -> tuple[Path, Path]:
    """endpoints.yml and credentials.yml for a preview engine: trackers kept in memory."""
    directory.mkdir(parents=True, exist_ok=True)
    endpoints, credentials = directory / "preview-endpoints.yml", directory / "preview-credentials.yml"
    endpoints.write_text(yaml.safe_dump({
        "action_endpoint": {"url": f"{settings.actions_url}/webhook"},
        "lock_store": lock_store(""),  # previews keep their trackers in memory
        "nlg": nlg_endpoint(settings),
    }))
    credentials.write_text(yaml.safe_dump({"rest": None}))
    return endpoints, credentials
