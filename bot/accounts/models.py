"""Staff members, roles and sessions as the rest of the gateway sees them."""

from __future__ import annotations

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
