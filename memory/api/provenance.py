"""Where information came from and how it changed: `Source`, `FieldChange` and `UNCHANGED`.

Every area records a `Source` with what it keeps; needs and complaints also keep one
`FieldChange` per amended field.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a piece of information came from."""

    channel: str
    conversation_id: str | None = None
    message_id: str | None = None
    actor: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "channel": self.channel,
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "actor": self.actor,
        }


class Unchanged(enum.Enum):
    """The type of UNCHANGED: "leave this field as it is" in amend_need/amend_complaint,
    where None means "clear it"."""

    UNCHANGED = "unchanged"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class FieldChange:
    """One field of a need or complaint changed by an amendment: the history row.

    `actor` is who changed it (for a need: the source's actor, or "customer via
    <channel>"); `source` is where the new value came from (None when a staff member
    amended a complaint without one).
    """

    field: str
    old_value: str | None
    new_value: str | None
    at: datetime
    actor: str
    source: Source | None


def default_actor(source: Source) -> str:
    """Who a change is attributed to when the caller names nobody."""
    return source.actor or f"customer via {source.channel}"


def requested(checks: dict[str, Callable[[object], Any]], given: dict[str, Any]) -> dict[str, Any]:
    """The checked values of the fields given; UNCHANGED ones are left out."""
    return {name: checks[name](value) for name, value in given.items() if value is not UNCHANGED}


Change = tuple[str, str | None, str | None]  # (field, old value, new value)


def field_changes(current, wanted: dict[str, str | None]) -> list[Change]:
    """(field, old, new) for each wanted value that differs from `current`'s attribute,
    in the order given: re-stating a value is not a change."""
    return [
        (name, getattr(current, name), value)
        for name, value in wanted.items()
        if getattr(current, name) != value
    ]
