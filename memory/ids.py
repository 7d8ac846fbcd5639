"""Customer ids: 32 hex characters, time-ordered then random.

Time-ordered ids keep new customers at the end of every index, so inserts stay
cheap at millions of rows; the random tail makes them unguessable.
"""
from __future__ import annotations

import secrets
import time


def new_customer_id() -> str:
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


def complaint_reference(number: int) -> str:
    return f"C-{number:06d}"


def complaint_number(reference: str) -> int | None:
    """The number in a reference like 'C-000123' (case-insensitive), or None."""
    if not isinstance(reference, str):
        return None
    prefix, _, digits = reference.strip().upper().partition("-")
    if prefix != "C" or not digits.isdigit() or not digits.isascii():
        return None
    return int(digits)
