"""Needs area: what customers want, found out in conversation, and its amendments.

The interface checks every input once, then calls the storage step that the fake and
SQL stores implement.
"""
from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memory import errors
from memory.api import validation
from memory.api.provenance import UNCHANGED, FieldChange, Source, Unchanged, default_actor, requested

# One check per field, shared by add_need and amend_need, so an amended value meets
# exactly the limits of the first one.
NEED_FIELDS: dict[str, Callable[[object], Any]] = {
    "category": lambda v: validation.text("category", v, validation.MAX_LABEL),
    "product": lambda v: validation.optional_text("product", v, validation.MAX_SHORT_TEXT),
    "budget": lambda v: validation.optional_text("budget", v, validation.MAX_LABEL),
    "timeframe": lambda v: validation.optional_text("timeframe", v, validation.MAX_LABEL),
    "words": lambda v: validation.text("words", v, validation.MAX_LONG_TEXT, allow_empty=True),
}


@dataclass(frozen=True)
class NeedView:
    id: int
    customer_id: str
    category: str
    product: str | None
    budget: str | None
    timeframe: str | None
    words: str
    source: Source
    created_at: datetime
    # Every amendment, oldest first: the current values are the fields above.
    changes: tuple[FieldChange, ...] = ()

    @property
    def updated_at(self) -> datetime:
        """When the need last changed (created_at if it never did)."""
        return self.changes[-1].at if self.changes else self.created_at


class NeedStore(abc.ABC):
    """Needs. Every method is one unit of work; unknown customers raise UnknownCustomer."""

    async def add_need(
        self,
        customer_id: str,
        *,
        category: str,
        words: str,
        source: Source,
        product: str | None = None,
        budget: str | None = None,
        timeframe: str | None = None,
    ) -> NeedView:
        """Record a need found out in conversation, with the customer's own words.

        The storage step gets the checked fields and `source`, as NeedView names them."""
        given = {"category": category, "words": words, "product": product, "budget": budget,
                 "timeframe": timeframe}
        values = {name: NEED_FIELDS[name](value) for name, value in given.items()}
        return await self._add_need(customer_id, {**values, "source": validation.source(source)})

    async def amend_need(
        self,
        need_id: int,
        *,
        source: Source,
        category: str | Unchanged = UNCHANGED,
        product: str | None | Unchanged = UNCHANGED,
        budget: str | None | Unchanged = UNCHANGED,
        timeframe: str | None | Unchanged = UNCHANGED,
        words: str | Unchanged = UNCHANGED,
    ) -> NeedView:
        """Change the fields given (None clears an optional one) and keep the old values:
        one FieldChange per changed field in `NeedView.changes`. A value equal to the
        current one is no change, so a call that changes nothing returns the need as it
        is. Same checks as add_need; an unknown id raises UnknownNeed."""
        if not isinstance(need_id, int) or isinstance(need_id, bool):
            raise errors.UnknownNeed(need_id)
        source = validation.source(source)
        actor = validation.name("actor", default_actor(source))
        wanted = requested(NEED_FIELDS, {"category": category, "product": product, "budget": budget,
                                         "timeframe": timeframe, "words": words})
        return await self._amend_need(need_id, source, actor, wanted)

    @abc.abstractmethod
    async def needs(self, customer_id: str) -> list[NeedView]: ...

    # Storage steps: called with checked input only.

    @abc.abstractmethod
    async def _add_need(self, customer_id: str, values: dict[str, Any]) -> NeedView: ...

    @abc.abstractmethod
    async def _amend_need(
        self, need_id: int, source: Source, actor: str, wanted: dict[str, Any]
    ) -> NeedView:
        """Apply the fields in `wanted` that differ, one history entry each."""
