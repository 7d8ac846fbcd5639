"""Brute-force protection for sign-in: attempts counted per account+IP and per IP, with backoff.

Every attempt is counted *before* the password is checked and forgiven only when it
succeeds, so a burst of parallel guesses cannot slip past the limit. Once a key reaches
its threshold it is locked; each attempt after a lock expires locks it again for twice
as long, up to a ceiling. Counts decay after a quiet period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from memory.api.staff import StaffStore, ThrottleDecider, ThrottleDecision, ThrottleState


@dataclass(frozen=True)
class ThrottlePolicy:
    account_ip_threshold: int = 5    # failures from one IP on one account before a lock
    ip_threshold: int = 30           # failures from one IP across accounts (password spraying)
    base_lock: timedelta = timedelta(seconds=30)
    max_lock: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)

    def lock_for(self, failures: int, threshold: int) -> timedelta:
        doublings = max(0, failures - threshold)
        return min(self.max_lock, self.base_lock * (2 ** min(doublings, 20)))


def account_key(username: str, ip: str) -> str:
    return f"{username}|{ip}"


def ip_key(ip: str) -> str:
    return f"*|{ip}"


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
        }
        return await self._store.update_throttles(
            list(thresholds), _Attempt(self.policy, thresholds), now=now
        )

    async def succeeded(self, username: str, ip: str, now: datetime) -> None:
        """A correct password forgives this account+IP, and its one attempt in the IP's count."""
        await self._store.clear_throttle(account_key(username, ip))
        await self._store.update_throttles([ip_key(ip)], _Forgive(), now=now)
