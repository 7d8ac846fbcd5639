"""Staff area on SQL: accounts, sessions and login throttles in the profile database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, distinct, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from memory.api.staff import (
    AccountExists,
    StaffMember,
    StaffSession as SessionView,
    StaffStore,
    ThrottleDecider,
    ThrottleDecision,
    ThrottleState,
)
from memory.sql.dialect import upsert_insert
from memory.sql.models.staff import LoginThrottle, StaffAccount, StaffSession
from memory.sql.unit_of_work import Transactions

_MEMBER_COLUMNS = (
    StaffAccount.id, StaffAccount.username, StaffAccount.display_name, StaffAccount.role,
    StaffAccount.disabled_at,
)


# Every staff request reads its session: the statement is built once.
_SESSION = (
    select(
        *_MEMBER_COLUMNS, StaffSession.csrf_token, StaffSession.created_at,
        StaffSession.last_seen_at, StaffSession.expires_at,
    )
    .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
    .where(StaffSession.token_hash == bindparam("token_hash"))
)
_ACCOUNT = select(*_MEMBER_COLUMNS).where(StaffAccount.id == bindparam("account_id"))


def _member(row) -> StaffMember:
    return StaffMember(row.id, row.username, row.display_name, row.role, row.disabled_at is not None)


class SqlStaffStore(Transactions, StaffStore):
    async def create_account(self, username, display_name, role, password_hash, *, now):
        def create(connection: Connection) -> StaffMember:
            account_id = connection.execute(
                insert(StaffAccount).values(
                    username=username, display_name=display_name, role=role,
                    password_hash=password_hash, created_at=now,
                ).returning(StaffAccount.id)
            ).scalar_one()
            return StaffMember(account_id, username, display_name, role)

        try:
            return await self._write(create)
        except IntegrityError:
            raise AccountExists(username) from None

    async def account(self, account_id):
        def read(connection: Connection) -> StaffMember | None:
            row = connection.execute(_ACCOUNT, {"account_id": account_id}).first()
            return None if row is None else _member(row)

        return await self._read(read)

    async def credentials(self, username):
        def read(connection: Connection):
            row = connection.execute(
                select(*_MEMBER_COLUMNS, StaffAccount.password_hash).where(StaffAccount.username == username)
            ).first()
            return None if row is None else (_member(row), row.password_hash)

        return await self._read(read)

    async def accounts(self):
        def read(connection: Connection) -> list[StaffMember]:
            rows = connection.execute(select(*_MEMBER_COLUMNS).order_by(StaffAccount.username))
            return [_member(row) for row in rows]

        return await self._read(read)

    async def set_password_hash(self, account_id, password_hash):
        await self._write(lambda c: c.execute(
            update(StaffAccount).where(StaffAccount.id == account_id).values(password_hash=password_hash)
        ))

    async def set_disabled(self, account_id, disabled_at):
        await self._write(lambda c: c.execute(
            update(StaffAccount).where(StaffAccount.id == account_id).values(disabled_at=disabled_at)
        ))

    async def create_session(self, token_hash, account_id, csrf_token, *, now, expires_at):
        await self._write(lambda c: c.execute(insert(StaffSession).values(
            token_hash=token_hash, account_id=account_id, csrf_token=csrf_token,
            created_at=now, last_seen_at=now, expires_at=expires_at,
        )))

    async def session(self, token_hash):
        def read(connection: Connection) -> SessionView | None:
            row = connection.execute(_SESSION, {"token_hash": token_hash}).first()
            if row is None:
                return None
            return SessionView(
                token_hash, _member(row), row.csrf_token, row.created_at, row.last_seen_at, row.expires_at
            )

        return await self._read(read)

    async def touch_session(self, token_hash, *, now, expires_at):
        await self._write(lambda c: c.execute(
            update(StaffSession).where(StaffSession.token_hash == token_hash)
            .values(last_seen_at=now, expires_at=expires_at)
        ))

    async def delete_session(self, token_hash):
        await self._write(lambda c: c.execute(
            delete(StaffSession).where(StaffSession.token_hash == token_hash)
        ))

    async def delete_sessions(self, account_id):
        return await self._write(lambda c: c.execute(
            delete(StaffSession).where(StaffSession.account_id == account_id)
        ).rowcount)

    async def online(self, since, roles):
        def read(connection: Connection) -> int:
            return connection.execute(
                select(func.count(distinct(StaffSession.account_id)))
                .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
                .where(
                    StaffSession.last_seen_at >= since,
                    StaffAccount.disabled_at.is_(None),
                    StaffAccount.role.in_(roles),
                )
            ).scalar_one()

        return await self._read(read)

    async def update_throttles(
        self, keys: list[str], decide: ThrottleDecider, *, now: datetime
    ) -> ThrottleDecision:
        dialect = self._runner.dialect_name

        def update_all(connection: Connection) -> ThrottleDecision:
            # Make sure every row exists, then lock them all: concurrent attempts queue here.
            connection.execute(
                upsert_insert(dialect, LoginThrottle.__table__)
                .values([{"key": k, "failures": 0, "locked_until": None, "updated_at": now} for k in keys])
                .on_conflict_do_nothing(index_elements=["key"])
            )
            query = select(
                LoginThrottle.key, LoginThrottle.failures, LoginThrottle.locked_until, LoginThrottle.updated_at
            ).where(LoginThrottle.key.in_(keys))
            if dialect == "postgresql":
                query = query.with_for_update()
            rows = {row.key: row for row in connection.execute(query)}
            states = {
                key: ThrottleState(rows[key].failures, rows[key].locked_until, rows[key].updated_at)
                if key in rows and (rows[key].failures or rows[key].locked_until) else None
                for key in keys
            }
            decision, updated = decide(states, now)
            for key, state in updated.items():
                connection.execute(
                    update(LoginThrottle).where(LoginThrottle.key == key).values(
                        failures=state.failures, locked_until=state.locked_until, updated_at=state.updated_at
                    )
                )
            return decision

        return await self._write(update_all)

    async def clear_throttle(self, key):
        await self._write(lambda c: c.execute(delete(LoginThrottle).where(LoginThrottle.key == key)))

    async def purge_throttles(self, *, idle_since: datetime, now: datetime) -> int:
        statement = delete(LoginThrottle).where(
            LoginThrottle.updated_at < idle_since,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        return await self._write(lambda c: c.execute(statement).rowcount)
