#!/usr/bin/env bash
# `make serve`: RentalBridge as it runs in production - gunicorn for the admin (static files by WhiteNoise),
# Celery workers and one Celery beat - from the Procfile, against the PostgreSQL and Redis the environment
# (or .env) names. It migrates and collects the static files first. Arguments go to honcho, e.g.
# `make serve ARGS="-c worker=4"` for four worker processes, or `make serve ARGS=web` for the web server only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_venv

[ -f .env ] && { set -a; source .env; set +a; }
export RENTALBRIDGE_ENV="${RENTALBRIDGE_ENV:-production}"
export STATE_DIR="${STATE_DIR:-$ROOT/.run}"
export PATH="$VENV/bin:$PATH"
case "${DATABASE_URL:-}" in
    postgres*) ;;
    *) log "warning: DATABASE_URL is not PostgreSQL; production needs PostgreSQL for concurrent workers" ;;
esac
[ -n "${REDIS_URL:-}" ] || log "warning: REDIS_URL is not set; Celery will look for Redis on 127.0.0.1:6379"

mkdir -p "$STATE_DIR"
log "migrating the database"
"$PY" manage.py migrate --no-input -v 0
log "collecting static files into ${DJANGO_STATIC_ROOT:-staticfiles/}"
"$PY" manage.py collectstatic --no-input -v 0
exec "$VENV/bin/honcho" -f "$ROOT/Procfile" -d "$ROOT" start "$@"
