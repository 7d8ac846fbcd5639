"""Evaluates a trained model on the held-out NLU set: intents, complaint categories, entities.

    PYTHONPATH=. .venv-engine/bin/python -m nlu.evaluate --model MODEL.tar.gz \
        --data tests/nlu/heldout [--errors]

Prints one line of JSON to stdout, after the list of mistakes when --errors is given. The timeframe extractor is
pinned to the held-out set's clock (--today), because its gold values are dates.

An extracted entity counts as correct when a gold entity of the same type overlaps it and
has the same value. Only entities from this project's extractors are scored. The
complaint category (a whole-message entity) is scored apart: on every held-out message
whose block metadata names the expected `complaint_category` (`none`: no category), the
category given, or its absence, must be that one.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

EXTRACTORS = {"PatternEntityExtractor", "CatalogueEntityExtractor", "NameSeverityExtractor"}
CATEGORY = "complaint_category"
HELDOUT_TODAY = date(2026, 11, 18)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_entities(gold: list[dict], predicted: list[dict]) -> tuple[Counter, Counter, Counter]:
    """True positives, false positives and false negatives per entity type, for one message."""
    tp, fp, fn = Counter(), Counter(), Counter()
    unmatched = list(gold)
    for entity in predicted:
        match = next((g for g in unmatched if g["entity"] == entity["entity"]
                      and g["start"] < entity["end"] and entity["start"] < g["end"]
                      and g["value"] == entity["value"]), None)
        if match is None:
            fp[entity["entity"]] += 1
        else:
            tp[entity["entity"]] += 1
            unmatched.remove(match)
    for entity in unmatched:
        fn[entity["entity"]] += 1
    return tp, fp, fn


def intent_scores(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    labels = sorted(set(gold))
    per_intent = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == p == label)
        precision = tp / max(1, sum(1 for p in predicted if p == label))
        recall = tp / max(1, sum(1 for g in gold if g == label))
        per_intent[label] = {"precision": precision, "recall": recall,
                             "f1": _f1(precision, recall)}
    accuracy = sum(1 for g, p in zip(gold, predicted) if g == p) / max(1, len(gold))
    macro_f1 = sum(item["f1"] for item in per_intent.values()) / max(1, len(per_intent))
    return {"accuracy": accuracy, "macro_f1": macro_f1, "per_intent": per_intent}


async def _parse_all(model: Path, texts: list[str], today: date) -> tuple[list[dict], float]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa's structured logger otherwise prints every parse (customer text included) to stdout.
    configure_structlog(logging.WARNING)

    agent = Agent.load(str(model))
    with mock.patch("nlu.timeframe.today", return_value=today):
        started = time.perf_counter()
        parses = [await agent.parse_message(text) for text in texts]
        elapsed = time.perf_counter() - started
    return parses, elapsed


def expected_category(message: Any) -> str | None:
    """The complaint category a held-out message's block expects, `none`, or None."""
    block = (message.get("metadata") or {}).get("intent") or {}
    return block.get(CATEGORY) if isinstance(block, dict) else None


def category_scores(examples: list[Any], parses: list[dict], show_errors: bool
                    ) -> dict[str, Any]:
    """Accuracy of the complaint category over the messages that expect one (or none)."""
    right = total = 0
    per: dict[str, list[int]] = {}
    for message, parse in zip(examples, parses):
        gold = expected_category(message)
        if gold is None:
            continue
        got = next((e["value"] for e in parse.get("entities", [])
                    if e.get("entity") == CATEGORY), "none")
        total += 1
        right += got == gold
        per.setdefault(gold, [0, 0])[0] += got == gold
        per[gold][1] += 1
        if show_errors and got != gold:
            print(f"CATEGORY  {message.get('text')!r}: expected {gold}, got {got}")
    return {"complaint_category_accuracy": round(right / max(1, total), 4),
            "complaint_category_support": total,
            "complaint_category_per_class": {k: round(v[0] / v[1], 3) for k, v in per.items()}}


def evaluate(model: Path, data: Path, today: date, show_errors: bool) -> dict[str, Any]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = [m for m in load_data(str(data)).intent_examples if m.get("text")]
    texts = [m.get("text") for m in examples]
    parses, elapsed = asyncio.run(_parse_all(model, texts, today))
    gold_intents = [m.get("intent") for m in examples]
    predicted_intents = [(p.get("intent") or {}).get("name") for p in parses]
    intents = intent_scores(gold_intents, predicted_intents)
    # The classifier's own top intent, before the FallbackClassifier turned it into nlu_fallback.
    raw_intents = [next((r["name"] for r in p.get("intent_ranking", [])
                         if r["name"] != "nlu_fallback"), None) for p in parses]
    raw = intent_scores(gold_intents, raw_intents)
    tp, fp, fn = Counter(), Counter(), Counter()
    for message, parse in zip(examples, parses):
        gold = [e for e in message.get("entities") or [] if e["entity"] != CATEGORY]
        predicted = [e for e in parse.get("entities", []) if e.get("extractor") in EXTRACTORS]
        one_tp, one_fp, one_fn = score_entities(gold, predicted)
        tp, fp, fn = tp + one_tp, fp + one_fp, fn + one_fn
        if show_errors and (one_fp or one_fn):
            print(f"ENTITY  {message.get('text')!r}\n  gold {[(g['entity'], g['value']) for g in gold]}"
                  f"\n  got  {[(e['entity'], e['value']) for e in predicted]}")
    if show_errors:
        for text, gold, parse in zip(texts, gold_intents, parses):
            if parse["intent"]["name"] != gold:
                print(f"INTENT  {text!r}: expected {gold}, got {parse['intent']['name']} "
                      f"({parse['intent']['confidence']:.2f})")
    per_entity = {}
    for label in sorted(set(tp) | set(fp) | set(fn)):
        precision = tp[label] / max(1, tp[label] + fp[label])
        recall = tp[label] / max(1, tp[label] + fn[label])
        per_entity[label] = {"precision": round(precision, 3), "recall": round(recall, 3),
                             "f1": round(_f1(precision, recall), 3),
                             "support": tp[label] + fn[label]}
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = total_tp / max(1, total_tp + total_fp)
    recall = total_tp / max(1, total_tp + total_fn)
    fallback = sum(1 for p in predicted_intents if p == "nlu_fallback")
    return {
        "utterances": len(examples),
        "intent_accuracy": round(intents["accuracy"], 4),
        "intent_macro_f1": round(intents["macro_f1"], 4),
        "nlu_fallback": fallback,
        "intent_accuracy_before_fallback": round(raw["accuracy"], 4),
        "intent_macro_f1_before_fallback": round(raw["macro_f1"], 4),
        "entity_precision": round(precision, 4),
        "entity_recall": round(recall, 4),
        "entity_f1": round(_f1(precision, recall), 4),
        "per_entity": per_entity,
        **category_scores(examples, parses, show_errors),
        "worst_intents": sorted(
            ((name, round(item["f1"], 3)) for name, item in intents["per_intent"].items()),
            key=lambda item: item[1])[:5],
        "parse_ms_mean": round(1000 * elapsed / max(1, len(texts)), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=Path("tests/nlu/heldout"))
    parser.add_argument("--today", type=date.fromisoformat, default=HELDOUT_TODAY)
    parser.add_argument("--errors", action="store_true", help="list every mistake on stderr")
    parser.add_argument("--extra", type=json.loads, default={},
                        help="JSON object merged into the printed result (e.g. train time)")
    args = parser.parse_args(argv)
    result = {**evaluate(args.model, args.data, args.today, args.errors), **args.extra}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
