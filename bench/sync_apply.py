"""Applying 10,000 rental syncs through a real Celery worker into a sandbox limited to LIMIT req/s.

Target: the push reaches at least 90% of the limit with no 429 earned. The rate is read from the audit
trail (every HTTP exchange is a SyncAttempt with its time and status), over the first to the last push.
It runs once per count of worker processes in BENCH_WORKERS (default 1, 2 and 4), all sharing the
client's one Redis budget; each second's count must stay within the limit. LIMIT is 50 req/s: above
about 90 req/s the sandbox itself (one Python process scanning 10,000 rental records per request)
becomes the bottleneck on a 2-core machine, which is not what this measures.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Row
from bench.sandbox import start_sandbox

DATABASES = ("postgresql",)
SYNCS = int(os.environ.get("BENCH_SYNCS", 10_000))
LIMIT = int(os.environ.get("BENCH_LIMIT", 50))
WORKER_THREADS = int(os.environ.get("BENCH_WORKER_THREADS", 16))
# Worker processes sharing the one budget (each with WORKER_THREADS threads), one round per count.
WORKER_COUNTS = tuple(int(n) for n in os.environ.get("BENCH_WORKERS", "1,2,4").split(","))
ROOT = Path(__file__).resolve().parents[1]


def _start_worker(url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "TRACKUNIT_API_URL": f"{url}/api",
        "TRACKUNIT_AUTH_URL": url,
        "TRACKUNIT_AEMP_URL": f"{url}/public/api/aemp/v2/15143/-3",
        "TRACKUNIT_CLIENT_ID": "rentalbridge-sandbox",
        "TRACKUNIT_CLIENT_SECRET": "sandbox-secret",
        "TRACKUNIT_USERNAME": "api-user@sandbox.local",
        "TRACKUNIT_PASSWORD": "sandbox-password",
        "TRACKUNIT_RATE_LIMIT_REST_PER_S": str(LIMIT),
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


def _round(workers: int) -> list[Row]:
    """A fresh sandbox and fleet, `workers` worker processes, one plan of SYNCS rental syncs applied."""
    from django.db.models import Count, Max, Min
    from django.db.models.functions import TruncSecond

    from assets.models import Asset
    from sync.apply import apply_plan
    from sync.models import SyncAttempt, SyncState
    from sync.plan import make_plan
    from sync.service import wait_for

    Asset.objects.all().delete()
    SyncState.objects.all().delete()
    sandbox, url = start_sandbox(rate_limit_per_s=LIMIT, assets=SYNCS, foreign_assets=0)
    pool = [_start_worker(url) for _ in range(workers)]
    try:
        _local_fleet(url, f"W{workers}")
        plan = make_plan(trigger="bench", kinds=["asset"])
        started = time.perf_counter()
        run = wait_for(apply_plan(plan), timeout=SYNCS / LIMIT * 3)
        wall = time.perf_counter() - started
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
    # Requests answered per whole second, over the seconds strictly inside the window (the first and last
    # are partial). The sandbox enforces the limit itself: any second above it would have earned 429s.
    per_second = (
        pushes.annotate(second=TruncSecond("created_at"))
        .values("second")
        .annotate(n=Count("pk"))
        .order_by("second")
        .values_list("n", flat=True)
    )
    busiest = max(list(per_second)[1:-1] or [0])
    succeeded = run.operations.filter(status="succeeded").count()
    earned_429 = pushes.filter(status_code=429).count()
    name = f"sync apply, {SYNCS:,} rental syncs, sandbox at {LIMIT} req/s, {workers} worker process(es)"
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
        Row(name, "share of the limit", 100 * rate / LIMIT, "%", ">= 90 %", rate >= 0.9 * LIMIT),
        Row(name, "busiest whole second", busiest, "req", f"<= {LIMIT}", busiest <= LIMIT),
        Row(name, "429 answers", earned_429, "count", "0", earned_429 == 0),
        Row(name, "wall time (plan applied to done)", wall, "s"),
    ]


def run() -> list[Row]:
    return [row for workers in WORKER_COUNTS for row in _round(workers)]
