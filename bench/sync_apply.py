"""Applying 10,000 rental syncs through a real Celery worker into a sandbox limited to 50 and 100 req/s.

Target: the push reaches at least 97% of the limit with no 429 earned. The rate is read from the audit
trail (every HTTP exchange is a SyncAttempt with its time and status), over the first to the last push.
The busiest second is the sandbox's own count, from its request log (arrival = logged time - duration),
since that is the clock Trackunit's limit runs on. It runs once per limit in BENCH_LIMITS (default 50 and
100) and per count of worker processes in BENCH_WORKERS (default 1, 2 and 4), all sharing the client's
one Redis budget; no second may go above the limit.
"""

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from bench.harness import Row
from bench.sandbox import start_sandbox

DATABASES = ("postgresql",)
SYNCS = int(os.environ.get("BENCH_SYNCS", 10_000))
LIMITS = tuple(int(n) for n in os.environ.get("BENCH_LIMITS", "50,100").split(","))
WORKER_THREADS = int(os.environ.get("BENCH_WORKER_THREADS", 16))
# Worker processes sharing the one budget (each with WORKER_THREADS threads), one round per count.
WORKER_COUNTS = tuple(int(n) for n in os.environ.get("BENCH_WORKERS", "1,2,4").split(","))
ROOT = Path(__file__).resolve().parents[1]


def _start_worker(url: str, limit: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "TRACKUNIT_API_URL": f"{url}/api",
        "TRACKUNIT_AUTH_URL": url,
        "TRACKUNIT_AEMP_URL": f"{url}/public/api/aemp/v2/15143/-3",
        "TRACKUNIT_CLIENT_ID": "rentalbridge-sandbox",
        "TRACKUNIT_CLIENT_SECRET": "sandbox-secret",
        "TRACKUNIT_USERNAME": "api-user@sandbox.local",
        "TRACKUNIT_PASSWORD": "sandbox-password",
        "TRACKUNIT_RATE_LIMIT_REST_PER_S": str(limit),
        "SYNC_ON_CHANGE": "false",
    }
    command = [sys.executable, "-m", "celery", "-A", "rentalbridge", "worker", "--pool", "threads"]
    command += [
        "--concurrency",
        str(WORKER_THREADS),
        "-Q",
        "celery,trackunit",
        "--loglevel",
        "WARNING",
        "--without-gossip",
    ]
    command += ["--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _local_fleet(url: str, prefix: str) -> None:
    import requests

    from assets.models import Asset, IdentifierType

    remote = requests.get(f"{url}/_sandbox/state", timeout=60).json()["assets"]
    Asset.objects.bulk_create(
        (
            Asset(
                name=a["name"],
                external_reference=f"{prefix}-{n:06d}",
                serial_number=a["serialNumber"],
                identifier_type=IdentifierType.SERIAL_NUMBER,
                rental_status="ON_RENT",
            )
            for n, a in enumerate(remote)
        ),
        batch_size=5000,
    )


def _round(limit: int, workers: int) -> list[Row]:
    """A fresh sandbox and fleet, `workers` worker processes, one plan of SYNCS rental syncs applied."""
    from django.db.models import Max, Min

    from assets.models import Asset
    from sync.apply import apply_plan
    from sync.models import SyncAttempt, SyncState
    from sync.plan import make_plan
    from sync.service import wait_for

    Asset.objects.all().delete()
    SyncState.objects.all().delete()
    sandbox, url = start_sandbox(
        rate_limit_per_s=limit, assets=SYNCS, foreign_assets=0, request_log_size=3 * SYNCS
    )
    pool = [_start_worker(url, limit) for _ in range(workers)]
    try:
        _local_fleet(url, f"W{workers}")
        plan = make_plan(trigger="bench", kinds=["asset"])
        started = time.perf_counter()
        run = wait_for(apply_plan(plan), timeout=SYNCS / limit * 3)
        wall = time.perf_counter() - started
        busiest = _busiest_second(url)
    finally:
        for process in (*pool, sandbox):
            process.terminate()
        for process in (*pool, sandbox):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()  # a worker still finishing tasks of a run that timed out
                process.wait(30)
    pushes = SyncAttempt.objects.filter(run=run, kind="asset")
    window = pushes.aggregate(first=Min("created_at"), last=Max("created_at"))
    seconds = (window["last"] - window["first"]).total_seconds()
    # An idempotent rental sync retried after an ambiguous failure is accepted twice but is one operation.
    accepted = pushes.filter(status_code__in=(200, 202)).count()
    rate = accepted / seconds
    succeeded = run.operations.filter(status="succeeded").count()
    earned_429 = pushes.filter(status_code=429).count()
    name = f"sync apply, {SYNCS:,} rental syncs, sandbox at {limit} req/s, {workers} worker process(es)"
    return [
        Row(
            name,
            f"run {run.status}: operations succeeded",
            succeeded,
            "ops",
            f"{SYNCS:,}",
            succeeded == SYNCS,
        ),
        Row(name, "sustained rate", rate, "req/s"),
        Row(name, "share of the limit", 100 * rate / limit, "%", ">= 97 %", rate >= 0.97 * limit),
        Row(name, "busiest whole second at the sandbox", busiest, "req", f"<= {limit}", busiest <= limit),
        Row(name, "429 answers", earned_429, "count", "0", earned_429 == 0),
        Row(name, "wall time (plan applied to done)", wall, "s"),
    ]


def _busiest_second(url: str) -> int:
    """The most REST requests the sandbox received in one whole second of its clock (the first and last
    seconds of the push are partial and left out)."""
    import requests

    entries = requests.get(f"{url}/_sandbox/requests", timeout=60).json()["requests"]
    arrivals = Counter(
        int(datetime.fromisoformat(entry["timestamp"]).timestamp() - entry["durationMs"] / 1000)
        for entry in entries
        if entry["path"].startswith("/api/")
    )
    seconds = sorted(arrivals)
    return max((arrivals[second] for second in seconds[1:-1]), default=0)


def run() -> list[Row]:
    return [row for limit in LIMITS for workers in WORKER_COUNTS for row in _round(limit, workers)]
