"""What every SQL area relies on: running units of work, and rows turned into views.

Each area of the store (memory.sql.<area>) is a mixin of SqlProfileStore on SqlBase; it
implements the storage steps of its interface (memory.api.<area>), which gets input
that is already checked.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from memory.api.provenance import FieldChange, Source
from memory.config import FactCatalog
from memory.sql.engine import Runner
from memory.sql.unit_of_work import UnitOfWork, run_unit_of_work

T = TypeVar("T")


class SqlBase:
    _catalog: FactCatalog
    _runner: Runner

    def _now(self) -> datetime:
        raise NotImplementedError

    async def _read(self, operation: Callable[[UnitOfWork], T]) -> T:
        return await run_unit_of_work(self._runner, operation, write=False)

    async def _write(self, operation: Callable[[UnitOfWork], T]) -> T:
        """Run a write; the operation must call uow.commit() when it succeeded."""
        return await run_unit_of_work(self._runner, operation, write=True)


def source_of(row) -> Source:
    """The Source of a row with the source columns (memory.sql.models.base.SourceColumns)."""
    return Source(row.channel, row.conversation_id, row.message_id, row.actor)


def change_view(row) -> FieldChange:
    source = (None if row.channel is None else
              Source(row.channel, row.conversation_id, row.message_id, row.source_actor))
    return FieldChange(row.field, row.old_value, row.new_value, row.at, row.actor, source)


def changes_by_owner(log, owner_ids: list[int]) -> dict[int, tuple[FieldChange, ...]]:
    """The amendments of each need or complaint (a repositories.base.ChangeLog), oldest first."""
    found: dict[int, list[FieldChange]] = {}
    for row in log.for_owners(owner_ids):
        found.setdefault(getattr(row, log.owner_key), []).append(change_view(row))
    return {key: tuple(changes) for key, changes in found.items()}


def history_rows(changes, at, actor: str, source: Source | None) -> list[dict[str, Any]]:
    """ChangeLog rows for (field, old, new) changes made at `at` by `actor`."""
    where = {"channel": None, "conversation_id": None, "message_id": None, "source_actor": None}
    if source is not None:
        where = {"channel": source.channel, "conversation_id": source.conversation_id,
                 "message_id": source.message_id, "source_actor": source.actor}
    return [
        {"field": name, "old_value": old, "new_value": new, "at": at, "actor": actor, **where}
        for name, old, new in changes
    ]
