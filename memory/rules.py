"""Domain rules shared by every store implementation, so the fake and SQL agree."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from memory import errors

# Clocks on different machines disagree a little; beyond this an observation time
# from the future is a bug in the caller, and it would pin the value forever.
MAX_CLOCK_SKEW = timedelta(minutes=5)


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
