"""What eval-conversations prints: a failing conversation's transcript, and the figures."""

from __future__ import annotations

from collections import Counter

from benchmarks.conversations.scoring import Exchange


def transcript(exchanges: list[Exchange]) -> str:
    lines = []
    for exchange in exchanges:
        tag = f" (answering {exchange.answered})" if exchange.answered else ""
        lines.append(f"    customer{tag}: {exchange.said}")
        lines += [f"    bot: {reply}" for reply in exchange.replies] or ["    bot: (nothing)"]
    return "\n".join(lines)


def summary(customers: list, results: dict[str, list]) -> dict:
    def rate(group: list, passed) -> float | None:
        return round(sum(1 for c in group if passed(c)) / len(group), 3) if group else None

    splits = {"dev": [c for c in customers if c.split == "dev"],
              "heldout": [c for c in customers if c.split == "heldout"], "all": customers}
    clean = lambda c: not results[c.id]  # noqa: E731
    captured = lambda c: not any(f.kind == "complaint" for f in results[c.id])  # noqa: E731
    failures = Counter(kind for c in customers for kind in {f.kind for f in results[c.id]})
    return {
        "target": "eval-conversations",
        "customers": {name: len(group) for name, group in splits.items()},
        "pass_rate": {name: rate(group, clean) for name, group in splits.items()},
        "traps": sum(1 for c in customers for f in results[c.id] if f.kind == "trap"),
        "complaint_capture": {
            name: rate([c for c in group if "complaint" in c.expect], captured)
            for name, group in splits.items()
        },
        "failures_by_kind": dict(sorted(failures.items())),
    }
