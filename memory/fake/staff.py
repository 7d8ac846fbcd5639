"""Staff accounts, sessions and login throttles in dicts: the fake for tests."""

from __future__ import annotations

import itertools
from dataclasses import replace

from memory.api.staff import AccountExists, StaffMember, StaffSession, StaffStore, ThrottleState


class InMemoryStaffStore(StaffStore):
    """Accounts in a dict: the fake for tests."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._accounts: dict[int, StaffMember] = {}
        self._hashes: dict[int, str] = {}
        self._sessions: dict[str, StaffSession] = {}
        self._throttles: dict[str, ThrottleState] = {}

    async def create_account(self, username, display_name, role, password_hash, *, now):
        if any(a.username == username for a in self._accounts.values()):
            raise AccountExists(username)
        member = StaffMember(next(self._ids), username, display_name, role)
        self._accounts[member.id], self._hashes[member.id] = member, password_hash
        return member

    async def account(self, account_id):
        return self._accounts.get(account_id)

    async def credentials(self, username):
        member = next((a for a in self._accounts.values() if a.username == username), None)
        return None if member is None else (member, self._hashes[member.id])

    async def accounts(self):
        return sorted(self._accounts.values(), key=lambda a: a.username)

    async def set_password_hash(self, account_id, password_hash):
        self._hashes[account_id] = password_hash

    async def set_disabled(self, account_id, disabled_at):
        self._accounts[account_id] = replace(self._accounts[account_id], disabled=disabled_at is not None)

    async def create_session(self, token_hash, account_id, csrf_token, *, now, expires_at):
        self._sessions[token_hash] = StaffSession(
            token_hash, self._accounts[account_id], csrf_token, now, now, expires_at
        )

    async def session(self, token_hash):
        found = self._sessions.get(token_hash)
        return None if found is None else replace(found, member=self._accounts[found.member.id])

    async def touch_session(self, token_hash, *, now, expires_at):
        if token_hash in self._sessions:
            self._sessions[token_hash] = replace(
                self._sessions[token_hash], last_seen_at=now, expires_at=expires_at
            )

    async def delete_session(self, token_hash):
        self._sessions.pop(token_hash, None)

    async def delete_sessions(self, account_id):
        ended = [t for t, s in self._sessions.items() if s.member.id == account_id]
        for token_hash in ended:
            del self._sessions[token_hash]
        return len(ended)

    async def online(self, since, roles):
        seen = {
            s.member.id for s in self._sessions.values()
            if s.last_seen_at >= since and not self._accounts[s.member.id].disabled
            and self._accounts[s.member.id].role in roles
        }
        return len(seen)

    async def update_throttles(self, keys, decide, *, now):
        decision, states = decide({key: self._throttles.get(key) for key in keys}, now)
        self._throttles.update(states)
        return decision

    async def clear_throttle(self, key):
        self._throttles.pop(key, None)

    async def purge_throttles(self, *, idle_since, now):
        idle = [key for key, state in self._throttles.items() if state.updated_at < idle_since
                and (state.locked_until is None or state.locked_until <= now)]
        for key in idle:
            del self._throttles[key]
        return len(idle)
