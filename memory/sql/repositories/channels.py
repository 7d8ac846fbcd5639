"""Repositories of the channels area: API keys, idempotent requests and link tokens.

Each takes the unit of work's connection, queries with select() and never commits.
Claims and redemptions are single conditional statements, so two gateways racing for the
same key or token cannot both win.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from memory.sql.dialect import insert_on_conflict
from memory.sql.models.channels import ApiKey, IdempotentRequest, LinkToken

_KEY_OWNER = select(ApiKey.integration).where(
    ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None)
)
_CLAIM = insert_on_conflict(
    IdempotentRequest.__table__,
    ("scope", "request_key", "fingerprint", "customer_id", "conversation_id", "created_at",
     "claimed_at"),
    ("scope", "request_key"),
    returning="scope",
)
_REQUEST = select(IdempotentRequest).where(
    IdempotentRequest.scope == bindparam("scope"),
    IdempotentRequest.request_key == bindparam("request_key"),
)


class ApiKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, values: dict[str, Any]) -> None:
        self._c.execute(insert(ApiKey).values(**values))

    def owner(self, key_hash: str) -> str | None:
        return self._c.execute(_KEY_OWNER, {"key_hash": key_hash}).scalar_one_or_none()

    def listed(self, include_revoked: bool) -> Sequence[Row[Any]]:
        statement = select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
        if not include_revoked:
            statement = statement.where(ApiKey.revoked_at.is_(None))
        return self._c.execute(statement).all()

    def revoke(self, integration: str, at: datetime, by: str) -> int:
        return self._c.execute(
            update(ApiKey)
            .where(ApiKey.integration == integration, ApiKey.revoked_at.is_(None))
            .values(revoked_at=at, revoked_by=by)
        ).rowcount


class RequestRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def insert(self, values: dict[str, Any]) -> bool:
        """Claim a new key; False when the (scope, key) is already held."""
        return self._c.execute(_CLAIM, values).first() is not None

    def get(self, scope: str, key: str) -> Row[Any] | None:
        return self._c.execute(_REQUEST, {"scope": scope, "request_key": key}).first()

    def _where(self, scope: str, key: str):
        return (IdempotentRequest.scope == scope, IdempotentRequest.request_key == key)

    def restart(self, scope: str, key: str, created_at: datetime, values: dict[str, Any]) -> bool:
        """Start an expired key afresh, unless another transaction already did."""
        return self._c.execute(
            update(IdempotentRequest)
            .where(*self._where(scope, key), IdempotentRequest.created_at == created_at)
            .values(response=None, completed_at=None, **values)
        ).rowcount == 1

    def take_over(self, scope: str, key: str, claimed_at: datetime, now: datetime) -> bool:
        """Claim a request whose claimant went quiet, unless another transaction already did."""
        return self._c.execute(
            update(IdempotentRequest)
            .where(
                *self._where(scope, key),
                IdempotentRequest.claimed_at == claimed_at,
                IdempotentRequest.completed_at.is_(None),
            )
            .values(claimed_at=now)
        ).rowcount == 1

    def complete(self, scope: str, key: str, response: dict[str, Any], at: datetime) -> None:
        self._c.execute(
            update(IdempotentRequest)
            .where(*self._where(scope, key), IdempotentRequest.completed_at.is_(None))
            .values(response=response, completed_at=at)
        )

    def release(self, scope: str, key: str) -> None:
        self._c.execute(
            delete(IdempotentRequest).where(
                *self._where(scope, key), IdempotentRequest.completed_at.is_(None)
            )
        )

    def purge(self, before: datetime) -> int:
        return self._c.execute(
            delete(IdempotentRequest).where(IdempotentRequest.created_at < before)
        ).rowcount

    def move(self, from_id: str, to_id: str) -> None:
        self._c.execute(
            update(IdempotentRequest)
            .where(IdempotentRequest.customer_id == from_id)
            .values(customer_id=to_id)
        )

    def delete_all(self, customer_id: str) -> int:
        return self._c.execute(
            delete(IdempotentRequest).where(IdempotentRequest.customer_id == customer_id)
        ).rowcount


class LinkTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, values: dict[str, Any]) -> None:
        self._c.execute(insert(LinkToken).values(**values))

    def get(self, jti: str) -> Row[Any] | None:
        return self._c.execute(select(LinkToken).where(LinkToken.jti == jti)).first()

    def consume(self, jti: str, target_channel: str, now: datetime) -> Row[Any] | None:
        """Mark the token used if it is unused, unexpired and meant for this channel: the
        row (customer, source channel), or None. One conditional UPDATE, so only one of
        any number of concurrent redemptions gets the row."""
        return self._c.execute(
            update(LinkToken)
            .where(
                LinkToken.jti == jti,
                LinkToken.target_channel == target_channel,
                LinkToken.used_at.is_(None),
                LinkToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(LinkToken.customer_id, LinkToken.source_channel)
        ).first()

    def purge(self, now: datetime) -> int:
        return self._c.execute(delete(LinkToken).where(LinkToken.expires_at <= now)).rowcount

    def move(self, from_id: str, to_id: str) -> None:
        self._c.execute(
            update(LinkToken).where(LinkToken.customer_id == from_id).values(customer_id=to_id)
        )

    def delete_all(self, customer_id: str) -> int:
        return self._c.execute(
            delete(LinkToken).where(LinkToken.customer_id == customer_id)
        ).rowcount
