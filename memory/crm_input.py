"""Checks for needs, complaints, satisfaction, consent, offers and purchases.

Both store implementations call these, so they accept and refuse exactly the same input.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from memory import errors, validation
from memory.crm_views import OFFER_EVENT_KINDS, SATISFACTION_LEVELS, SEVERITIES, UNCHANGED
from memory.ids import complaint_number
from memory.rules import check_observed_at
from memory.views import Source

MAX_LABEL = 100


# One check per field, shared by add_need/open_complaint and the amendments, so an
# amended value meets exactly the limits of the first one.
NEED_FIELDS: dict[str, Callable[[object], Any]] = {
    "category": lambda v: validation.text("category", v, MAX_LABEL),
    "product": lambda v: validation.optional_text("product", v, validation.MAX_SHORT_TEXT),
    "budget": lambda v: validation.optional_text("budget", v, MAX_LABEL),
    "timeframe": lambda v: validation.optional_text("timeframe", v, MAX_LABEL),
    "words": lambda v: validation.text("words", v, validation.MAX_LONG_TEXT, allow_empty=True),
}
COMPLAINT_FIELDS: dict[str, Callable[[object], Any]] = {
    "category": lambda v: validation.text("category", v, MAX_LABEL),
    "severity": lambda v: validation.choice("severity", v, SEVERITIES),
    "product_ref": lambda v: validation.optional_text(
        "product_ref", v, validation.MAX_SHORT_TEXT
    ),
    "order_ref": lambda v: validation.optional_text("order_ref", v, validation.MAX_SHORT_TEXT),
    "description": lambda v: validation.text("description", v, validation.MAX_LONG_TEXT),
}


def default_actor(source: Source) -> str:
    """Who a change is attributed to when the caller names nobody."""
    return source.actor or f"customer via {source.channel}"


def need(category, words, source, product, budget, timeframe) -> dict[str, Any]:
    given = {"category": category, "words": words, "product": product, "budget": budget,
             "timeframe": timeframe}
    return {**{name: NEED_FIELDS[name](value) for name, value in given.items()},
            "source": validation.source(source)}


def complaint(
    category, description, source, severity, product_ref, order_ref, owner, actor
) -> dict[str, Any]:
    given = {"category": category, "description": description, "severity": severity,
             "product_ref": product_ref, "order_ref": order_ref}
    source = validation.source(source)
    return {
        **{name: COMPLAINT_FIELDS[name](value) for name, value in given.items()},
        "source": source,
        "owner": None if owner is None else validation.name("owner", owner),
        "actor": validation.name("actor", actor if actor is not None else default_actor(source)),
    }


def _requested(checks: dict[str, Callable[[object], Any]], given: dict[str, Any]):
    """The checked values of the fields given; UNCHANGED ones are left out."""
    return {name: checks[name](value) for name, value in given.items() if value is not UNCHANGED}


def need_amendment(need_id, source, given: dict[str, Any]) -> tuple[int, Source, str, dict]:
    """(need id, source, actor, requested values) for amend_need."""
    if not isinstance(need_id, int) or isinstance(need_id, bool):
        raise errors.UnknownNeed(need_id)
    source = validation.source(source)
    return need_id, source, validation.name("actor", default_actor(source)), _requested(
        NEED_FIELDS, given
    )


def complaint_amendment(reference, actor, source, given: dict[str, Any]):
    """(complaint number, actor, source or None, requested values) for amend_complaint."""
    number = reference_number(reference)
    actor = validation.name("actor", actor)
    source = None if source is None else validation.source(source)
    return number, actor, source, _requested(COMPLAINT_FIELDS, given)


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
