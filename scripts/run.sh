#!/usr/bin/env bash
# `make run`: the whole product on this machine - admin web server, Celery worker and beat, Redis and the
# Trackunit sandbox - with demo data. Ctrl-C stops every process (honcho forwards the signal).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_apt redis-server:redis-server
ensure_venv

[ -f .env ] && { set -a; source .env; set +a; }
WEB_PORT="${WEB_PORT:-8000}"
SANDBOX_PORT="${SANDBOX_PORT:-8765}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
# Point the Trackunit client at the local sandbox unless .env or the environment says otherwise.
export TRACKUNIT_API_URL="${TRACKUNIT_API_URL:-http://127.0.0.1:$SANDBOX_PORT/api}"
export TRACKUNIT_AUTH_URL="${TRACKUNIT_AUTH_URL:-http://127.0.0.1:$SANDBOX_PORT}"
export TRACKUNIT_AEMP_URL="${TRACKUNIT_AEMP_URL:-http://127.0.0.1:$SANDBOX_PORT/public/api/aemp/v2/15143/-3}"
export TRACKUNIT_AUTH_FLOW="${TRACKUNIT_AUTH_FLOW:-password}"
export TRACKUNIT_CLIENT_ID="${TRACKUNIT_CLIENT_ID:-rentalbridge-sandbox}"
export TRACKUNIT_CLIENT_SECRET="${TRACKUNIT_CLIENT_SECRET:-sandbox-secret}"
export TRACKUNIT_USERNAME="${TRACKUNIT_USERNAME:-api-user@sandbox.local}"
export TRACKUNIT_PASSWORD="${TRACKUNIT_PASSWORD:-sandbox-password}"
export DEMO_PASSWORD="${DEMO_PASSWORD:-rentalbridge}"

mkdir -p .run
log "migrating the database"
"$PY" manage.py migrate --no-input -v 0
log "seeding demo data"
# Redis starts with the other processes below; the first push is the operator's "Sync now".
SYNC_ON_CHANGE=false "$PY" manage.py seed_demo

redis_port="$(sed -E 's#.*:([0-9]+)(/.*)?$#\1#' <<<"$REDIS_URL")"
{
    echo "web: $PY manage.py runserver 127.0.0.1:$WEB_PORT --insecure --noreload"
    echo "worker: $VENV/bin/celery -A rentalbridge worker --loglevel INFO --concurrency 4 --queues celery,trackunit"
    echo "beat: $VENV/bin/celery -A rentalbridge beat --loglevel INFO --schedule .run/celerybeat-schedule"
    echo "sandbox: $PY manage.py trackunit_sandbox --port $SANDBOX_PORT --demo-fleet --state-file .run/sandbox-state.json"
    # The demo's first telematics pull, once the sandbox answers; afterwards beat pulls daily. It then
    # idles, since honcho stops everything when one process ends.
    echo "telematics: sh -c 'sleep 10; $PY manage.py pull_telematics; exec sleep infinity'"
    # Reuse a Redis that already answers on that port; otherwise run our own for the session.
    if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
        echo "redis: redis-server --port $redis_port --bind 127.0.0.1 --save '' --appendonly no"
    fi
} >.run/Procfile

cat <<MSG

  RentalBridge is starting.
    Admin:    http://127.0.0.1:$WEB_PORT/admin/
    Logins:   admin / $DEMO_PASSWORD  (superuser)
              backoffice, operator, auditor / $DEMO_PASSWORD  (one per role)
    Sandbox:  http://127.0.0.1:$SANDBOX_PORT  (Trackunit stand-in; state at /_sandbox/state)
  Press Ctrl-C to stop everything.

MSG
exec "$VENV/bin/honcho" -f .run/Procfile -d "$ROOT" start
