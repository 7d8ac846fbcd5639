"""Checks for needs, complaints, satisfaction, consent, offers and purchases.

Both store implementations call these, so they accept and refuse exactly the same input.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from memory import errors, validation
from memory.crm_views import OFFER_EVENT_KINDS, SATISFACTION_LEVELS, SEVERITIES
from memory.ids import complaint_number
from memory.rules import check_observed_at

MAX_LABEL = 100


def need(category, words, source, product, budget, timeframe) -> dict[str, Any]:
    return {
        "category": validation.text("category", category, MAX_LABEL),
        "words": validation.text("words", words, validation.MAX_LONG_TEXT, allow_empty=True),
        "source": validation.source(source),
        "product": validation.optional_text("product", product, validation.MAX_SHORT_TEXT),
        "budget": validation.optional_text("budget", budget, MAX_LABEL),
        "timeframe": validation.optional_text("timeframe", timeframe, MAX_LABEL),
    }


def complaint(
    category, description, source, severity, product_ref, order_ref, owner, actor
) -> dict[str, Any]:
    return {
        "category": validation.text("category", category, MAX_LABEL),
        "description": validation.text("description", description, validation.MAX_LONG_TEXT),
        "source": validation.source(source),
        "severity": validation.choice("severity", severity, SEVERITIES),
        "product_ref": validation.optional_text(
            "product_ref", product_ref, validation.MAX_SHORT_TEXT
        ),
        "order_ref": validation.optional_text("order_ref", order_ref, validation.MAX_SHORT_TEXT),
        "owner": None if owner is None else validation.name("owner", owner),
        "actor": validation.name("actor", actor if actor is not None else source.actor
                                 or f"customer via {source.channel}"),
    }


def reference_number(reference: object) -> int:
    number = complaint_number(reference)  # type: ignore[arg-type]
    if number is None:
        raise errors.UnknownComplaint(str(reference))
    return number


def satisfaction(level, source, comment) -> dict[str, Any]:
    return {
        "level": validation.choice("level", level, SATISFACTION_LEVELS),
        "source": validation.source(source),
        "comment": validation.optional_text("comment", comment, validation.MAX_LONG_TEXT),
    }


def consent(purpose, channel, wording) -> dict[str, Any]:
    return {
        "purpose": validation.text("purpose", purpose, MAX_LABEL),
        "channel": validation.name("channel", channel),
        "wording": validation.text("wording", wording, validation.MAX_LONG_TEXT),
    }


def offer(offer_id, title, description, purpose, active, attributes) -> dict[str, Any]:
    if not isinstance(active, bool):
        raise errors.InvalidValue("active must be True or False")
    return {
        "offer_id": validation.name("offer_id", offer_id),
        "title": validation.text("title", title, validation.MAX_SHORT_TEXT),
        "description": validation.text(
            "description", description, validation.MAX_LONG_TEXT, allow_empty=True
        ),
        "purpose": validation.optional_text("purpose", purpose, MAX_LABEL) or None,
        "active": active,
        "attributes": validation.payload(attributes if attributes is not None else {}),
    }


def offer_event(offer_id, kind, source) -> dict[str, Any]:
    return {
        "offer_id": validation.name("offer_id", offer_id),
        "kind": validation.choice("kind", kind, OFFER_EVENT_KINDS),
        "source": validation.source(source),
    }


def purchase(amount, currency, product, source, purchased_at, reference, now: datetime):
    return {
        "amount": validation.amount("amount", amount),
        "currency": validation.currency(currency),
        "product": validation.text("product", product, validation.MAX_SHORT_TEXT),
        "source": validation.source(source),
        "purchased_at": check_observed_at(purchased_at, now),
        "reference": validation.optional_text("reference", reference, validation.MAX_SHORT_TEXT),
    }


def follow_up(due_at, actor, note) -> dict[str, Any]:
    if not isinstance(due_at, datetime) or due_at.tzinfo is None:
        raise errors.InvalidValue("due_at must be a timezone-aware datetime")
    return {
        "due_at": due_at.astimezone(timezone.utc),
        "created_by": validation.name("actor", actor),
        "note": validation.optional_text("note", note, validation.MAX_LONG_TEXT),
    }
