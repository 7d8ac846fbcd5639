"""Password hashing with argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): strong, and cheap enough that a
# burst of sign-ins cannot starve a 2-core gateway. Stored hashes carry their parameters;
# a sign-in rehashes any hash made with other ones.
ARGON2_PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
MIN_LENGTH = 12
MAX_LENGTH = 1024


class WeakPassword(ValueError):
    """The password does not meet the policy; the message says why."""


def check_policy(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise WeakPassword(f"A password needs at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"A password can have at most {MAX_LENGTH} characters.")
    if password.strip() != password or len(set(password)) < 4:
        raise WeakPassword("Choose a less predictable password.")
    return password


class Passwords:
    """Hashes and verifies passwords. Argon2 is slow on purpose, so it runs in a thread."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(**ARGON2_PARAMETERS)
        # Verifying against this when the account does not exist keeps the timing the same.
        self._dummy = self._hasher.hash("not-a-real-password-but-just-as-slow")

    def hash_sync(self, password: str) -> str:
        return self._hasher.hash(check_policy(password))

    async def hash(self, password: str) -> str:
        check_policy(password)
        return await asyncio.to_thread(self._hasher.hash, password)

    def verify_sync(self, stored_hash: str | None, password: str) -> bool:
        if not isinstance(password, str) or len(password) > MAX_LENGTH:
            password = ""
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self.verify_sync, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
