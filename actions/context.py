"""What the bot says about a customer's history: sources, returning context, value tier."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from rasa_sdk import Tracker

from memory import ProfileStore, Source

from actions.catalogue import catalogue

CHANNEL_NAMES = {"web": "web chat", "telegram": "Telegram", "api": "our app", "agent": "a colleague"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")


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


async def returning_context(store: ProfileStore, customer_id: str) -> str | None:
    """One line that shows we remember: an open complaint first, else the latest need."""
    complaints = [c for c in await store.complaints(customer_id) if c.status != "resolved"]
    if complaints:
        latest = complaints[0]
        return (
            f"I can see your complaint {latest.reference} about {latest.category} is still "
            f"{latest.status.replace('_', ' ')}; ask me for its status any time."
        )
    needs = await store.needs(customer_id)
    if needs:
        need = needs[0]
        subject = catalogue.product_name(need.product) if need.product else need.category
        return f"Is this about the {subject} you asked about {when(need.created_at)}?"
    return None


async def history_lines(store: ProfileStore, customer_id: str) -> list[str]:
    lines = []
    for need in (await store.needs(customer_id))[:3]:
        lines.append(f"- you were looking for {need.product or need.category} ({when(need.created_at)}, in your words: \"{need.words}\")")
    for complaint in (await store.complaints(customer_id))[:3]:
        lines.append(f"- complaint {complaint.reference} about {complaint.category}: {complaint.status.replace('_', ' ')}")
    for consent in await store.consents(customer_id):
        if consent.revoked_at is None:
            lines.append(f"- you agreed to receive {consent.purpose.replace('_', ' ')} ({when(consent.granted_at)})")
    return lines


def clean_fact_value(key: str, value: object, tracker: Tracker) -> str | None:
    """A value fit to store for key, preferring what the NLU extracted, else None."""
    if key in ("email", "phone"):
        extracted = next(tracker.get_latest_entity_values(key), None)
        if extracted:
            return str(extracted)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if key == "email":
        return value if _EMAIL.match(value) else None
    if key == "phone":
        return value if _PHONE.match(value) else None
    return value if 0 < len(value) <= 100 else None


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


def say_budget(value: str | None) -> str:
    """'40 GBP/month' → '£40 a month'; anything else is shown as given."""
    if not value:
        return "open"
    symbols = {"GBP": "£", "EUR": "€", "USD": "$"}
    match = re.fullmatch(r"([\d.]+(?:-[\d.]+)?) ([A-Z]{3})(?:/(\w+))?", value)
    if not match:
        return value
    amount, currency, period = match.groups()
    money = f"{symbols[currency]}{amount}" if currency in symbols else f"{amount} {currency}"
    return f"{money} a {period}" if period else money
