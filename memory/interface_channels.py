"""The abstract API the gateway's channels keep their own records through.

Part of `ProfileStore` (see memory.interface); same rules: every method is one unit of
work. Integrations' API keys (stored hashed), idempotent requests (a retried request is
answered from what the first one stored) and single-use cross-channel link tokens.
"""
from __future__ import annotations

import abc
from datetime import datetime, timedelta
from typing import Any

from memory.channel_views import ApiKeyView, LinkRedemption, RequestClaim


class ChannelStore(abc.ABC):
    @abc.abstractmethod
    async def add_api_key(
        self, integration: str, *, prefix: str, key_hash: str, actor: str
    ) -> ApiKeyView:
        """Store a new integration key's hash. IntegrationConflict while it has an active key."""

    @abc.abstractmethod
    async def api_key_owner(self, key_hash: str) -> str | None:
        """The integration an active key (given by its SHA-256 hex digest) belongs to."""

    @abc.abstractmethod
    async def api_keys(self, *, include_revoked: bool = False) -> list[ApiKeyView]:
        """Integration keys, newest first."""

    @abc.abstractmethod
    async def revoke_api_key(self, integration: str, *, actor: str) -> int:
        """Revoke the integration's active key at once; the number of keys revoked (0 or 1)."""

    @abc.abstractmethod
    async def claim_request(
        self,
        scope: str,
        key: str,
        *,
        fingerprint: str,
        customer_id: str,
        conversation_id: str,
        lease: timedelta,
        keep_for: timedelta,
    ) -> RequestClaim:
        """Claim an idempotency key within a scope (an integration), atomically.

        CLAIMED: the caller must process the request, then complete or release it. A claim
        left pending longer than `lease` (its gateway died) can be claimed again. PENDING:
        another caller is processing it. DONE: `response` is the first answer. A key older
        than `keep_for` starts afresh. RequestMismatch if the fingerprint differs.
        """

    @abc.abstractmethod
    async def complete_request(self, scope: str, key: str, response: dict[str, Any]) -> None:
        """Keep the response of a claimed request; later claims get it back."""

    @abc.abstractmethod
    async def release_request(self, scope: str, key: str) -> None:
        """Forget a claimed request that failed before it was processed, so a retry runs."""

    @abc.abstractmethod
    async def issue_link_token(
        self,
        jti: str,
        customer_id: str,
        *,
        source_channel: str,
        target_channel: str,
        expires_at: datetime,
    ) -> None:
        """Record a link token's id, for the customer who asked for it on `source_channel`."""

    @abc.abstractmethod
    async def redeem_link_token(
        self, jti: str, *, target_channel: str, channel: str, external_id: str, actor: str
    ) -> LinkRedemption:
        """Use a link token once: attach (channel, external_id) to its customer, audited.

        If that identity already belongs to another customer, that customer is merged into
        the token's (newer facts win). The token is consumed in the same transaction, so a
        replay is refused even across gateways: LinkTokenRefused("unknown"/"used"/"expired").
        """

    @abc.abstractmethod
    async def purge_expired(self, *, requests_before: datetime) -> int:
        """Delete idempotency records created before the cutoff and expired link tokens."""
