"""Scores one replayed conversation: the checks every customer gets, and their expectations.

Every customer: no question asked three times (a `trap`: the same question text, or the same
kind, in three turns), no `apology` from the gateway, no turn without a reply (`no_reply`;
while a handoff is open the bot is rightly silent), and nothing already given asked for
again (`asked_again`: the bot asks a kind the customer's earlier messages gave, or a fact
the profile already held). Expectations (`expect`) are checked on what the profile store
and the handoff store hold at the end, and on the replies:

- complaint / need: one recorded record per expected one, matching on category (a list
  means any of them), for needs on the budget amount (`budget: 25`, or `none`) and on
  whether a timeframe was recorded (`timeframe: none` means it must not be; any other
  value, "asap" or "before september", only that one was); optional complaint `severity`
  and `order_ref`;
- facts: the profile's value, ignoring case and spaces (phones: digits); null = absent;
- handoff: whether one was opened for the conversation;
- product_answer: see products.py;
- out_of_scope: nothing recorded and no complaint or need question, beyond what the other
  expectations ask for;
- no_record: none of these recorded (complaint, need, handoff);
- forgotten: the customer's profile is gone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.conversations import products
from benchmarks.conversations.customers import Customer
from benchmarks.conversations.products import Product
from benchmarks.conversations.questions import normalise

COMPLAINT_KINDS = frozenset({
    "complaint_category", "complaint_description", "complaint_reference", "complaint_severity",
})
NEED_KINDS = frozenset({"need_category", "need_budget", "need_timeframe"})
# Kinds of question whose answer is information: asking for it twice means it was lost.
DATA_KINDS = frozenset({"first_name", "email", "phone"}) | COMPLAINT_KINDS | NEED_KINDS
TRAP_AT = 3
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass
class Exchange:
    """One customer message and the bot's replies to it."""

    said: str
    replies: list[str]
    asked: list[str] = field(default_factory=list)  # question kinds in the replies
    questions: list[tuple[str, str]] = field(default_factory=list)  # (kind, normalised text)
    gives: frozenset[str] = frozenset()  # kinds of information this message gave
    answered: str | None = None  # the kind of question this message answered
    new: str | None = None  # "complaint"/"need": this message starts another one
    known: frozenset[str] = frozenset()  # profile facts held after this turn (when read)
    in_handoff: bool = False  # a handoff was already open when the message was sent
    error: str | None = None  # the request failed (no replies at all)
    apology: bool = False


@dataclass(frozen=True)
class Record:
    category: str
    severity: str | None = None
    order_ref: str | None = None
    budget: str | None = None
    timeframe: str | None = None


@dataclass
class Outcome:
    """What the stores hold about the customer at the end."""

    exists: bool = True
    facts: dict[str, str] = field(default_factory=dict)
    complaints: list[Record] = field(default_factory=list)
    needs: list[Record] = field(default_factory=list)
    handoff: bool = False


@dataclass(frozen=True)
class Failure:
    kind: str
    detail: str


def traps(exchanges: list[Exchange]) -> list[str]:
    """Questions asked in three or more turns: by kind (not `other`) or by their exact text.
    One trapped question is reported once, by its kind when it has one."""
    kinds = Counter(kind for e in exchanges for kind in set(e.asked) if kind != "other")
    trapped = {kind for kind, n in kinds.items() if n >= TRAP_AT}
    texts = Counter(question for e in exchanges if not trapped & set(e.asked)
                    for question in set(e.questions))
    found = [f"kind {kind} asked {kinds[kind]} times" for kind in sorted(trapped)]
    found += [f"{text!r} asked {n} times" for (_, text), n in texts.items() if n >= TRAP_AT]
    return found


def asked_again(exchanges: list[Exchange]) -> list[str]:
    given: set[str] = set()
    found = []
    for index, exchange in enumerate(exchanges, 1):
        if exchange.answered == "forget_confirm":
            given.clear()  # after an erase, asking again is right
        if exchange.new == "complaint":
            given -= COMPLAINT_KINDS
        if exchange.new == "need":
            given -= NEED_KINDS
        given |= exchange.gives
        for kind in exchange.asked:
            if kind == exchange.answered:
                continue  # asked again right after an answer it missed: that is for `traps`
            if kind in DATA_KINDS and (kind in given or kind in exchange.known):
                found.append(f"turn {index}: asked {kind} again")
    return found


def conversation_failures(exchanges: list[Exchange]) -> list[Failure]:
    failures = [Failure("trap", detail) for detail in traps(exchanges)]
    failures += [Failure("asked_again", detail) for detail in asked_again(exchanges)]
    for index, exchange in enumerate(exchanges, 1):
        if exchange.error:
            failures.append(Failure("http_error", f"turn {index}: {exchange.error}"))
        elif exchange.apology:
            failures.append(Failure("apology", f"turn {index}"))
        elif not exchange.replies and not exchange.in_handoff:
            failures.append(Failure("no_reply", f"turn {index}: {exchange.said[:40]!r}"))
    return failures


def _one_of(expected) -> set[str]:
    values = expected if isinstance(expected, list) else [expected]
    return {str(value).lower() for value in values}


def amount(text: str | None) -> float | None:
    """The amount of a recorded budget; a range ("20-30 GBP/month") is read as its top, as
    the store's value views read it (memory.api.value.budget_amount)."""
    numbers = list(_NUMBER.finditer(text or ""))
    if not numbers:
        return None
    match = numbers[0]
    if len(numbers) > 1 and re.fullmatch(r"\s*(?:-|–|to)\s*", text[match.end():numbers[1].start()]):
        match = numbers[1]
    return float(match.group().replace(",", "."))


def _squash(text: str | None) -> str:
    return re.sub(r"[\s\-_/#]", "", (text or "").lower())


def matches(spec: dict, record: Record) -> bool:
    if record.category.lower() not in _one_of(spec.get("category")):
        return False
    if "severity" in spec and (record.severity or "").lower() not in _one_of(spec["severity"]):
        return False
    if "order_ref" in spec and _squash(spec["order_ref"]) != _squash(record.order_ref):
        return False
    if "budget" in spec:
        recorded = amount(record.budget)
        if str(spec["budget"]).lower() == "none":
            if recorded is not None:
                return False
        elif recorded is None or abs(recorded - float(spec["budget"])) > 0.01:
            return False
    if "timeframe" in spec:
        wanted = spec["timeframe"] not in (None, False, "none")
        if wanted != bool((record.timeframe or "").strip()):
            return False
    return True


def _match_all(expected, records: list[Record], kind: str) -> list[Failure]:
    specs = expected if isinstance(expected, list) else [expected]
    unused = list(records)
    failures = []
    for spec in specs:
        found = next((record for record in unused if matches(spec, record)), None)
        if found is None:
            recorded = [f"{r.category}(budget={r.budget}, timeframe={r.timeframe})" if kind == "need"
                        else f"{r.category}/{r.severity}" for r in records] or "nothing"
            failures.append(Failure(kind, f"expected {spec}, recorded {recorded}"))
        else:
            unused.remove(found)
    return failures


def _same_fact(key: str, expected: str, actual: str) -> bool:
    if key == "phone":
        want, got = re.sub(r"\D", "", expected), re.sub(r"\D", "", actual)
        return bool(want) and (want == got or want[-9:] == got[-9:])
    return " ".join(expected.lower().split()) == " ".join(actual.lower().split())


def expectation_failures(customer: Customer, exchanges: list[Exchange], outcome: Outcome,
                         catalogue: dict[str, Product], fallbacks: tuple[str, ...] = (),
                         declines: tuple[str, ...] = ()) -> list[Failure]:
    expect = customer.expect
    failures: list[Failure] = []
    if "complaint" in expect:
        failures += _match_all(expect["complaint"], outcome.complaints, "complaint")
    if "need" in expect:
        failures += _match_all(expect["need"], outcome.needs, "need")
    for key, value in (expect.get("facts") or {}).items():
        actual = outcome.facts.get(key)
        if value is None and actual is not None:
            failures.append(Failure("facts", f"{key} should be absent"))
        elif value is not None and (actual is None or not _same_fact(key, str(value), actual)):
            failures.append(Failure("facts", f"{key}: expected {value!r}, profile has {actual!r}"))
    if "handoff" in expect and bool(expect["handoff"]) != outcome.handoff:
        wanted = "expected a handoff" if expect["handoff"] else "unexpected handoff"
        failures.append(Failure("handoff", wanted))
    specs = expect.get("product_answer") or []
    for spec in specs if isinstance(specs, list) else [specs]:
        turns = [" ".join(e.replies) for e in exchanges]
        if not any(products.answered(spec, text, catalogue, fallbacks) for text in turns):
            failures.append(Failure("product_answer", products.describe(spec, catalogue)))
    failures += _scope_failures(expect, exchanges, outcome, declines)
    remains = outcome.exists and (outcome.facts or outcome.complaints or outcome.needs)
    if expect.get("forgotten") and remains:
        failures.append(Failure("forgotten", "the profile is still there"))
    return failures


def _scope_failures(expect: dict, exchanges: list[Exchange], outcome: Outcome,
                    declines: tuple[str, ...] = ()) -> list[Failure]:
    """`declines`: the bot's "I can't help with that here" sentences; an out-of-scope
    customer must hear one of them (a plain rephrase-please is not an answer)."""
    failures = []
    banned = set(expect.get("no_record") or [])
    if expect.get("out_of_scope"):
        said = [normalise(r) for e in exchanges for r in e.replies]
        if declines and not any(normalise(d) in r for d in declines for r in said):
            failures.append(Failure("out_of_scope", "not told plainly that it can't be helped here"))
        banned |= {record for record in ("complaint", "need", "handoff") if record not in expect}
        asked = {kind for e in exchanges for kind in e.asked}
        if "complaint" not in expect and asked & COMPLAINT_KINDS:
            failures.append(Failure("out_of_scope", "asked complaint questions"))
        if "need" not in expect and asked & NEED_KINDS:
            failures.append(Failure("out_of_scope", "asked need questions"))
    recorded = {"complaint": bool(outcome.complaints), "need": bool(outcome.needs),
                "handoff": outcome.handoff}
    kind = "out_of_scope" if expect.get("out_of_scope") else "no_record"
    failures += [Failure(kind, f"a {record} was recorded")
                 for record in sorted(banned) if recorded[record]]
    return failures


def score(customer: Customer, exchanges: list[Exchange], outcome: Outcome,
          catalogue: dict[str, Product], fallbacks: tuple[str, ...] = (),
          declines: tuple[str, ...] = ()) -> list[Failure]:
    """Every failure of one customer's conversation; empty when the customer passes."""
    return conversation_failures(exchanges) + expectation_failures(
        customer, exchanges, outcome, catalogue, fallbacks, declines
    )
