"""The input checks every area's public methods run before they store anything.

They run once, in the interface (memory.api), so the fake and SQL stores only store and
cannot disagree about what they accept.

Text must be valid Unicode that encodes to UTF-8: lone surrogates, undecodable bytes
and NUL (which PostgreSQL cannot store) are refused rather than silently altered.
Everything else, SQL metacharacters and markup included, is kept byte for byte.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from memory import errors
from memory.api.provenance import Source

MAX_MESSAGE_LENGTH = 20_000
MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 10_000
MAX_PAYLOAD_BYTES = 64_000
MAX_LABEL = 100
# Clocks on different machines disagree a little; beyond this an observation time
# from the future is a bug in the caller, and it would pin the value forever.
MAX_CLOCK_SKEW = timedelta(minutes=5)


def text(field: str, value: object, max_length: int, *, allow_empty: bool = False) -> str:
    """Return `value` as a checked str or raise a typed error naming `field`."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise errors.InvalidText(field, f"undecodable byte at position {exc.start}") from None
    if not isinstance(value, str):
        raise errors.InvalidValue(f"{field} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise errors.InvalidText(field, f"lone surrogate at position {exc.start}") from None
    if "\x00" in value:
        raise errors.InvalidText(field, "contains a NUL character")
    if len(value) > max_length:
        raise errors.ValueTooLong(field, len(value), max_length)
    if not allow_empty and not value.strip():
        raise errors.InvalidValue(f"{field} must not be empty")
    return value


def optional_text(field: str, value: object, max_length: int) -> str | None:
    return None if value is None else text(field, value, max_length, allow_empty=True)


def name(field: str, value: object) -> str:
    """Identifiers such as channels, ids and actors: short, non-empty text."""
    return text(field, value, MAX_SHORT_TEXT)


def digest(field: str, value: object) -> str:
    """A SHA-256 hex digest, as the gateway stores keys and request fingerprints."""
    if not isinstance(value, str) or len(value) != 64 or value.strip("0123456789abcdef"):
        raise errors.InvalidValue(f"{field} must be a SHA-256 hex digest")
    return value


def choice(field: str, value: object, allowed: tuple[str, ...]) -> str:
    raw = getattr(value, "value", value)
    if raw not in allowed:
        raise errors.InvalidValue(f"{field} must be one of {', '.join(allowed)}")
    return str(raw)


def confidence(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise errors.InvalidValue("confidence must be a number") from None
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise errors.InvalidValue("confidence must be between 0 and 1")
    return number


def amount(field: str, value: object, *, allow_negative: bool = False) -> Decimal:
    """Money as an exact Decimal with at most two decimal places."""
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise errors.InvalidValue(f"{field} must be a decimal number") from None
    if not number.is_finite():
        raise errors.InvalidValue(f"{field} must be finite")
    # Before quantize, which raises InvalidOperation past the context's precision (found
    # by fuzzing: a 29-digit budget escaped as a non-store error).
    if abs(number) >= Decimal("1e13"):
        raise errors.InvalidValue(f"{field} is out of range")
    if number != number.quantize(Decimal("0.01")):
        raise errors.InvalidValue(f"{field} has more than two decimal places")
    if number < 0 and not allow_negative:
        raise errors.InvalidValue(f"{field} must not be negative")
    if abs(number) >= Decimal("1e13"):
        raise errors.InvalidValue(f"{field} is out of range")
    return number.quantize(Decimal("0.01"))


def currency(value: object) -> str:
    code = text("currency", value, 3)
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise errors.InvalidValue("currency must be a three-letter ISO 4217 code")
    return code.upper()


def payload(value: object) -> dict[str, Any] | None:
    """A JSON object whose strings are all valid text; returned as a fresh copy."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise errors.InvalidValue("payload must be a JSON object")
    _check_json_strings(value)
    try:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise errors.InvalidValue(f"payload is not JSON-serialisable: {exc}") from None
    if len(encoded.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise errors.ValueTooLong("payload", len(encoded), MAX_PAYLOAD_BYTES)
    return json.loads(encoded)


def _check_json_strings(value: object) -> None:
    if isinstance(value, str):
        text("payload", value, MAX_PAYLOAD_BYTES, allow_empty=True)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise errors.InvalidValue("payload keys must be strings")
            _check_json_strings(key)
            _check_json_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_json_strings(item)


def source(value: object) -> Source:
    """Check every field of a Source; returns it unchanged when valid."""
    if not isinstance(value, Source):
        raise errors.InvalidValue("source must be a memory.Source")
    name("source.channel", value.channel)
    for field_name in ("conversation_id", "message_id", "actor"):
        optional_text(f"source.{field_name}", getattr(value, field_name), MAX_SHORT_TEXT)
    return value


def optional_source(value: object) -> Source | None:
    return None if value is None else source(value)


def check_observed_at(observed_at: datetime | None, now: datetime) -> datetime:
    if observed_at is None:
        return now
    if not isinstance(observed_at, datetime) or observed_at.tzinfo is None:
        raise errors.InvalidValue("observed_at must be a timezone-aware datetime")
    observed_at = observed_at.astimezone(timezone.utc)
    if observed_at - now > MAX_CLOCK_SKEW:
        raise errors.InvalidValue("observed_at is in the future")
    return observed_at


def check_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise errors.InvalidValue("limit must be a positive integer")
    return limit
