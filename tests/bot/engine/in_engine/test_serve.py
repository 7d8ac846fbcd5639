"""The fixes bot/engine/serve.py applies inside the engine process give Rasa's own answers."""

from __future__ import annotations

import sqlite3

import pytest
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.utils.common import all_subclasses
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from bot.engine.serve import resolve_events_by_table, sqlite_without_fsync_per_commit

ORIGINAL = Event.resolve_by_type


def test_every_event_type_resolves_to_the_class_rasa_finds():
    resolve = resolve_events_by_table(ORIGINAL)
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert "user" in names and "slot" in names and len(names) > 20
    for name in names:
        assert resolve(name) is ORIGINAL(name)
    assert resolve("user") is UserUttered


def test_unknown_event_types_behave_as_in_rasa():
    resolve = resolve_events_by_table(ORIGINAL)
    assert resolve("topic") is None
    assert resolve("no-such-event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        resolve("no-such-event")


def test_an_event_class_imported_after_the_first_lookup_is_found():
    resolve = resolve_events_by_table(ORIGINAL)
    resolve("user")

    class LateEvent(Event):
        type_name = "late_event_for_test"

        def as_story_string(self):
            return None

        def __eq__(self, other):
            return isinstance(other, LateEvent)

        __hash__ = Event.__hash__

    assert resolve("late_event_for_test") is LateEvent


def test_sqlite_tracker_connections_commit_without_an_fsync_each(tmp_path):
    event.listen(Engine, "connect", sqlite_without_fsync_per_commit)
    try:
        engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        engine.dispose()
    finally:
        event.remove(Engine, "connect", sqlite_without_fsync_per_commit)
    with sqlite3.connect(tmp_path / "other.db") as untouched:
        assert untouched.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL, the default


def test_the_cached_validator_finds_a_reused_schema_and_still_refuses_bad_responses():
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    from bot.engine.serve import cached_validate

    validate = cached_validate(jsonschema.validate)
    spec = RemoteAction.action_response_format_spec()
    validate({"events": [], "responses": []}, spec)
    validate({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []}, spec)
    with pytest.raises(jsonschema.ValidationError):
        validate({"events": "not a list"}, spec)
    with pytest.raises(jsonschema.ValidationError):
        validate({"events": "not a list"}, dict(spec))  # an equal schema, another object
