"""Channels area on SQL: API keys, idempotent requests and link tokens."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from memory import errors
from memory.api.channels import CLAIMED, DONE, PENDING, ApiKeyView, LinkRedemption, RequestClaim
from memory.sql.base import SqlBase
from memory.sql.customers import absorb_customer, has_history
from memory.sql.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def api_key_view(row) -> ApiKeyView:
    return ApiKeyView(row.integration, row.prefix, row.created_at, row.created_by, row.revoked_at)


class SqlChannels(SqlBase):
    async def _add_api_key(
        self, integration: str, *, prefix: str, key_hash: str, actor: str
    ) -> ApiKeyView:
        now = self._now()

        def add(uow: UnitOfWork) -> None:
            uow.api_keys.add(
                {"integration": integration, "prefix": prefix, "key_hash": key_hash,
                 "created_at": now, "created_by": actor}
            )
            uow.commit()

        try:
            await self._write(add)
        except IntegrityError:
            raise errors.IntegrationConflict(integration) from None
        return ApiKeyView(integration, prefix, now, actor, None)

    async def _api_key_owner(self, key_hash: str) -> str | None:
        return await self._read(lambda uow: uow.api_keys.owner(key_hash))

    async def api_keys(self, *, include_revoked: bool = False) -> list[ApiKeyView]:
        rows = await self._read(lambda uow: uow.api_keys.listed(include_revoked))
        return [api_key_view(row) for row in rows]

    async def _revoke_api_key(self, integration: str, *, actor: str) -> int:
        now = self._now()

        def revoke(uow: UnitOfWork) -> int:
            count = uow.api_keys.revoke(integration, now, actor)
            uow.commit()
            return count

        return await self._write(revoke)

    async def _claim_request(
        self, scope: str, key: str, *, fingerprint: str, customer_id: str,
        conversation_id: str, lease: timedelta, keep_for: timedelta,
    ) -> RequestClaim:
        now = self._now()

        def claim(uow: UnitOfWork) -> RequestClaim:
            live_id = uow.customers.resolve(customer_id)
            fresh = {
                "fingerprint": fingerprint, "customer_id": live_id,
                "conversation_id": conversation_id, "created_at": now, "claimed_at": now,
            }
            if uow.requests.insert({"scope": scope, "request_key": key, **fresh}):
                uow.commit()
                return RequestClaim(CLAIMED, conversation_id, None, now)
            row = uow.requests.get(scope, key)
            if row is None:  # released between the two statements: the caller may retry
                raise errors.StoreUnavailable("the request was released while being claimed")
            if row.created_at <= now - keep_for:
                if uow.requests.restart(scope, key, row.created_at, fresh):
                    uow.commit()
                    return RequestClaim(CLAIMED, conversation_id, None, now)
                row = uow.requests.get(scope, key)
            if row.fingerprint != fingerprint:
                raise errors.RequestMismatch()
            if row.completed_at is not None:
                return RequestClaim(DONE, row.conversation_id, row.response, row.created_at)
            if row.claimed_at <= now - lease and uow.requests.take_over(
                scope, key, row.claimed_at, now
            ):
                uow.commit()
                log.warning("took over an idempotent request whose claimant went quiet")
                return RequestClaim(CLAIMED, row.conversation_id, None, row.created_at)
            return RequestClaim(PENDING, row.conversation_id, None, row.created_at)

        return await self._write(claim)

    async def _complete_request(self, scope: str, key: str, response: dict[str, Any]) -> None:
        now = self._now()

        def complete(uow: UnitOfWork) -> None:
            uow.requests.complete(scope, key, response, now)
            uow.commit()

        await self._write(complete)

    async def release_request(self, scope: str, key: str) -> None:
        def release(uow: UnitOfWork) -> None:
            uow.requests.release(scope, key)
            uow.commit()

        await self._write(release)

    async def _issue_link_token(
        self, jti: str, customer_id: str, *, source_channel: str, target_channel: str,
        expires_at: datetime,
    ) -> None:
        now = self._now()

        def issue(uow: UnitOfWork) -> None:
            live_id = uow.customers.resolve(customer_id)
            uow.link_tokens.add(
                {"jti": jti, "customer_id": live_id, "source_channel": source_channel,
                 "target_channel": target_channel, "created_at": now, "expires_at": expires_at}
            )
            uow.commit()

        try:
            await self._write(issue)
        except IntegrityError:
            raise errors.InvalidValue("a link token with this id already exists") from None

    async def _redeem_link_token(
        self, jti: str, *, target_channel: str, channel: str, external_id: str, actor: str
    ) -> LinkRedemption:
        now = self._now()

        def redeem(uow: UnitOfWork) -> LinkRedemption:
            token = uow.link_tokens.consume(jti, target_channel, now)
            if token is None:
                raise errors.LinkTokenRefused(_why_refused(uow.link_tokens.get(jti),
                                                           target_channel))
            try:
                keep = uow.customers.resolve(token.customer_id)
            except errors.UnknownCustomer:
                raise errors.LinkTokenRefused("unknown") from None
            owner = uow.customers.identity_owner(channel, external_id)
            absorbed = None
            if owner is None:
                uow.customers.resolve(keep, lock=True)
                if not uow.customers.add_identity(keep, channel, external_id, now, actor):
                    raise errors.IdentityConflict(channel)  # rolled back: the token stays usable
            elif (current := uow.customers.resolve(owner)) != keep:
                if has_history(uow, current):
                    raise errors.LinkTokenRefused("taken")  # rolled back: the token stays usable
                absorb_customer(uow, keep, current, actor=actor, at=now)
                absorbed = current
            uow.audit.add(
                at=now, actor=actor, action="link_identity", customer_id=keep,
                other_customer_id=absorbed,
                detail={"channel": channel, "reason": f"signed link from {token.source_channel}"},
            )
            uow.commit()
            return LinkRedemption(keep, token.source_channel, absorbed)

        redemption = await self._write(redeem)
        log.info("linked a %s identity to customer %s by a signed link", channel,
                 redemption.customer_id)
        return redemption

    async def purge_expired(self, *, requests_before: datetime) -> int:
        now = self._now()

        def purge(uow: UnitOfWork) -> int:
            count = uow.requests.purge(requests_before) + uow.link_tokens.purge(now)
            uow.commit()
            return count

        return await self._write(purge)


def _why_refused(row, target_channel: str) -> str:
    if row is None or row.target_channel != target_channel:
        return "unknown"
    return "used" if row.used_at is not None else "expired"
