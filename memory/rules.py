"""Domain rules shared by every store implementation, so the fake and SQL agree."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

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


# Complaint lifecycle: open -> in_progress -> resolved, and resolved -> reopened.
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "resolved"}),
    "in_progress": frozenset({"resolved"}),
    "resolved": frozenset({"reopened"}),
    "reopened": frozenset({"in_progress", "resolved"}),
}


def check_transition(reference: str, current: str, requested: str) -> None:
    if requested not in COMPLAINT_TRANSITIONS.get(current, frozenset()):
        raise errors.InvalidTransition(reference, current, requested)


# A resolved complaint may still get the details that complete its record (the order it
# was about, the customer's fuller words): the customer often answers a follow-up question
# after an agent closed it. How it was classified and handled (category, severity,
# product) changes only after it is reopened, so resolved figures do not shift under staff.
AMENDABLE_WHEN_RESOLVED = frozenset({"order_ref", "description"})


Change = tuple[str, str | None, str | None]  # (field, old value, new value)


def field_changes(current, requested: dict[str, str | None]) -> list[Change]:
    """(field, old, new) for each requested value that differs from `current`'s attribute,
    in the order requested: re-stating a value is not a change."""
    return [
        (name, getattr(current, name), value)
        for name, value in requested.items()
        if getattr(current, name) != value
    ]


def check_amendable(reference: str, status: str, changed: list[str]) -> None:
    refused = [name for name in changed if name not in AMENDABLE_WHEN_RESOLVED]
    if status == "resolved" and refused:
        raise errors.ComplaintResolved(reference, refused)


def satisfaction_direction(scores_newest_first: list[int]) -> str:
    """Compare the latest reading with the mean of the ones before it."""
    if len(scores_newest_first) < 2:
        return "unknown"
    latest, earlier = scores_newest_first[0], scores_newest_first[1:]
    mean = sum(earlier) / len(earlier)
    if latest > mean:
        return "improving"
    if latest < mean:
        return "declining"
    return "steady"


_NUMBER = re.compile(r"(\d{1,3}(?:[ ,.']\d{3})+|\d+)(?:[.,](\d{1,2}))?(?!\d)")
# How budgets name a currency: the NLU writes "30 EUR/month", customers "€30" or "30 euros".
_CURRENCY_SIGNS = {"£": "GBP", "€": "EUR", "$": "USD"}
_CURRENCY_WORDS = {"pound": "GBP", "pounds": "GBP", "quid": "GBP", "sterling": "GBP",
                   "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD"}
# A sign, a word, or an ISO code next to the number ("30 EUR", "EUR 30"; not "the SIM").
_CURRENCY_NAME = re.compile(r"[£€$]|(?<=\d) ?([A-Z]{3})\b|\b([A-Z]{3}) ?(?=\d)|[A-Za-z]+")


def budget_currency(budget: str) -> str | None:
    """The currency a budget names ("€30", "30 EUR/month", "30 quid"), or None."""
    for match in _CURRENCY_NAME.finditer(budget):
        code = match.group(1) or match.group(2)
        if code is None:
            name = match.group()
            code = _CURRENCY_SIGNS.get(name) or _CURRENCY_WORDS.get(name.lower())
        if code is not None:
            return code
    return None


def budget_amount(budget: str | None, currency: str | None = None) -> Decimal | None:
    """The first amount in a budget in the customer's words ("about £1,200"), or None.

    With `currency`, a budget that names another currency is None: amounts in different
    currencies are not added up. A budget naming none is taken to be in `currency`.
    """
    if not budget:
        return None
    if currency is not None and budget_currency(budget) not in (None, currency):
        return None
    match = _NUMBER.search(budget)
    if match is None:
        return None
    whole = re.sub(r"[ ,.']", "", match.group(1))
    cents = match.group(2) or "0"
    return Decimal(f"{whole}.{cents}")


def value_summary(
    *,
    policy,
    customer_id: str,
    created_at: datetime,
    purchases: list,
    need_budgets: list[tuple[datetime, str | None]],
    now: datetime,
):
    """Value, potential and tier from purchases and stated needs; see ValuePolicy.

    Only purchases and budgets in the policy's currency count (a budget naming no
    currency is in it: the NLU gives bare amounts the same RAPPORT_CURRENCY).
    """
    from memory.crm_views import CustomerValue

    window_start = now - timedelta(days=policy.window_days)
    counted = [p for p in purchases if p.currency == policy.currency]
    in_window = [p for p in counted if p.purchased_at >= window_start]
    spend = sum((p.amount for p in in_window), Decimal("0.00"))
    lifetime = sum((p.amount for p in counted), Decimal("0.00"))
    last = max((p.purchased_at for p in purchases), default=None)
    potential = sum(
        (amount for at, budget in need_budgets
         if at >= window_start
         and (amount := budget_amount(budget, policy.currency)) is not None),
        Decimal("0.00"),
    )
    if spend >= policy.top_spend:
        tier = "top"
    elif now - created_at < timedelta(days=policy.new_customer_days):
        tier = "new"
    else:
        tier = "standard"
    drifting = last is not None and now - last > timedelta(days=policy.drift_after_days)
    return CustomerValue(
        customer_id=customer_id, currency=policy.currency, window_days=policy.window_days,
        spend_in_window=spend, lifetime_spend=lifetime, purchases_in_window=len(in_window),
        last_purchase_at=last, potential=potential, tier=tier, drifting=drifting,
    )


def trend_of(readings_newest_first: list):
    """SatisfactionTrend of readings given newest first."""
    from memory.crm_views import SatisfactionTrend

    if not readings_newest_first:
        return SatisfactionTrend(latest=None, average=None, direction="unknown")
    scores = [r.score for r in readings_newest_first]
    return SatisfactionTrend(
        latest=readings_newest_first[0].level,
        average=round(sum(scores) / len(scores), 2),
        direction=satisfaction_direction(scores),
        readings=tuple(readings_newest_first),
    )
