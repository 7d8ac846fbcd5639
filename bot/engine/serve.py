"""Starts the Rasa engine (`python -m bot.engine.serve run ...`, same arguments as `rasa`)
with measured fixes applied inside the engine process (py-spy, under `make bench-throughput`):

- Cached JSON-schema validators. Rasa 3.6 validates every action-server response, NLG
  response and posted event list with `jsonschema.validate`, which checks the *schema
  itself* against its meta-schema on every call before validating the data. With
  jsonschema 4.17 that took about 85% of the engine's CPU under load. Here each distinct
  schema is checked once and its validator reused; every response is still validated,
  with the same validator class and the same errors.
  Rasa's response schemas are built once, so the validator is found by identity.
- Event types looked up in a table. Rasa turns every stored event back into an object by
  walking all subclasses of `Event` for its type name (`Event.resolve_by_type`): 8% of
  the engine's CPU, since each turn reloads the whole tracker. The table is rebuilt
  whenever a name is missing, so an event class imported later is still found.
- SQLite tracker store connections with `synchronous=NORMAL`, as the profile store has:
  in WAL mode a commit then writes the log without waiting for an fsync (a crash of the
  process loses nothing; a power cut can lose the last turns, never consistency).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def cached_validate(original: Any) -> Any:
    """A drop-in `jsonschema.validate` that builds each schema's validator once."""
    import jsonschema
    from jsonschema.exceptions import best_match

    validators: dict[tuple[str, Any], Any] = {}
    # The schema objects seen last, by identity: Rasa's spec functions are cached (see
    # `cache_response_specs`), so the usual call finds its validator without serialising
    # the schema to a key (that was 4% of the engine's CPU under load).
    by_identity: dict[tuple[int, Any], tuple[Any, Any]] = {}

    def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            return original(instance, schema, cls, *args, **kwargs)
        seen = by_identity.get((id(schema), cls))
        if seen is not None and seen[0] is schema:
            validator = seen[1]
        else:
            key = (json.dumps(schema, sort_keys=True, default=str), cls)
            validator = validators.get(key)
            if validator is None:
                validator_class = cls or jsonschema.validators.validator_for(schema)
                validator_class.check_schema(schema)
                validator = validators[key] = validator_class(schema)
            by_identity[(id(schema), cls)] = (schema, validator)
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        return None

    return validate


def cache_response_specs() -> None:
    """Rasa builds the action-server and NLG response schemas afresh for every response;
    they never change, so build each once (the cached validator then finds it by identity)."""
    from functools import lru_cache

    from rasa.core.actions.action import RemoteAction
    from rasa.core.nlg import callback

    RemoteAction.action_response_format_spec = staticmethod(
        lru_cache(maxsize=1)(RemoteAction.action_response_format_spec))
    callback.nlg_response_format_spec = lru_cache(maxsize=1)(callback.nlg_response_format_spec)


def resolve_events_by_table(original: Any) -> Any:
    """A drop-in `Event.resolve_by_type` that finds the class in a table by type name."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = table.get(type_name)
        if found is None:
            # The first subclass with the name wins, as in Rasa's own walk.
            table.clear()
            table.update({cls.type_name: cls for cls in reversed(all_subclasses(Event))})
            found = table.get(type_name)
        return found if found is not None else original(type_name, default)

    return resolve_by_type


def sqlite_without_fsync_per_commit(dbapi_connection: Any, _record: Any) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def main(argv: list[str] | None = None) -> None:
    import jsonschema
    from rasa.shared.core.events import Event
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    jsonschema.validate = cached_validate(jsonschema.validate)
    cache_response_specs()
    Event.resolve_by_type = staticmethod(resolve_events_by_table(Event.resolve_by_type))
    event.listen(Engine, "connect", sqlite_without_fsync_per_commit)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
