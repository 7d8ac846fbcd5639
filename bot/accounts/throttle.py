"""Brute-force protection for sign-in: attempts counted per account+IP, per IP and per account
(across all IPs, so a botnet cannot spread its guesses thin), with backoff.

An IPv6 client is counted by its /64, which one subscriber typically holds whole and can
rotate through; an IPv4 address (or an IPv4-mapped IPv6 one) by itself. Every attempt is counted *before* the password is checked and forgiven only when it
succeeds, so a burst of parallel guesses cannot slip past the limit. Once a key reaches
its threshold it is locked; each attempt after a lock expires locks it again for twice
as long, up to a ceiling. Counts decay after a quiet period, and `purge` deletes the rows
that have decayed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from memory.api.staff import StaffStore, ThrottleDecider, ThrottleDecision, ThrottleState


@dataclass(frozen=True)
class ThrottlePolicy:
    account_ip_threshold: int = 5    # failures from one IP on one account before a lock
    ip_threshold: int = 30           # failures from one IP across accounts (password spraying)
    account_threshold: int = 20      # failures on one account from all IPs (distributed guessing)
    base_lock: timedelta = timedelta(seconds=30)
    max_lock: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)

    def lock_for(self, failures: int, threshold: int) -> timedelta:
        doublings = max(0, failures - threshold)
        return min(self.max_lock, self.base_lock * (2 ** min(doublings, 20)))


def client_network(ip: str) -> str:
    """What one client is counted as: its IPv4 address, or its IPv6 /64."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip  # "unknown", or whatever a proxy wrote: counted as given
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def account_key(username: str, ip: str) -> str:
    return f"{username}|{client_network(ip)}"


def ip_key(ip: str) -> str:
    return f"*|{client_network(ip)}"


def user_key(username: str) -> str:
    return f"{username}|*"


class _Attempt(ThrottleDecider):
    def __init__(self, policy: ThrottlePolicy, thresholds: dict[str, int]) -> None:
        self.policy, self.thresholds = policy, thresholds

    def __call__(self, states, now) -> tuple[ThrottleDecision, dict[str, ThrottleState]]:
        waits = [
            (state.locked_until - now).total_seconds()
            for state in states.values()
            if state is not None and state.locked_until is not None and state.locked_until > now
        ]
        if waits:
            return (False, max(waits)), {}
        updated = {}
        for key, state in states.items():
            failures = 0
            if state is not None and now - state.updated_at < self.policy.forget_after:
                failures = state.failures
            failures += 1
            threshold = self.thresholds[key]
            locked_until = now + self.policy.lock_for(failures, threshold) if failures >= threshold else None
            updated[key] = ThrottleState(failures, locked_until, now)
        return (True, 0.0), updated


class _Forgive(ThrottleDecider):
    """Take back the one attempt counted for a sign-in that succeeded."""

    def __call__(self, states, now) -> tuple[ThrottleDecision, dict[str, ThrottleState]]:
        updated = {
            key: ThrottleState(max(0, state.failures - 1), state.locked_until, state.updated_at)
            for key, state in states.items() if state is not None
        }
        return (True, 0.0), updated


class LoginThrottle:
    def __init__(self, store: StaffStore, policy: ThrottlePolicy | None = None) -> None:
        self._store = store
        self.policy = policy or ThrottlePolicy()

    async def begin(self, username: str, ip: str, now: datetime) -> ThrottleDecision:
        """Count an attempt; (False, seconds) while either key is locked."""
        thresholds = {
            account_key(username, ip): self.policy.account_ip_threshold,
            ip_key(ip): self.policy.ip_threshold,
            user_key(username): self.policy.account_threshold,
        }
        return await self._store.update_throttles(
            list(thresholds), _Attempt(self.policy, thresholds), now=now
        )

    async def succeeded(self, username: str, ip: str, now: datetime) -> None:
        """A correct password forgives this account+IP, and its one attempt in the IP's and
        the account's counts (others' guesses at the account still count)."""
        await self._store.clear_throttle(account_key(username, ip))
        await self._store.update_throttles([ip_key(ip), user_key(username)], _Forgive(), now=now)

    async def purge(self, now: datetime) -> int:
        """Delete the counts that have decayed (quiet for `forget_after`, not locked)."""
        return await self._store.purge_throttles(idle_since=now - self.policy.forget_after, now=now)
