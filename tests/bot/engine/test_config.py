"""The engine's endpoints: SQL tracker store, lock store, action server, WAL for SQLite."""

from __future__ import annotations

import sqlite3

import yaml

from bot.engine.config import prepare_tracker_store, write_engine_config


def test_endpoints_point_the_engine_at_its_stores_and_actions(make_settings):
    settings = make_settings(RAPPORT_REDIS_URL="redis://127.0.0.1:6379/3")
    endpoints_path, _ = write_engine_config(settings)
    endpoints = yaml.safe_load(endpoints_path.read_text())
    assert endpoints["tracker_store"] == {"type": "SQL", "dialect": "sqlite", "db": str(settings.data_dir / "tracker.db")}
    assert endpoints["lock_store"]["type"] == "redis" and endpoints["lock_store"]["db"] == 3
    # rasa-sdk 3.21 refuses calls without the domain (HTTP 449), which Rasa 3.6 does not retry.
    assert endpoints["action_endpoint"] == {"url": f"http://127.0.0.1:{settings.actions_port}/webhook"}


def test_postgres_tracker_store_from_a_url(make_settings):
    settings = make_settings(RAPPORT_TRACKER_DB_URL="postgresql://rapport:secret@db.internal:5433/trackers")
    endpoints = yaml.safe_load(write_engine_config(settings)[0].read_text())
    assert endpoints["tracker_store"] == {
        "type": "SQL", "dialect": "postgresql", "url": "db.internal", "port": 5433,
        "username": "rapport", "password": "secret", "db": "trackers",
    }


def test_a_sqlite_tracker_store_is_put_in_wal_mode(make_settings):
    settings = make_settings()
    prepare_tracker_store(settings.tracker_db_url)
    with sqlite3.connect(settings.data_dir / "tracker.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
