#!/usr/bin/env bash
# `make test`: lint, type-check, check the import contracts (docs/architecture.md), then the
# test suite on SQLite and, when DATABASE_URL is set or CI=true, again on PostgreSQL (without
# the schemathesis fuzz of the OpenAPI document, which the SQLite pass runs). Every step runs;
# the script fails if any step failed.
#
#   PYTEST_ARGS   extra pytest arguments (default: "-n 2", two xdist workers)
#   DATABASE_URL  PostgreSQL for the second run (default with CI=true:
#                 postgres://postgres@127.0.0.1:5432/test)
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
# Let Python keep the compiled modules (__pycache__, ignored by git) and pytest its rewritten
# test modules: without them every xdist worker of both passes, and every faxline process
# the tests start, compiles the sources again (~7 s of CPU per worker's collection alone).
unset PYTHONDONTWRITEBYTECODE
read -r -a pytest_args <<<"${PYTEST_ARGS:--n 2}"
failed=()

step() {
    local name=$1
    shift
    echo
    echo "==> ${name}"
    if ! "$@"; then
        failed+=("${name}")
    fi
}

step "ruff check" "$BIN/ruff" check .
step "ruff format --check" "$BIN/ruff" format --check .
step "mypy" "$BIN/mypy"
# The contracts in pyproject.toml; a broken one is reported by the rule's name.
step "import-linter contracts" env PYTHONPATH=src "$BIN/lint-imports" --no-logo
step "pytest on SQLite" env -u DATABASE_URL "$BIN/pytest" "${pytest_args[@]}"

if [ -n "${DATABASE_URL:-}" ] || [ "${CI:-}" = "true" ]; then
    database_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
    # The schemathesis fuzz of the OpenAPI document runs once, in the SQLite pass above (the
    # second pass does not even collect it: tests/api/conftest.py).
    # Tests marked database_independent or browser ran in the SQLite pass (tests/conftest.py).
    step "pytest on PostgreSQL" env DATABASE_URL="$database_url" FAXLINE_SKIP_SCHEMATHESIS=1 \
        FAXLINE_DATABASE_PASS=second \
        "$BIN/pytest" "${pytest_args[@]}"
fi

echo
if [ ${#failed[@]} -ne 0 ]; then
    printf 'make test: FAILED: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')"
    exit 1
fi
echo "make test: all checks passed"
