"""What the console suggests recording from a customer's words during a handoff.

A customer who has a person keeps typing complaints, needs and contact details; the NLU
still reads every message (bot.handoff.capture) and each thing it finds becomes a
suggestion the agent records with one click, edits first, or dismisses.

Suggestions are kept with their handoff (in its `detail` document, see memory.api.handoffs), so
they survive a console reload and go wherever the handoff goes: moved with the customer on
a merge, deleted with them on erasure. This module is the pure part: reading a parse into
suggestions and checking an agent's edits.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from memory.api.handoffs import PENDING

from bot.handoff.models import InvalidAction

logger = logging.getLogger(__name__)

COMPLAINT, NEED, FACT = "complaint", "need", "fact"
ENTITY_CONFIDENCE = 0.5
FACT_ENTITIES = ("email", "phone", "first_name")
MAX_FIELD = {"description": 2000, "words": 2000, "value": 254}
DEFAULT_FIELD_CHARS = 100
# What an agent may change before recording, per kind.
EDITABLE = {
    COMPLAINT: ("category", "description", "severity", "order_ref"),
    NEED: ("category", "product", "budget", "timeframe", "words"),
    FACT: ("value",),
}
REQUIRED = {COMPLAINT: ("category", "description", "severity"), NEED: ("category",), FACT: ("key", "value")}


@dataclass(frozen=True)
class Vocabulary:
    """The values a suggestion may name: marketer-edited lists, read once at start-up."""

    complaint_categories: tuple[str, ...] = ("connection", "billing", "device", "service", "other")
    severities: tuple[str, ...] = ("low", "medium", "high")
    need_categories: tuple[str, ...] = ("broadband", "mobile", "tv", "device", "bundle")

    def to_json(self) -> dict[str, list[str]]:
        return {"complaint_categories": list(self.complaint_categories), "severities": list(self.severities),
                "need_categories": [*self.need_categories, "unspecified"]}


def load_vocabulary(repo_root: Path) -> Vocabulary:
    """Complaint categories and severities from data/marketing/complaints.yml, need categories
    from data/catalogue/products.yml; the shipped defaults for any list that cannot be read."""
    default = Vocabulary()
    lists: dict[str, tuple[str, ...]] = {}
    try:
        complaints = yaml.safe_load((repo_root / "data/marketing/complaints.yml").read_text(encoding="utf-8"))
        lists["complaint_categories"] = tuple(str(c["id"]) for c in complaints["categories"])
        lists["severities"] = tuple(str(s["id"]) for s in complaints["severities"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        logger.warning("complaint categories from the defaults: %s", type(error).__name__)
    try:
        products = yaml.safe_load((repo_root / "data/catalogue/products.yml").read_text(encoding="utf-8"))
        lists["need_categories"] = tuple(str(c) for c in products["categories"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        logger.warning("need categories from the defaults: %s", type(error).__name__)
    return Vocabulary(**{name: values or getattr(default, name) for name, values in lists.items()})


# --- reading a parse --------------------------------------------------------------------------

def _entities(parse: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for entity in parse.get("entities") or ():
        if not isinstance(entity, dict) or not isinstance(entity.get("entity"), str):
            continue
        confidence = entity.get("confidence_entity")
        if isinstance(confidence, (int, float)) and confidence < ENTITY_CONFIDENCE:
            continue
        if isinstance(entity.get("value"), str) and entity["value"].strip():
            found.append(entity)
    return found


def _first(entities: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((e for e in entities if e["entity"] == name), None)


def _value(entities: list[dict[str, Any]], name: str) -> str | None:
    entity = _first(entities, name)
    return entity["value"].strip() if entity is not None else None


def _info(entity: dict[str, Any] | None) -> dict[str, Any]:
    info = entity.get("additional_info") if entity is not None else None
    return info if isinstance(info, dict) else {}


def read_parse(parse: dict[str, Any], text: str, vocabulary: Vocabulary) -> list[tuple[str, dict[str, str]]]:
    """(kind, fields) for every complaint, need and fact the NLU found in `text`."""
    intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    name = intent.get("name")
    entities = _entities(parse)
    found: list[tuple[str, dict[str, str]]] = []

    category = _value(entities, "complaint_category")
    if name == "complain" or category is not None:
        if category not in vocabulary.complaint_categories:
            # Without the NLU's complaint category, a product category that is also one
            # ("device": "my router ...") is the best reading; the agent can edit it.
            category = _value(entities, "category")
        severity = _value(entities, "severity")
        fields = {
            "category": category if category in vocabulary.complaint_categories else "other",
            "description": text,
            "severity": severity if severity in vocabulary.severities else "medium",
        }
        if (order_ref := _value(entities, "order_ref")) is not None:
            fields["order_ref"] = order_ref
        found.append((COMPLAINT, fields))

    if name == "state_need":
        product = _first(entities, "product")
        need_category = _value(entities, "category") or _info(product).get("category")
        fields = {"category": need_category if need_category in vocabulary.need_categories else "unspecified",
                  "words": text}
        for field, entity in (("product", "product"), ("budget", "money"), ("timeframe", "timeframe")):
            if (value := _value(entities, entity)) is not None:
                fields[field] = value
        found.append((NEED, fields))

    facts: dict[str, str] = {}
    for key in FACT_ENTITIES:
        if (value := _value(entities, key)) is not None:
            facts.setdefault(key, value)
    for entity in entities:
        new_value = _info(entity).get("new_value")
        if entity["entity"] == "fact_key" and isinstance(new_value, str) and new_value.strip():
            facts.setdefault(entity["value"], new_value.strip())
    found.extend((FACT, {"key": key, "value": value}) for key, value in facts.items())
    return found


# --- one suggestion -------------------------------------------------------------------------

def _quoted(text: str, limit: int = 120) -> str:
    short = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return f"'{short}'"


def label(kind: str, fields: dict[str, str]) -> str:
    """How the console names it: "connection complaint: 'my router keeps dropping...'"."""
    if kind == COMPLAINT:
        return f"{fields['category']} complaint: {_quoted(fields['description'])}"
    if kind == NEED:
        what = fields.get("product") or fields["category"]
        extras = "".join(f", {part}" for part in (fields.get("budget"), fields.get("timeframe")) if part)
        return f"{what} need{extras}: {_quoted(fields.get('words', ''))}"
    return f"{fields['key'].replace('_', ' ')}: {fields['value']}"


def new_suggestion(kind: str, fields: dict[str, str], *, message_id: int | None, created_at: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex[:16], "kind": kind, "fields": dict(fields), "label": label(kind, fields),
        "message_id": message_id, "status": PENDING, "created_at": created_at,
        "decided_by": None, "decided_at": None, "result": None,
    }


def edited(suggestion: dict[str, Any], edits: object, vocabulary: Vocabulary) -> dict[str, str]:
    """The suggestion's fields with an agent's edits applied, checked; InvalidAction if bad."""
    kind, fields = suggestion["kind"], dict(suggestion["fields"])
    if edits is None:
        edits = {}
    if not isinstance(edits, dict):
        raise InvalidAction("'fields' must be an object.")
    for name, value in edits.items():
        if name not in EDITABLE[kind]:
            raise InvalidAction(f"A {kind} suggestion has no field '{name}' to change.")
        if value is None or (isinstance(value, str) and not value.strip()):
            fields.pop(name, None)
            continue
        if not isinstance(value, str) or len(value.strip()) > MAX_FIELD.get(name, DEFAULT_FIELD_CHARS):
            raise InvalidAction(f"The {name.replace('_', ' ')} must be text of a sensible length.")
        fields[name] = value.strip()
    allowed = {
        (COMPLAINT, "category"): vocabulary.complaint_categories,
        (COMPLAINT, "severity"): vocabulary.severities,
        (NEED, "category"): (*vocabulary.need_categories, "unspecified"),
    }
    for (for_kind, name), values in allowed.items():
        if kind == for_kind and name in fields and fields[name] not in values:
            raise InvalidAction(f"The {name} must be one of: {', '.join(values)}.")
    missing = [name for name in REQUIRED[kind] if not fields.get(name)]
    if missing:
        raise InvalidAction(f"Give the {kind} a {missing[0]}.")
    return fields
