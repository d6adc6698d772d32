#!/usr/bin/env bash
# `make test`: the whole suite against real PostgreSQL and Redis, with the admin in headless Chromium.
# Extra arguments go to pytest (e.g. `make test ARGS="tests/customers -x"`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_apt redis-server:redis-server chromium:chromium
ensure_venv dev

SERVICES="$(mktemp -d /tmp/rentalbridge-test.XXXXXX)"
chmod 755 "$SERVICES"
trap 'stop_services "$SERVICES"' EXIT
start_redis "$SERVICES"
start_postgres "$SERVICES"

export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"
"$VENV/bin/pytest" "$@"
