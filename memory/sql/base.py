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
        spec = self._catalog.specs.get(row.key)
        return FactView(
            key=row.key,
            value=row.value,
            source=Source(row.channel, row.conversation_id, row.message_id, row.actor),
            observed_at=row.observed_at,
            confidence=row.confidence,
            stale=spec.is_stale(row.observed_at, now) if spec is not None else True,
        )
