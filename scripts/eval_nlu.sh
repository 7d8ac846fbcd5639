#!/usr/bin/env bash
# Evaluates the NLU on the held-out set (tests/nlu/heldout/, never trained on).
#
#   scripts/eval_nlu.sh                 train a fresh NLU model into a temp dir, then evaluate
#   scripts/eval_nlu.sh MODEL.tar.gz    evaluate an existing model
#   ERRORS=1 scripts/eval_nlu.sh        also list every mistake (before the JSON line)
#
# The last line of output is one line of JSON: intent accuracy and macro-F1 (after the
# FallbackClassifier, and before it), entity precision/recall/F1 of the nlu/ extractors
# overall and per entity type, mean parse time, and the training time when it trained.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
PY=.venv-engine/bin/python
HELDOUT=tests/nlu/heldout

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

extra='{}'
model="${1:-}"
if [ -z "$model" ]; then
    # A private cache, so the measured time is a full training, not a cache restore.
    start=$(date +%s.%N)
    RASA_CACHE_DIRECTORY="$workdir/cache" "$PY" -m rasa train nlu --config config.yml \
        --nlu data/nlu --domain domain.yml --out "$workdir" --fixed-model-name heldout-eval \
        >"$workdir/train.log" 2>&1 || { tail -40 "$workdir/train.log" >&2; exit 1; }
    end=$(date +%s.%N)
    model="$workdir/heldout-eval.tar.gz"
    extra=$(printf '{"nlu_train_seconds": %.1f}' "$(echo "$end - $start" | bc)")
fi

args=(--model "$model" --data "$HELDOUT" --extra "$extra")
[ -n "${ERRORS:-}" ] && args+=(--errors)
"$PY" -m nlu.evaluate "${args[@]}" 2>"$workdir/evaluate.log" \
    || { tail -40 "$workdir/evaluate.log" >&2; exit 1; }
