"""Scripted customers: loaded from benchmarks/conversations/{dev,heldout}.yml and checked.

A customer is data (see README.md beside this module): what they type (`turns`), how they
answer the bot's questions by kind (`answers`, and `persona` for first_name/email/phone),
and what must hold at the end (`expect`). A turn is a string, or a mapping
`{say: ..., gives: [kinds], new: complaint|need}` when the scorer must know that the
message already gave the answer to a kind of question, or starts a second complaint or need.
Customers type: a turn that looks like a button payload or an `/intent` is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmarks.conversations.questions import KINDS

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "heldout")
MAX_TURNS = 16
KNOWN_KINDS = frozenset(KINDS.values())
PERSONA_KINDS = ("first_name", "email", "phone")
EXPECT_KEYS = frozenset({
    "complaint", "need", "facts", "handoff", "product_answer", "out_of_scope", "no_record", "forgotten",
})
RECORDS = frozenset({"complaint", "need", "handoff"})


class InvalidCustomer(ValueError):
    """A scripted customer is malformed; the text names it and says why."""


@dataclass(frozen=True)
class Turn:
    say: str
    gives: frozenset[str] = frozenset()
    new: str | None = None  # "complaint" or "need": a second one starts here


@dataclass(frozen=True)
class Customer:
    id: str
    split: str
    about: str
    turns: tuple[Turn, ...]
    persona: dict[str, str] = field(default_factory=dict)
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)
    language: str = "en"

    def _options(self, kind: str) -> tuple[str, ...]:
        options = self.answers.get(kind)
        if options is None and kind in PERSONA_KINDS and self.persona.get(kind):
            options = (self.persona[kind],)
        return options or ()

    def answer(self, kind: str, times_answered: int) -> str | None:
        """What the customer says the nth time (0-based) the bot asks this kind, or None."""
        options = self._options(kind)
        return options[min(times_answered, len(options) - 1)] if options else None

    def answer_gives(self, kind: str, times_answered: int) -> bool:
        """Whether that answer gives the information asked for. In a list of answers only the
        last one does: the earlier ones are digressions ("how much is the 20gb one?") or
        first tries, and asking again after them is for the trap check to judge."""
        return times_answered >= len(self._options(kind)) - 1


def _fail(where: str, why: str) -> None:
    raise InvalidCustomer(f"{where}: {why}")


def _typed(text: Any, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        _fail(where, "a customer message must be non-empty text")
    stripped = text.strip()
    if stripped.startswith("/") or stripped.startswith("{") or '{"' in stripped:
        _fail(where, f"customers type; {stripped[:30]!r} looks like a button payload")
    return stripped


def _turn(raw: Any, where: str) -> Turn:
    if isinstance(raw, str):
        return Turn(_typed(raw, where))
    if not isinstance(raw, dict) or "say" not in raw:
        _fail(where, "a turn is text or a mapping with 'say'")
    gives = raw.get("gives") or []
    unknown = set(gives) - KNOWN_KINDS
    if unknown:
        _fail(where, f"unknown question kinds in 'gives': {sorted(unknown)}")
    new = raw.get("new")
    if new not in (None, "complaint", "need"):
        _fail(where, "'new' is 'complaint' or 'need'")
    return Turn(_typed(raw["say"], where), frozenset(gives), new)


def parse_customer(raw: dict, split: str) -> Customer:
    where = f"{split}:{raw.get('id', '?')}"
    for key in ("id", "about", "turns"):
        if not raw.get(key):
            _fail(where, f"'{key}' is missing")
    turns = tuple(_turn(turn, f"{where} turn {i + 1}") for i, turn in enumerate(raw["turns"]))
    if len(turns) > MAX_TURNS:
        _fail(where, f"more than {MAX_TURNS} turns")
    answers: dict[str, tuple[str, ...]] = {}
    for kind, answer in (raw.get("answers") or {}).items():
        if kind not in KNOWN_KINDS:
            _fail(where, f"unknown question kind {kind!r} in 'answers'")
        options = answer if isinstance(answer, list) else [answer]
        answers[kind] = tuple(_typed(str(option), f"{where} answer {kind}") for option in options)
    expect = raw.get("expect") or {}
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        _fail(where, f"unknown expectations {sorted(unknown)}")
    if not set(expect.get("no_record") or []) <= RECORDS:
        _fail(where, f"'no_record' lists some of {sorted(RECORDS)}")
    persona = {str(k): str(v) for k, v in (raw.get("persona") or {}).items()}
    return Customer(
        id=str(raw["id"]), split=split, about=str(raw["about"]), turns=turns, persona=persona,
        answers=answers, expect=dict(expect), language=str(raw.get("language", "en")),
    )


def load_split(split: str, directory: Path = HERE) -> list[Customer]:
    document = yaml.safe_load((directory / f"{split}.yml").read_text(encoding="utf-8")) or {}
    customers = [parse_customer(raw, split) for raw in document.get("customers") or []]
    seen: set[str] = set()
    for customer in customers:
        if customer.id in seen:
            _fail(f"{split}:{customer.id}", "duplicate id")
        seen.add(customer.id)
    return customers


def load(split: str = "all", only: str | None = None, directory: Path = HERE) -> list[Customer]:
    splits = SPLITS if split == "all" else (split,)
    customers = [customer for name in splits for customer in load_split(name, directory)]
    if only is not None:
        customers = [customer for customer in customers if customer.id == only]
    return customers
