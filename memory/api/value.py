"""Value area: purchases, and what a customer is worth: spend, potential, tier and drift.

The interface checks every input once, then calls the storage step that the fake and
SQL stores implement; both hand `value()` the same inputs, and it works the figures out.
"""
from __future__ import annotations

import abc
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from memory.api import validation
from memory.api.provenance import Source


@dataclass(frozen=True)


class PurchaseView:
    id: int
    customer_id: str
    amount: Decimal
    currency: str
    product: str
    purchased_at: datetime
    reference: str | None
    source: Source


@dataclass(frozen=True)


class ValuePolicy:
    """Thresholds for value tiers; amounts are in `currency`, other currencies are ignored.

    The gateway sets `currency` from RAPPORT_CURRENCY (bot.settings); GBP, the
    catalogue's currency, by default.
    """

    currency: str = "GBP"
    window_days: int = 365
    top_spend: Decimal = Decimal("1000")
    new_customer_days: int = 90
    drift_after_days: int = 180


@dataclass(frozen=True)


class CustomerValue:
    customer_id: str
    currency: str
    window_days: int
    spend_in_window: Decimal
    lifetime_spend: Decimal
    purchases_in_window: int
    last_purchase_at: datetime | None
    potential: Decimal
    tier: str  # "top", "standard" or "new"
    drifting: bool


@dataclass(frozen=True)


class ValueInputs:
    """What value() works from, as a storage step reads it in one go."""

    customer_id: str  # the live id
    created_at: datetime
    purchases: list[PurchaseView]
    need_budgets: list[tuple[datetime, str | None]]


_NUMBER = re.compile(r"(\d{1,3}(?:[ ,.']\d{3})+|\d+)(?:[.,](\d{1,2}))?(?!\d)")
_RANGE_GAP = re.compile(r"\s*(?:-|–|to)\s*[£€$]?\s*")
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
    """The amount in a budget in the customer's words ("about £1,200"), or None. A range
    ("20-30 GBP/month") is read as its top: what the customer is prepared to spend.

    With `currency`, a budget that names another currency is None: amounts in different
    currencies are not added up. A budget naming none is taken to be in `currency`.
    """
    if not budget:
        return None
    if currency is not None and budget_currency(budget) not in (None, currency):
        return None
    numbers = list(_NUMBER.finditer(budget))
    if not numbers:
        return None
    match = numbers[0]
    if len(numbers) > 1 and _RANGE_GAP.fullmatch(budget[match.end():numbers[1].start()]):
        match = numbers[1]
    whole = re.sub(r"[ ,.']", "", match.group(1))
    cents = match.group(2) or "0"
    return Decimal(f"{whole}.{cents}")


def value_summary(
    *,
    policy: ValuePolicy,
    customer_id: str,
    created_at: datetime,
    purchases: list[PurchaseView],
    need_budgets: list[tuple[datetime, str | None]],
    now: datetime,
) -> CustomerValue:
    """Value, potential and tier from purchases and stated needs; see ValuePolicy.

    Only purchases and budgets in the policy's currency count (a budget naming no
    currency is in it: the NLU gives bare amounts the same RAPPORT_CURRENCY).
    """
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


class ValueStore(abc.ABC):
    _value_policy: ValuePolicy

    @abc.abstractmethod
    def _now(self) -> datetime: ...

    async def record_purchase(
        self, customer_id: str, *, amount: Decimal | str | int, currency: str, product: str,
        source: Source, purchased_at: datetime | None = None, reference: str | None = None,
    ) -> PurchaseView:
        """Record or import a purchase. A repeated `reference` returns the first, stored once."""
        now = self._now()
        values = {
            "amount": validation.amount("amount", amount),
            "currency": validation.currency(currency),
            "product": validation.text("product", product, validation.MAX_SHORT_TEXT),
            "source": validation.source(source),
            "purchased_at": validation.check_observed_at(purchased_at, now),
            "reference": validation.optional_text(
                "reference", reference, validation.MAX_SHORT_TEXT
            ),
        }
        return await self._record_purchase(customer_id, values, now)

    @abc.abstractmethod
    async def purchases(self, customer_id: str) -> list[PurchaseView]: ...

    async def value(self, customer_id: str) -> CustomerValue:
        """Spend in the policy window, potential from stated budgets, tier and drift."""
        inputs = await self._value_inputs(customer_id)
        return value_summary(
            policy=self._value_policy, customer_id=inputs.customer_id,
            created_at=inputs.created_at, purchases=inputs.purchases,
            need_budgets=inputs.need_budgets, now=self._now(),
        )

    # Storage steps: called with checked input only.

    @abc.abstractmethod
    async def _record_purchase(
        self, customer_id: str, values: dict[str, Any], now: datetime
    ) -> PurchaseView:
        """`values` are keyed as PurchaseView's fields; `now` is when it was recorded."""

    @abc.abstractmethod
    async def _value_inputs(self, customer_id: str) -> ValueInputs: ...
