"""Channels area in memory: API keys, idempotent requests and link tokens."""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from memory import errors
from memory.api.channels import CLAIMED, DONE, PENDING, ApiKeyView, LinkRedemption, RequestClaim
from memory.fake.base import FakeBase
from memory.fake.state import IdentityRow


@dataclass
class RequestRow:
    fingerprint: str
    customer_id: str
    conversation_id: str
    created_at: datetime
    claimed_at: datetime
    response: dict[str, Any] | None = None
    completed_at: datetime | None = None


@dataclass
class LinkTokenRow:
    customer_id: str
    source_channel: str
    target_channel: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class FakeChannels(FakeBase):
    async def _add_api_key(
        self, integration: str, *, prefix: str, key_hash: str, actor: str
    ) -> ApiKeyView:
        keys = self._state.api_keys
        if any(k.integration == integration and k.active for k in keys.values()):
            raise errors.IntegrationConflict(integration)
        if key_hash in keys:
            raise errors.IntegrationConflict(integration)
        keys[key_hash] = ApiKeyView(integration, prefix, self._now(), actor, None)
        return keys[key_hash]

    async def _api_key_owner(self, key_hash: str) -> str | None:
        key = self._state.api_keys.get(key_hash)
        return key.integration if key is not None and key.active else None

    async def api_keys(self, *, include_revoked: bool = False) -> list[ApiKeyView]:
        keys = [k for k in self._state.api_keys.values() if include_revoked or k.active]
        return list(reversed(keys))

    async def _revoke_api_key(self, integration: str, *, actor: str) -> int:
        keys = self._state.api_keys
        active = [h for h, k in keys.items() if k.integration == integration and k.active]
        now = self._now()
        for key_hash in active:
            keys[key_hash] = dataclasses.replace(keys[key_hash], revoked_at=now)
        return len(active)

    async def _claim_request(
        self, scope: str, key: str, *, fingerprint: str, customer_id: str,
        conversation_id: str, lease: timedelta, keep_for: timedelta,
    ) -> RequestClaim:
        customer_id = self._resolve(customer_id)
        now = self._now()
        requests = self._state.requests
        row = requests.get((scope, key))
        if row is None or row.created_at <= now - keep_for:
            requests[(scope, key)] = RequestRow(fingerprint, customer_id, conversation_id, now, now)
            return RequestClaim(CLAIMED, conversation_id, None, now)
        if row.fingerprint != fingerprint:
            raise errors.RequestMismatch()
        if row.completed_at is not None:
            return RequestClaim(DONE, row.conversation_id, copy.deepcopy(row.response),
                                row.created_at)
        if row.claimed_at <= now - lease:
            row.claimed_at = now
            return RequestClaim(CLAIMED, row.conversation_id, None, row.created_at)
        return RequestClaim(PENDING, row.conversation_id, None, row.created_at)

    async def _complete_request(self, scope: str, key: str, response: dict[str, Any]) -> None:
        row = self._state.requests.get((scope, key))
        if row is not None and row.completed_at is None:
            row.response, row.completed_at = response, self._now()

    async def release_request(self, scope: str, key: str) -> None:
        row = self._state.requests.get((scope, key))
        if row is not None and row.completed_at is None:
            del self._state.requests[(scope, key)]

    async def _issue_link_token(
        self, jti: str, customer_id: str, *, source_channel: str, target_channel: str,
        expires_at: datetime,
    ) -> None:
        customer_id = self._resolve(customer_id)
        if jti in self._state.link_tokens:
            raise errors.InvalidValue("a link token with this id already exists")
        self._state.link_tokens[jti] = LinkTokenRow(
            customer_id, source_channel, target_channel, self._now(), expires_at
        )

    async def _redeem_link_token(
        self, jti: str, *, target_channel: str, channel: str, external_id: str, actor: str
    ) -> LinkRedemption:
        now = self._now()
        row = self._state.link_tokens.get(jti)
        if row is None or row.target_channel != target_channel:
            raise errors.LinkTokenRefused("unknown")
        if row.used_at is not None:
            raise errors.LinkTokenRefused("used")
        if row.expires_at <= now:
            raise errors.LinkTokenRefused("expired")
        try:
            keep = self._resolve(row.customer_id)
        except errors.UnknownCustomer:
            raise errors.LinkTokenRefused("unknown") from None
        owner = self._state.identities.get((channel, external_id))
        absorbed = None
        if owner is None:
            self._state.identities[(channel, external_id)] = IdentityRow(
                keep, now, actor, self._state.next_id()
            )
        elif self._resolve(owner.customer_id) != keep:
            absorbed = self._resolve(owner.customer_id)
            if self._has_history(absorbed):
                raise errors.LinkTokenRefused("taken")
            self._absorb(keep, absorbed, actor=actor)
        row.used_at = now
        self._audit(now, actor, "link_identity", keep, absorbed,
                    {"channel": channel, "reason": f"signed link from {row.source_channel}"})
        return LinkRedemption(keep, row.source_channel, absorbed)

    async def purge_expired(self, *, requests_before: datetime) -> int:
        state, now = self._state, self._now()
        old = [k for k, row in state.requests.items() if row.created_at < requests_before]
        spent = [jti for jti, row in state.link_tokens.items() if row.expires_at <= now]
        for k in old:
            del state.requests[k]
        for jti in spent:
            del state.link_tokens[jti]
        return len(old) + len(spent)

    def _has_history(self, customer_id: str) -> bool:
        """True when the customer holds anything besides a single identity."""
        state = self._state
        by_customer = (state.observations, state.needs, state.satisfaction, state.consents,
                       state.offer_events, state.purchases)
        return (
            any(rows.get(customer_id) for rows in by_customer)
            or any(i.customer_id == customer_id for i in state.interactions.values())
            or any(c.customer_id == customer_id for c in state.complaints.values())
            or sum(i.customer_id == customer_id for i in state.identities.values()) > 1
        )

    def _move_customer_data(self, from_id: str, to_id: str) -> None:
        for row in [*self._state.requests.values(), *self._state.link_tokens.values()]:
            if row.customer_id == from_id:
                row.customer_id = to_id
        super()._move_customer_data(from_id, to_id)

    def _erase_customer_data(self, customer_id: str) -> dict[str, int]:
        state = self._state
        requests = [k for k, row in state.requests.items() if row.customer_id == customer_id]
        tokens = [k for k, row in state.link_tokens.items() if row.customer_id == customer_id]
        for k in requests:
            del state.requests[k]
        for jti in tokens:
            del state.link_tokens[jti]
        return {
            "idempotent_requests": len(requests), "link_tokens": len(tokens),
            **super()._erase_customer_data(customer_id),
        }
