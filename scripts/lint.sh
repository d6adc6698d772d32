#!/usr/bin/env bash
# `make lint` (and CI, and each pre-commit hook): ruff's linter and formatter check, the import rules of
# docs/architecture.md (import-linter), the lock files against pyproject.toml, and mypy, in the project's
# own venv (created when missing). `scripts/lint.sh lock imports` runs only those checks.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# mypy over the product code, on by default; `LINT_MYPY=0 make lint` leaves it out for a quick run (CI and
# the pre-commit hook keep the default).
LINT_MYPY="${LINT_MYPY:-1}"
# Import-linter contracts (ids in pyproject.toml) left out until the code keeps them (none today).
LINT_PENDING_CONTRACTS="${LINT_PENDING_CONTRACTS-}"

ruff_check() { "$VENV/bin/ruff" check .; }

ruff_format() { "$VENV/bin/ruff" format --check .; }

import_rules() {
    local ids
    ids="$("$PY" - "$LINT_PENDING_CONTRACTS" <<'EOF'
import sys, tomllib
pending = set(sys.argv[1].split())
contracts = tomllib.load(open("pyproject.toml", "rb"))["tool"]["importlinter"]["contracts"]
print(" ".join(c["id"] for c in contracts if c["id"] not in pending))
EOF
)"
    [ -n "$LINT_PENDING_CONTRACTS" ] && log "import rules left out for now: $LINT_PENDING_CONTRACTS"
    # shellcheck disable=SC2046  # one --contract per id
    "$VENV/bin/lint-imports" --no-logo --cache-dir "$VENV/.import_linter_cache" $(printf -- '--contract %s ' $ids)
}

lock_in_step() { "$PY" scripts/lockfile.py check && echo "requirements.lock and requirements-dev.lock match pyproject.toml"; }

types() {
    if [ "$LINT_MYPY" = 1 ]; then
        "$VENV/bin/mypy"
    else
        log "mypy left out (LINT_MYPY=0)"
    fi
}

ensure_venv dev
checks=("$@")
[ ${#checks[@]} -eq 0 ] && checks=(ruff format imports lock mypy)
failed=()
for check in "${checks[@]}"; do
    case "$check" in
        ruff) ruff_check || failed+=(ruff) ;;
        format) ruff_format || failed+=(format) ;;
        imports) import_rules || failed+=(imports) ;;
        lock) lock_in_step || failed+=(lock) ;;
        mypy) types || failed+=(mypy) ;;
        *) echo "unknown check: $check (ruff, format, imports, lock, mypy)" >&2; exit 2 ;;
    esac
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "lint failed in: $(IFS=,; echo "${failed[*]}")" >&2
    exit 1
fi
