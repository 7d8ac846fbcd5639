"""Privacy area in memory: audited erasure and the audit log (the export is memory.api.privacy)."""
from __future__ import annotations

from typing import Any

from memory.api.privacy import plain
from memory.fake.base import FakeBase


class FakePrivacy(FakeBase):
    async def _erase(self, customer_id: str, *, actor: str, reason: str) -> None:
        customer_id = self._resolve(customer_id)
        state = self._state
        counts = self._erase_customer_data(customer_id)
        counts["facts"] = len(state.observations.pop(customer_id, []))
        state.current.pop(customer_id, None)
        identities = [k for k, row in state.identities.items() if row.customer_id == customer_id]
        for key in identities:
            del state.identities[key]
        counts["identities"] = len(identities)
        counts["handoffs"] = 0  # the fake holds no handoff queue (memory.fake.handoffs does)
        now = self._now()
        for record in state.audit:
            if customer_id in (record["customer_id"], record["other_customer_id"]):
                record["detail"] = {"redacted": "erasure"}
        for cid, row in state.customers.items():
            if cid == customer_id or row.merged_into == customer_id:
                row.erased_at = now
        self._audit(now, actor, "erase", customer_id, None,
                    {"reason": reason, "deleted": counts})

    async def audit_log(self, customer_id: str) -> list[dict[str, Any]]:
        return [
            plain(record) for record in self._state.audit
            if customer_id in (record["customer_id"], record["other_customer_id"])
        ]
