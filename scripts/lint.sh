#!/usr/bin/env bash
# `make lint`: ruff's checks and its formatter, in the project's own venv (created when missing).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_venv dev
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
