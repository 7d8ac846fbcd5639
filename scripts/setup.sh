#!/usr/bin/env bash
# Sets up both Python environments from the pinned lock files; a repeat run is a no-op.
#   scripts/setup.sh          engine (.venv-engine, Python 3.10) + runtime (.venv, Python >= 3.11)
#   scripts/setup.sh --test   also Debian chromium, PostgreSQL and Redis for the test suite
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=scripts/requirements

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

find_python() {  # find_python MIN_MINOR MAX_MINOR: first interpreter 3.x with MIN<=x<=MAX
    local min=$1 max=$2 candidate minor
    for minor in $(seq "$max" -1 "$min"); do
        for candidate in "python3.$minor" "$HOME/.pyenv/versions/3.$minor"*/bin/python3; do
            if command -v "$candidate" >/dev/null 2>&1 \
                && "$candidate" -c "import sys, venv; sys.exit(sys.version_info[:2] != (3, $minor))" 2>/dev/null; then
                command -v "$candidate"; return 0
            fi
        done
        if command -v pyenv >/dev/null 2>&1; then
            candidate=$(pyenv prefix "$(pyenv versions --bare | grep -E "^3\.$minor\.[0-9]+$" | tail -1)" 2>/dev/null)/bin/python3 || true
            if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
        fi
    done
    return 1
}

# pip, without this machine's notes about local package mirrors that are absent.
pip_quiet() {
    local status=0 output
    output=$("$@" 2>&1) || status=$?
    grep -v "^WARNING: Location 'file:" <<<"$output" || true
    return $status
}

# make_venv DIR PYTHON LOCKFILE [NODEPS_LOCKFILE]: (re)install only when a lock file or the
# interpreter changed. NODEPS_LOCKFILE lists packages installed without their dependencies
# (data-only packages whose declared dependencies, such as PyTorch, are not needed).
make_venv() {
    local dir=$1 python=$2 lock=$3 nodeps=${4:-} stamp want
    stamp="$dir/.rapport-stamp"
    want="$("$python" -c 'import sys; print(sys.version)') $(cat "$lock" ${nodeps:+"$nodeps"} | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "installing $lock into $dir (first run takes a few minutes)"
    [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
    pip_quiet "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
    pip_quiet "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock"
    if [ -n "$nodeps" ]; then
        pip_quiet "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$nodeps"
    fi
    echo "$want" > "$stamp"
}

engine_python=$(find_python 10 10) || {
    echo "Rapport needs Python 3.10 for the Rasa 3.6.21 engine, and none was found." >&2
    echo "Install it, for example: 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv'." >&2
    exit 1
}
runtime_python=$(find_python 11 13) || {
    echo "Rapport needs Python 3.11, 3.12 or 3.13 for the gateway and action server, and none was found." >&2
    echo "Install one, for example: 'pyenv install 3.12' or 'apt-get install python3 python3-venv'." >&2
    exit 1
}

make_venv .venv-engine "$engine_python" "$REQ/engine.txt" "$REQ/engine-nodeps.txt"
make_venv .venv "$runtime_python" "$REQ/runtime.txt"

if [ "${1:-}" = "--test" ]; then
    scripts/services.sh
fi
