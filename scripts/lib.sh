# Shared shell helpers for `make run`, `make test` and `make bench`: set up the venv and the services
# this project needs on a fresh machine, and stop them again on exit.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Create the venv and install exactly the locked versions: requirements.lock, or with `ensure_venv dev`
# requirements-dev.lock (the same pins plus the test and lint tools). pip refuses any file whose hash the
# lock does not list, whichever index it came from. Reinstalls only when that lock changed (the stamp holds
# its hash); `make lock` writes the locks from pyproject.toml.
ensure_venv() {
    local extras="${1:-}"
    local lock="$ROOT/requirements${extras:+-$extras}.lock"
    local stamp="$VENV/.installed-$(basename "$lock" .lock)-$(sha256sum "$lock" | cut -c1-16)"
    if [ ! -x "$PY" ]; then
        log "creating the virtualenv in .venv"
        python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
    fi
    if [ ! -f "$stamp" ]; then
        log "installing the Python dependencies of $(basename "$lock")"
        "$PY" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
        # The project itself, against the locked setuptools: nothing outside the lock is fetched.
        "$PY" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e "$ROOT"
        rm -f "$VENV/.installed-$(basename "$lock" .lock)-"*
        touch "$stamp"
    fi
}

# Install Debian packages whose command is missing: ensure_apt COMMAND:PACKAGE ...
ensure_apt() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]} with apt-get"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start a private redis-server on a free port; sets REDIS_URL. Stopped by stop_services.
start_redis() {
    local dir="$1" port
    port="$(free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    export REDIS_URL="redis://127.0.0.1:$port/0"
    log "redis on $REDIS_URL"
}

# Start a throwaway PostgreSQL cluster from the installed server binaries; sets DATABASE_URL.
# The server refuses to run as root, so as root it runs as the `postgres` user.
start_postgres() {
    local dir="$1" port bin as=()
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; return 1; }
    port="$(free_port)"
    mkdir -p "$dir/pg"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$dir/pg"
        as=(runuser -u postgres --)
    fi
    "${as[@]}" "$bin/initdb" -D "$dir/pg/data" -U postgres -A trust --no-sync >"$dir/pg-init.log"
    "${as[@]}" "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w start -o \
        "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
    PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$dir/pg/data" -m immediate stop)
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/rentalbridge"
    log "postgres on $DATABASE_URL"
}

stop_services() {
    local dir="$1"
    [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
    [ -n "${PG_STOP+x}" ] && "${PG_STOP[@]}" >/dev/null 2>&1
    rm -rf "$dir"
}
