"""What every SQL mixin relies on: running units of work, a clock, the fact catalogue."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, TypeVar

from memory.config import FactCatalog
from memory.sql.engine import Runner
from memory.sql.unit_of_work import UnitOfWork, run_unit_of_work
from memory.views import FactView, Source

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

    def _fact_view(self, row, now: datetime) -> FactView:
        """A FactView from a row ending in the FACT_COLUMNS (see repositories)."""
        key, value, channel, conversation_id, message_id, actor, observed_at, confidence = (
            tuple(row)[-8:]
        )
        spec = self._catalog.specs.get(key)
        return FactView(
            key,
            value,
            Source(channel, conversation_id, message_id, actor),
            observed_at,
            confidence,
            spec.is_stale(observed_at, now) if spec is not None else True,
        )
