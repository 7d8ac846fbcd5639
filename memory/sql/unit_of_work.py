"""One unit of work: one connection, one transaction, the repositories that share it.

Repositories never commit; the operation calls `commit()` once everything
succeeded, and anything else rolls back. `run_unit_of_work` is the async entry
point the profile store uses, `transaction` the one the staff and handoff stores use
(they run plain statements): in both, driver-level failures (server gone, database
locked past the busy timeout) surface as `errors.StoreUnavailable`.
"""
from __future__ import annotations

import logging
from functools import cached_property
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from memory import errors
from memory.sql.engine import Runner
from memory.sql.models.offers import Consent, OfferEvent
from memory.sql.models.satisfaction import SatisfactionRow
from memory.sql.models.value import Purchase
from memory.sql.repositories.base import CustomerRows
from memory.sql.repositories.channels import (
    ApiKeyRepository,
    LinkTokenRepository,
    RequestRepository,
)
from memory.sql.repositories.complaints import ComplaintRepository
from memory.sql.repositories.conversations import ConversationRepository
from memory.sql.repositories.customers import CustomerRepository, FactRepository
from memory.sql.repositories.handoffs import HandoffRows
from memory.sql.repositories.needs import NeedRepository
from memory.sql.repositories.offers import OfferRepository
from memory.sql.repositories.privacy import AuditRepository
from memory.sql.writer import begin

log = logging.getLogger(__name__)

T = TypeVar("T")

_UNAVAILABLE = (DBAPIError, OSError, TimeoutError, ConnectionError)


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, _UNAVAILABLE) and not isinstance(exc, IntegrityError)


class UnitOfWork:
    """Repositories are created on first use: most operations touch one or two."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._transaction = begin(connection)

    @cached_property
    def customers(self) -> CustomerRepository:
        return CustomerRepository(self.connection)

    @cached_property
    def facts(self) -> FactRepository:
        return FactRepository(self.connection)

    @cached_property
    def conversations(self) -> ConversationRepository:
        return ConversationRepository(self.connection)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.connection)

    @cached_property
    def needs(self) -> NeedRepository:
        return NeedRepository(self.connection)

    @cached_property
    def complaints(self) -> ComplaintRepository:
        return ComplaintRepository(self.connection)

    @cached_property
    def satisfaction(self) -> CustomerRows:
        return CustomerRows(self.connection, SatisfactionRow, SatisfactionRow.created_at)

    @cached_property
    def consents(self) -> CustomerRows:
        return CustomerRows(self.connection, Consent, Consent.granted_at)

    @cached_property
    def offers(self) -> OfferRepository:
        return OfferRepository(self.connection)

    @cached_property
    def offer_events(self) -> CustomerRows:
        return CustomerRows(self.connection, OfferEvent, OfferEvent.created_at)

    @cached_property
    def purchases(self) -> CustomerRows:
        return CustomerRows(self.connection, Purchase, Purchase.purchased_at)

    @cached_property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository(self.connection)

    @cached_property
    def requests(self) -> RequestRepository:
        return RequestRepository(self.connection)

    @cached_property
    def link_tokens(self) -> LinkTokenRepository:
        return LinkTokenRepository(self.connection)

    @property
    def customer_data(self) -> dict:
        """Everything that belongs to one customer: moved on merge, deleted on erasure.

        Order matters for erasure: rows that reference others come first.
        """
        return {
            "handoffs": HandoffRows(self.connection),
            "facts": self.facts,
            "interactions": self.conversations,
            "needs": self.needs,
            "complaints": self.complaints,
            "satisfaction": self.satisfaction,
            "consents": self.consents,
            "offer_events": self.offer_events,
            "purchases": self.purchases,
            "idempotent_requests": self.requests,
            "link_tokens": self.link_tokens,
        }

    def commit(self) -> None:
        self._transaction.commit()

    def close(self) -> None:
        """Roll back unless committed."""
        if self._transaction.is_active:
            self._transaction.rollback()


async def run_unit_of_work(
    runner: Runner, operation: Callable[[UnitOfWork], T], *, write: bool
) -> T:
    def in_transaction(connection: Connection) -> T:
        unit = UnitOfWork(connection)
        try:
            return operation(unit)
        finally:
            unit.close()

    try:
        return await runner.run(in_transaction, write=write, grouped=write)
    except Exception as exc:
        if is_unavailable(exc):
            log.warning("profile store operation failed: %s", type(exc).__name__)
            raise errors.StoreUnavailable("the profile database is busy or unreachable") from exc
        raise


async def transaction(runner: Runner, operation: Callable[[Connection], T], *, write: bool) -> T:
    """Run `operation` in one transaction, committed when it returns without raising."""

    def in_transaction(connection: Connection) -> T:
        with begin(connection):
            return operation(connection)

    try:
        # A read is one statement (or a few that tolerate READ COMMITTED): no explicit
        # transaction, so nothing to commit; the runner rolls back whatever it began.
        return await runner.run(in_transaction if write else operation, write=write, grouped=write)
    except Exception as error:
        if is_unavailable(error):
            log.warning("staff database operation failed: %s", type(error).__name__)
            raise errors.StoreUnavailable("the database is busy or unreachable") from error
        raise


class Transactions:
    """For stores that run plain statements, one transaction per operation (staff, handoffs)."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    async def _read(self, operation: Callable[[Connection], T]) -> T:
        return await transaction(self._runner, operation, write=False)

    async def _write(self, operation: Callable[[Connection], T]) -> T:
        return await transaction(self._runner, operation, write=True)
