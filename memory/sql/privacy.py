"""Privacy area on SQL: audited erasure and the audit log (the export is memory.api.privacy)."""
from __future__ import annotations

import logging
from typing import Any

from memory.api.privacy import plain
from memory.sql.base import SqlBase
from memory.sql.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class SqlPrivacy(SqlBase):
    async def _erase(self, customer_id: str, *, actor: str, reason: str) -> None:
        def erase(uow: UnitOfWork) -> str:
            live_id = uow.customers.resolve(customer_id)
            uow.customers.lock_for_update(live_id)
            counts = {name: repo.delete_all(live_id) for name, repo in uow.customer_data.items()}
            counts["identities"] = uow.customers.delete_identities(live_id)
            now = self._now()
            uow.customers.mark_erased(live_id, now)
            uow.audit.redact(live_id)
            uow.audit.add(
                at=now, actor=actor, action="erase", customer_id=live_id,
                other_customer_id=None, detail={"reason": reason, "deleted": counts},
            )
            uow.commit()
            return live_id

        live_id = await self._write(erase)
        log.info("erased customer %s", live_id)

    async def audit_log(self, customer_id: str) -> list[dict[str, Any]]:
        def read(uow: UnitOfWork) -> list[dict[str, Any]]:
            return [
                plain(
                    {
                        "at": row.at, "actor": row.actor, "action": row.action,
                        "customer_id": row.customer_id,
                        "other_customer_id": row.other_customer_id, "detail": row.detail,
                    }
                )
                for row in uow.audit.for_customer(customer_id)
            ]

        return await self._read(read)
