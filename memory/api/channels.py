"""Channels area: what the gateway's channels keep in the store.

Integrations' API keys (stored hashed), idempotent requests (a retried request is
answered from what the first one stored) and single-use cross-channel link tokens.
The interface checks every input once, then calls the storage step that the fake and
SQL stores implement.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from memory import errors
from memory.api import validation

# What `claim_request` found: the caller now owns the request, another caller is still
# processing it, or it was completed and `response` is what it answered.
CLAIMED, PENDING, DONE = "claimed", "pending", "done"


@dataclass(frozen=True)
class ApiKeyView:
    """One REST integration's key. Only its SHA-256 is stored, never the key itself."""

    integration: str
    prefix: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class RequestClaim:
    state: str
    conversation_id: str
    response: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True)
class LinkRedemption:
    """A redeemed link token: the customer the identity now belongs to, and whom it absorbed."""

    customer_id: str
    source_channel: str
    merged_customer_id: str | None = None


class ChannelStore(abc.ABC):
    async def add_api_key(
        self, integration: str, *, prefix: str, key_hash: str, actor: str
    ) -> ApiKeyView:
        """Store a new integration key's hash. IntegrationConflict while it has an active key."""
        return await self._add_api_key(
            validation.name("integration", integration),
            prefix=validation.text("prefix", prefix, 20),
            key_hash=validation.digest("key_hash", key_hash),
            actor=validation.name("actor", actor),
        )

    async def api_key_owner(self, key_hash: str) -> str | None:
        """The integration an active key (given by its SHA-256 hex digest) belongs to."""
        return await self._api_key_owner(key_hash) if isinstance(key_hash, str) else None

    @abc.abstractmethod
    async def api_keys(self, *, include_revoked: bool = False) -> list[ApiKeyView]:
        """Integration keys, newest first."""

    async def revoke_api_key(self, integration: str, *, actor: str) -> int:
        """Revoke the integration's active key at once; the number of keys revoked (0 or 1)."""
        integration = validation.name("integration", integration)
        return await self._revoke_api_key(integration, actor=validation.name("actor", actor))

    async def claim_request(
        self, scope: str, key: str, *, fingerprint: str, customer_id: str,
        conversation_id: str, lease: timedelta, keep_for: timedelta,
    ) -> RequestClaim:
        """Claim an idempotency key within a scope (an integration), atomically.

        CLAIMED: the caller must process the request, then complete or release it. A claim
        left pending longer than `lease` (its gateway died) can be claimed again. PENDING:
        another caller is processing it. DONE: `response` is the first answer. A key older
        than `keep_for` starts afresh. RequestMismatch if the fingerprint differs.
        """
        scope, key = validation.name("scope", scope), validation.name("key", key)
        return await self._claim_request(
            scope, key, fingerprint=validation.digest("fingerprint", fingerprint),
            customer_id=customer_id,
            conversation_id=validation.name("conversation_id", conversation_id),
            lease=lease, keep_for=keep_for,
        )

    async def complete_request(self, scope: str, key: str, response: dict[str, Any]) -> None:
        """Keep the response of a claimed request; later claims get it back."""
        await self._complete_request(scope, key, validation.payload(response))

    @abc.abstractmethod
    async def release_request(self, scope: str, key: str) -> None:
        """Forget a claimed request that failed before it was processed, so a retry runs."""

    async def issue_link_token(
        self, jti: str, customer_id: str, *, source_channel: str, target_channel: str,
        expires_at: datetime,
    ) -> None:
        """Record a link token's id, for the customer who asked for it on `source_channel`."""
        await self._issue_link_token(
            validation.text("jti", jti, 32), customer_id,
            source_channel=validation.name("source_channel", source_channel),
            target_channel=validation.name("target_channel", target_channel),
            expires_at=expires_at,
        )

    async def redeem_link_token(
        self, jti: str, *, target_channel: str, channel: str, external_id: str, actor: str
    ) -> LinkRedemption:
        """Use a link token once: attach (channel, external_id) to its customer, audited.

        A link never moves one customer's history into another's: if that identity already
        belongs to a customer with any history (facts, conversations, needs, complaints,
        ratings, consents, offers, purchases or another identity), it is refused with
        LinkTokenRefused("taken") and the token stays unused; a customer with nothing but
        this identity is merged in. The token is consumed in the same transaction, so a
        replay is refused even across gateways: LinkTokenRefused("unknown"/"used"/"expired").
        """
        channel = validation.name("channel", channel)
        external_id = validation.name("external_id", external_id)
        actor = validation.name("actor", actor)
        if not isinstance(jti, str) or not isinstance(target_channel, str):
            raise errors.LinkTokenRefused("unknown")
        return await self._redeem_link_token(
            jti, target_channel=target_channel, channel=channel, external_id=external_id,
            actor=actor,
        )

    @abc.abstractmethod
    async def purge_expired(self, *, requests_before: datetime) -> int:
        """Delete idempotency records created before the cutoff and expired link tokens."""

    # Storage steps: called with checked input only.

    @abc.abstractmethod
    async def _add_api_key(
        self, integration: str, *, prefix: str, key_hash: str, actor: str
    ) -> ApiKeyView: ...

    @abc.abstractmethod
    async def _api_key_owner(self, key_hash: str) -> str | None: ...

    @abc.abstractmethod
    async def _revoke_api_key(self, integration: str, *, actor: str) -> int: ...

    @abc.abstractmethod
    async def _claim_request(
        self, scope: str, key: str, *, fingerprint: str, customer_id: str,
        conversation_id: str, lease: timedelta, keep_for: timedelta,
    ) -> RequestClaim: ...

    @abc.abstractmethod
    async def _complete_request(self, scope: str, key: str, response: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    async def _issue_link_token(
        self, jti: str, customer_id: str, *, source_channel: str, target_channel: str,
        expires_at: datetime,
    ) -> None: ...

    @abc.abstractmethod
    async def _redeem_link_token(
        self, jti: str, *, target_channel: str, channel: str, external_id: str, actor: str
    ) -> LinkRedemption: ...
