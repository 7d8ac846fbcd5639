"""Staff area: accounts with their roles, signed-in sessions and login throttles.

They share the profile database (staff and customers join with real foreign keys); the
gateway's bot.accounts is their one user. `StaffStore` is the interface: the SQL store
(memory.sql.staff) and the fake (memory.fake.staff) implement it.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

AGENT = "agent"
MARKETER = "marketer"
ADMIN = "admin"
ROLES = (AGENT, MARKETER, ADMIN)
MAX_USERNAME = 100
MAX_DISPLAY_NAME = 200


class AccountError(ValueError):
    """Bad account input or state; the message is fit to show an admin."""


class AccountExists(AccountError):
    def __init__(self, username: str) -> None:
        super().__init__(f"an account named {username!r} already exists")


def normalise_username(username: object) -> str:
    if not isinstance(username, str):
        raise AccountError("the username must be text")
    cleaned = username.strip().lower()
    if not cleaned or len(cleaned) > MAX_USERNAME or any(ch.isspace() for ch in cleaned):
        raise AccountError(f"a username is 1 to {MAX_USERNAME} characters without spaces")
    return cleaned


def check_role(role: object) -> str:
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    return str(role)


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    display_name: str
    role: str
    disabled: bool = False

    def has_role(self, *roles: str) -> bool:
        """Admins may do everything; everyone else only what their own role allows."""
        return not self.disabled and (self.role == ADMIN or self.role in roles)

    @property
    def actor(self) -> str:
        """How the profile store and audit records name this person."""
        return f"agent:{self.id}"

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "username": self.username, "name": self.display_name, "role": self.role}


@dataclass(frozen=True)
class StaffSession:
    token_hash: str
    member: StaffMember
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    locked_until: datetime | None
    updated_at: datetime


class StaffStore(abc.ABC):
    """Staff accounts, sessions and login throttles; the callers check the input."""

    @abc.abstractmethod
    async def create_account(
        self, username: str, display_name: str, role: str, password_hash: str, *, now: datetime
    ) -> StaffMember:
        """AccountExists if the (normalised) username is taken."""

    @abc.abstractmethod
    async def account(self, account_id: int) -> StaffMember | None: ...

    @abc.abstractmethod
    async def credentials(self, username: str) -> tuple[StaffMember, str] | None:
        """The account and its password hash, for signing in."""

    @abc.abstractmethod
    async def accounts(self) -> list[StaffMember]:
        """Every account, by username."""

    @abc.abstractmethod
    async def set_password_hash(self, account_id: int, password_hash: str) -> None: ...

    @abc.abstractmethod
    async def set_disabled(self, account_id: int, disabled_at: datetime | None) -> None: ...

    @abc.abstractmethod
    async def create_session(
        self, token_hash: str, account_id: int, csrf_token: str, *, now: datetime, expires_at: datetime
    ) -> None: ...

    @abc.abstractmethod
    async def session(self, token_hash: str) -> StaffSession | None:
        """The session with its account, whatever its expiry (the caller checks it)."""

    @abc.abstractmethod
    async def touch_session(self, token_hash: str, *, now: datetime, expires_at: datetime) -> None: ...

    @abc.abstractmethod
    async def delete_session(self, token_hash: str) -> None: ...

    @abc.abstractmethod
    async def delete_sessions(self, account_id: int) -> int:
        """Sign the account out everywhere; returns how many sessions ended."""

    @abc.abstractmethod
    async def online(self, since: datetime, roles: tuple[str, ...]) -> int:
        """How many enabled accounts with one of `roles` were seen since `since`."""

    @abc.abstractmethod
    async def update_throttles(
        self, keys: list[str], decide: "ThrottleDecider", *, now: datetime
    ) -> ThrottleDecision:
        """Atomically read the states of `keys`, let `decide` compute the new ones, store them."""

    @abc.abstractmethod
    async def clear_throttle(self, key: str) -> None: ...

    @abc.abstractmethod
    async def purge_throttles(self, *, idle_since: datetime, now: datetime) -> int:
        """Delete throttles untouched since `idle_since` and not locked at `now`; how many."""

    async def close(self) -> None:
        """Release connections."""


ThrottleDecision = tuple[bool, float]  # (allowed, seconds until allowed)


class ThrottleDecider(abc.ABC):
    @abc.abstractmethod
    def __call__(
        self, states: dict[str, ThrottleState | None], now: datetime
    ) -> tuple[ThrottleDecision, dict[str, ThrottleState]]: ...
