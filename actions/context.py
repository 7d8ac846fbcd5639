"""The variable parts of what the bot says about a customer: fact labels and clean values,
dates, budgets and prices, where a fact came from, and the customer's history."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from memory import ProfileStore, Source

from actions.catalogue import catalogue

CHANNEL_NAMES = {"web": "web chat", "telegram": "Telegram", "api": "our app", "agent": "a colleague"}
FACT_LABELS = {
    "first_name": "first name", "last_name": "last name", "email": "email address",
    "phone": "phone number", "city": "city", "postcode": "postcode", "budget": "budget",
    "plan": "plan", "preferred_channel": "preferred channel", "language": "language",
    "company": "company",
}
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "PLN": "zł", "RUB": "₽", "CNY": "¥",
                    "MYR": "RM"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")
_NAME = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*$")


def fact_label(key: str) -> str:
    return FACT_LABELS.get(key, key.replace("_", " "))


def clean_fact_value(key: str, value: object) -> str | None:
    """A value fit to store for `key`, or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if key == "email":
        return value if _EMAIL.match(value) and len(value) <= 254 else None
    if key == "phone":
        return value if _PHONE.match(value) else None
    if key in ("first_name", "last_name"):
        if not _NAME.match(value) or len(value) > 40:
            return None
        return value[:1].upper() + value[1:] if value.islower() else value
    return value if 0 < len(value) <= 100 else None


def when(moment: datetime, now: datetime | None = None) -> str:
    """'today', 'yesterday', 'on Tuesday' (within a week) or 'on 3 March'."""
    now = now or datetime.now(timezone.utc)
    days = (now.date() - moment.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"on {moment:%A}"
    return f"on {moment.day} {moment:%B}"


def describe_source(source: Source, observed_at: datetime) -> str:
    if source.actor and source.actor.startswith("agent"):
        return f"recorded by our staff {when(observed_at)}"
    return f"you told us on {CHANNEL_NAMES.get(source.channel, source.channel)} {when(observed_at)}"


async def value_tier(store: ProfileStore, customer_id: str) -> str:
    return (await store.value(customer_id)).tier


def mask(key: str, value: str) -> str:
    """Show enough of a stale value to confirm it without reading it out in full."""
    if key == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}…@{domain}"
    if key == "phone":
        digits = value.replace(" ", "")
        return f"{digits[:4]}…{digits[-2:]}"
    return value


def say_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def say_timeframe(value: str | None) -> str:
    """'before:2027-09-01' → 'before 1 September 2027', as the NLU's values are documented."""
    if not value:
        return "whenever suits"
    if value in ("asap", "flexible"):
        return {"asap": "as soon as possible", "flexible": "whenever suits"}[value]
    relation, _, iso = value.partition(":")
    try:
        if relation in ("before", "by", "after") and iso:
            return f"{relation} {say_date(iso)}"
        if "/" in value:
            start, end = value.split("/", 1)
            return f"between {say_date(start)} and {say_date(end)}"
        return f"on {say_date(value)}"
    except ValueError:
        return value  # the customer's own words, kept as they said them


def say_money(amount: float | str, currency: str) -> str:
    """35.0, 'GBP' → '£35'; 12.5 → '£12.50'."""
    number = float(amount)
    text = f"{number:.0f}" if number == int(number) else f"{number:.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol is None:
        return f"{text} {currency}"
    return f"{text} {symbol}" if currency in ("PLN", "RUB") else f"{symbol}{text}"


def say_budget(value: str | None) -> str:
    """'40 GBP/month' → '£40 a month'; anything else is shown as given."""
    if not value:
        return "open"
    match = re.fullmatch(r"([\d.]+)(?:-([\d.]+))? ([A-Z]{3})(?:/(\w+))?", value)
    if not match:
        return value
    low, high, currency, period = match.groups()
    money = say_money(low, currency) + (f"-{say_money(high, 'XXX').split()[0]}" if high else "")
    return f"{money} a {period}" if period else money


def subject_of(category: str | None, product: str | None) -> str:
    """What a need is for, as the customer would say it: 'Fibre 500', 'mobile'."""
    if product:
        return catalogue.product_name(product)
    if not category or category == "unspecified":
        return "what you're looking for"
    return category


async def history_lines(store: ProfileStore, customer_id: str) -> list[str]:
    lines = []
    for need in (await store.needs(customer_id))[:3]:
        lines.append(f"- you were looking for {subject_of(need.category, need.product)} "
                     f"({when(need.created_at)}, in your words: \"{need.words}\")")
    for complaint in (await store.complaints(customer_id))[:3]:
        lines.append(f"- complaint {complaint.reference} about {complaint.category}: "
                     f"{complaint.status.replace('_', ' ')}")
    for consent in await store.consents(customer_id):
        if consent.revoked_at is None:
            lines.append(f"- you agreed to receive {consent.purpose.replace('_', ' ')} "
                         f"({when(consent.granted_at)})")
    return lines
