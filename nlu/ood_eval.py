"""Measures how much out-of-domain text a trained model sends to a telecom intent.

    PYTHONPATH=. .venv-engine/bin/python -m nlu.ood_eval --model MODEL.tar.gz \
        [--shared ../shared/data] [--every 1]

Banking77's train split and CLINC150's validation split are public intent data sets about
banking, travel, cooking, small talk and so on: for a telecom support bot nearly all of it
is out of domain. Each text is parsed, and the share that lands on a telecom intent (one
that would start a complaint, a need, a profile change, a handoff...) is reported per data
set, with the share caught (`out_of_scope` or `nlu_fallback`) and the intents it went to
most. Small-talk intents (greet, thank, affirm...) are counted apart: CLINC150 has its own
greetings, thanks and yes/no rows, for which those are the right answers.

The data sets are only read, never copied into the repository or trained on. When they
are absent the command prints `{"skipped": ...}` and exits 0.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

CAUGHT = frozenset({"out_of_scope", "nlu_fallback"})
SMALL_TALK = frozenset({"greet", "goodbye", "thank", "bot_challenge", "affirm", "deny",
                        "cancel", "help"})
DATA_SETS = {"banking77_train": "banking77/train.csv", "clinc150_val": "clinc150/val.csv"}


def read_texts(path: Path, every: int = 1) -> list[str]:
    """The `text` column of a `text,label` CSV, every n-th row."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row["text"] for row in csv.DictReader(handle) if row.get("text")]
    return rows[::max(1, every)]


def summarise(intents: list[str]) -> dict[str, Any]:
    """Shares of predictions that are caught, small talk, or a telecom intent."""
    counts = Counter(intents)
    total = max(1, len(intents))
    caught = sum(counts[name] for name in CAUGHT)
    small_talk = sum(counts[name] for name in SMALL_TALK)
    telecom = len(intents) - caught - small_talk
    top = [(name, n) for name, n in counts.most_common()
           if name not in CAUGHT and name not in SMALL_TALK][:5]
    return {"texts": len(intents), "telecom_share": round(telecom / total, 4),
            "caught_share": round(caught / total, 4),
            "small_talk_share": round(small_talk / total, 4), "top_telecom": top}


async def _intents(model: Path, texts: list[str]) -> list[str]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    return [((await agent.parse_message(text)).get("intent") or {}).get("name") or ""
            for text in texts]


def evaluate(model: Path, shared: Path, every: int = 1) -> dict[str, Any]:
    present = {name: shared / relative for name, relative in DATA_SETS.items()
               if (shared / relative).is_file()}
    if not present:
        return {"skipped": f"no public data under {shared}"}
    texts = {name: read_texts(path, every) for name, path in present.items()}
    flat = [text for name in present for text in texts[name]]
    predicted = asyncio.run(_intents(model, flat))
    result, start = {}, 0
    for name in present:
        result[name] = summarise(predicted[start:start + len(texts[name])])
        start += len(texts[name])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--every", type=int, default=1, help="parse every n-th row only")
    args = parser.parse_args(argv)
    print(json.dumps(evaluate(args.model, args.shared, args.every)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
