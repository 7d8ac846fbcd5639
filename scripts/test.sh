#!/usr/bin/env bash
# Runs the whole suite: runtime tests on Python >= 3.11; nlu/ tests and the in-engine tests of
# bot/engine/ on the engine's Python 3.10.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD"
mkdir -p tests/artifacts

status=0
.venv/bin/python -m pytest --ignore=tests/nlu --ignore=tests/bot/engine/in_engine "$@" || status=$?
if [ -d tests/nlu ] && ls tests/nlu/test_*.py >/dev/null 2>&1; then
    .venv-engine/bin/python -m pytest tests/nlu -p no:cacheprovider "$@" || status=$((status == 0 ? $? : status))
fi
# The code that runs inside the engine (bot/engine/serve.py): on the engine's Python, without
# the gateway's fixtures (tests/bot/conftest.py needs the gateway's environment).
.venv-engine/bin/python -m pytest tests/bot/engine/in_engine --confcutdir=tests/bot/engine/in_engine \
    -p no:cacheprovider "$@" || status=$((status == 0 ? $? : status))
exit $status
