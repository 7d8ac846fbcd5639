"""Customers area: customers, their channel identities and their facts.

The interface checks every input once, then calls the storage step (`_identify`,
`_remember`...) that the fake and SQL stores implement.
"""
from __future__ import annotations

import abc
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from memory.api import validation
from memory.api.provenance import Source
from memory.config import FactCatalog


@dataclass(frozen=True)
class FactView:
    key: str
    value: str
    source: Source
    observed_at: datetime
    confidence: float
    stale: bool = False


@dataclass(frozen=True)
class Profile:
    """The current view of one customer: the latest value of every fact key."""

    customer_id: str
    facts: dict[str, FactView] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        fact = self.facts.get(key)
        return fact.value if fact is not None else None

    def knows(self, key: str) -> bool:
        """True when the value is held and fresh: the bot must not ask for it."""
        fact = self.facts.get(key)
        return fact is not None and not fact.stale

    def needs_confirmation(self, key: str) -> bool:
        """True when a value is held but stale: confirm it rather than ask again."""
        fact = self.facts.get(key)
        return fact is not None and fact.stale


@dataclass(frozen=True)
class IdentityView:
    channel: str
    external_id: str
    customer_id: str
    linked_at: datetime
    linked_by: str | None


class CustomerStore(abc.ABC):
    """Customers, their channel identities and their facts."""

    _catalog: FactCatalog

    @abc.abstractmethod
    def _now(self) -> datetime: ...

    async def identify(self, channel: str, external_id: str) -> str:
        """Get or create the customer attached to this identity. Race-safe."""
        return await self._identify(
            validation.name("channel", channel), validation.name("external_id", external_id)
        )

    async def find_customer(self, channel: str, external_id: str) -> str | None:
        """The customer attached to this identity, without creating one."""
        return await self._find_customer(
            validation.name("channel", channel), validation.name("external_id", external_id)
        )

    @abc.abstractmethod
    async def identities(self, customer_id: str) -> list[IdentityView]:
        """Every identity attached to the customer, oldest first."""

    async def link_identity(
        self, customer_id: str, channel: str, external_id: str, *, actor: str, reason: str
    ) -> None:
        """Attach a verified identity to a customer; audited. IdentityConflict if taken."""
        await self._link_identity(
            customer_id,
            validation.name("channel", channel),
            validation.name("external_id", external_id),
            actor=validation.name("actor", actor),
            reason=validation.text("reason", reason, validation.MAX_LONG_TEXT),
        )

    async def merge_customers(self, keep_id: str, absorb_id: str, *, actor: str) -> None:
        """Move everything of `absorb_id` into `keep_id`; newer facts win. Audited.

        The absorbed id keeps working afterwards: it resolves to `keep_id`.
        """
        await self._merge_customers(keep_id, absorb_id, actor=validation.name("actor", actor))

    async def remember(
        self,
        customer_id: str,
        key: str,
        value: str,
        *,
        source: Source,
        confidence: float = 1.0,
        observed_at: datetime | None = None,
    ) -> FactView:
        """Record one observation of a fact. The newest observation is the current value."""
        spec = self._catalog.spec(key)
        value = validation.text(f"value of {key}", value, spec.max_length)
        source = validation.source(source)
        confidence = validation.confidence(confidence)
        now = self._now()
        observed_at = validation.check_observed_at(observed_at, now)
        fact = FactView(key, value, source, observed_at, confidence)
        await self._remember(customer_id, fact, now)
        return dataclasses.replace(fact, stale=spec.is_stale(observed_at, now))

    @abc.abstractmethod
    async def profile(self, customer_id: str) -> Profile:
        """The current value of every fact key held for the customer."""

    async def fact_history(self, customer_id: str, key: str | None = None) -> list[FactView]:
        """Every observation of `key` (of every key when None), newest first."""
        if key is not None:
            self._catalog.spec(key)
        return await self._fact_history(customer_id, key)

    # Storage steps: called with checked input only.

    @abc.abstractmethod
    async def _identify(self, channel: str, external_id: str) -> str: ...

    @abc.abstractmethod
    async def _find_customer(self, channel: str, external_id: str) -> str | None: ...

    @abc.abstractmethod
    async def _link_identity(
        self, customer_id: str, channel: str, external_id: str, *, actor: str, reason: str
    ) -> None: ...

    @abc.abstractmethod
    async def _merge_customers(self, keep_id: str, absorb_id: str, *, actor: str) -> None: ...

    @abc.abstractmethod
    async def _remember(self, customer_id: str, fact: FactView, now: datetime) -> None:
        """Keep the observation (`fact.stale` is not stored); `now` is when it was recorded."""

    @abc.abstractmethod
    async def _fact_history(self, customer_id: str, key: str | None) -> list[FactView]: ...
