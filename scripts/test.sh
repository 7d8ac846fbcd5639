#!/usr/bin/env bash
# Runs the whole suite: runtime tests on Python >= 3.11, nlu/ tests on the engine's Python 3.10.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD"
mkdir -p tests/artifacts

status=0
.venv/bin/python -m pytest --ignore=tests/nlu "$@" || status=$?
if [ -d tests/nlu ] && ls tests/nlu/test_*.py >/dev/null 2>&1; then
    .venv-engine/bin/python -m pytest tests/nlu -p no:cacheprovider "$@" || status=$((status == 0 ? $? : status))
fi
exit $status
