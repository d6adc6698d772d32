#!/usr/bin/env bash
# `make lock`: resolve requirements.lock and requirements-dev.lock again from pyproject.toml, keeping every
# pin that still fits; `make lock UPGRADE="celery kombu"` moves those to their newest allowed versions
# (`UPGRADE=all`: everything). Then `make test` installs them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_venv dev
# shellcheck disable=SC2086  # UPGRADE is a list of package names
"$PY" scripts/lockfile.py write ${UPGRADE:+--upgrade $UPGRADE}
log "requirements.lock and requirements-dev.lock written; commit them with pyproject.toml"
