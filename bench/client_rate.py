"""How close the shared rate limiter runs to Trackunit's limit without ever earning a 429.

Starts a sandbox limited to 50, then 100 REST requests/s, drives the real client (auth, Redis budget,
retries) from several threads for about ten seconds, and reads the sandbox's own request log: requests per
second actually served, the busiest 1-second window, and how many 429s were answered. The limiter counts
requests per window as Trackunit does, so the target is 97 % of the limit with no 429. Needs REDIS_URL.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from bisect import bisect_left
from collections import Counter
from datetime import datetime

import requests

from bench.harness import Row
from bench.sandbox import start_sandbox

LIMITS_PER_S = (50, 100)
THREADS = 16
TARGET_PERCENT = 97
DURATION_S = 10.0
NAME = "client_rate"


def run() -> list[Row]:
    _setup_django()
    return [row for limit in LIMITS_PER_S for row in _run_at(limit)]


def _run_at(limit: int) -> list[Row]:
    process, base = start_sandbox(rate_limit_per_s=limit)
    try:
        entries, elapsed = _drive(base, limit)
    finally:
        process.terminate()
        process.wait(timeout=10)
    api = [e for e in entries if e["path"].startswith("/api/")]
    times = sorted(datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")).timestamp() for e in api)
    # Served per second as Trackunit counts: the whole clock seconds between the first and the last.
    counts = Counter(int(t) for t in times)
    whole = range(int(times[0]) + 1, int(times[-1])) if times else range(0)
    rate = sum(counts[second] for second in whole) / len(whole) if whole else 0.0
    busiest = max((bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)
    # Trackunit's (and the sandbox's) count: requests per clock second.
    per_second = max(counts.values(), default=0)
    too_many = sum(1 for e in api if e["status"] == 429)
    percent = 100 * rate / limit
    name = f"{NAME}, limit {limit}/s"
    return [
        Row(name, f"achieved rate, {THREADS} threads", rate, "req/s"),
        Row(
            name,
            "achieved rate as share of the limit",
            percent,
            "%",
            f">= {TARGET_PERCENT}",
            percent >= TARGET_PERCENT,
        ),
        Row(
            name,
            "busiest clock second at the server",
            per_second,
            "requests",
            f"<= {limit}",
            per_second <= limit,
        ),
        Row(name, "busiest sliding 1-second window at the server (jitter included)", busiest, "requests"),
        Row(name, "429 answers", too_many, "count", "0", too_many == 0),
        Row(name, "requests served", len(api), "count"),
        Row(name, "wall time", elapsed, "s"),
    ]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentalbridge.settings")
    import django

    django.setup()


def _drive(base: str, limit: int) -> tuple[list[dict], float]:
    from django.conf import settings

    from sync.trackunit.client import ClientConfig, TrackunitClient

    config = ClientConfig(
        api_url=f"{base}/api",
        auth_url=base,
        aemp_url=f"{base}/public/api/aemp/v2/15143/-3",
        auth_flow="password",
        client_id="rentalbridge-sandbox",
        client_secret="sandbox-secret",
        username="api-user@sandbox.local",
        password="sandbox-password",
        redis_url=os.environ["REDIS_URL"],
        redis_prefix=f"bench-{uuid.uuid4().hex[:8]}",
        rate_limits={"account_rest": limit},
        rate_safety=settings.TRACKUNIT_RATE_LIMIT_SAFETY,
    )
    TrackunitClient(config).tokens.token()  # one login before the clock starts, as in a running worker
    requests.post(f"{base}/_sandbox/reset", json={}, timeout=5)
    stop_at = time.monotonic() + DURATION_S
    errors: list[Exception] = []

    def worker() -> None:
        client = TrackunitClient(config)
        try:
            while time.monotonic() < stop_at:
                client.request("GET", "/asset/v1/assets", params={"page": 0, "size": 1})
        except Exception as exc:  # re-raised in the main thread after the run
            errors.append(exc)
        finally:
            client.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        raise errors[0]
    log = requests.get(f"{base}/_sandbox/requests", timeout=10).json()["requests"]
    return log, elapsed


if __name__ == "__main__":
    from bench.harness import format_table

    print(format_table(run()))
