#!/usr/bin/env bash
# `make bench`: every benchmark against real PostgreSQL, SQLite, Redis and the sandbox; prints one table.
# Name benchmarks to run only those (e.g. `make bench ARGS=admin_changelist`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_apt redis-server:redis-server
ensure_venv dev

SERVICES="$(mktemp -d /tmp/rentalbridge-bench.XXXXXX)"
chmod 755 "$SERVICES"
trap 'stop_services "$SERVICES"' EXIT
start_redis "$SERVICES"
start_postgres "$SERVICES"

"$PY" -m bench "$@"
