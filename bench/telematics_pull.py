"""Pulling the ISO 15143-3 fleet snapshot into the assets: 10 and 100 pages of 100 equipment.

Target: 10,000 equipment (100 pages) pulled from the sandbox and stored in at most 10 s, with a peak of
Python memory during the pull that does not grow with the number of pages (each page is stored before
the next is fetched). Each size gets a fresh sandbox, so the per-URL rule never refuses a page; memory is
traced in a second pull a day later (sandbox clock), since tracing would distort the timed one. Both
sizes run against the same 10,000 local assets.
"""

import time
import tracemalloc

from bench.harness import Row
from bench.sandbox import start_sandbox

DATABASES = ("postgresql", "sqlite")
TARGET_S = 10.0
LOCAL_FLEET = 10_000


def _local_fleet(url: str) -> None:
    """One local asset per Trackunit asset, already matched by id, as after the first sync; the same
    10,000 local assets for either size, so the two peaks differ only by the pages pulled."""
    import requests

    from assets.models import Asset

    Asset.objects.all().delete()
    remote = requests.get(f"{url}/_sandbox/state", timeout=60).json()["assets"]
    matched = [
        Asset(name=a["name"], external_reference=f"FLT-{n:06d}", trackunit_asset_id=a["id"])
        for n, a in enumerate(remote)
    ]
    others = [
        Asset(name=f"Not in Trackunit {n}", external_reference=f"LOC-{n:06d}") for n in range(LOCAL_FLEET)
    ]
    Asset.objects.bulk_create((matched + others)[:LOCAL_FLEET], batch_size=5000)


def _pull(pages: int) -> tuple[float, float, int]:
    import requests
    from django.test import override_settings

    from sync.models import AempRequestLog
    from sync.telematics.pull import pull_fleet

    sandbox, url = start_sandbox(rate_limit_per_s=0, assets=pages * 100, foreign_assets=0)
    try:
        _local_fleet(url)
        with override_settings(
            TRACKUNIT_API_URL=f"{url}/api",
            TRACKUNIT_AUTH_URL=url,
            TRACKUNIT_AEMP_URL=f"{url}/public/api/aemp/v2/15143/-3",
            TRACKUNIT_CLIENT_ID="rentalbridge-sandbox",
            TRACKUNIT_CLIENT_SECRET="sandbox-secret",
            TRACKUNIT_USERNAME="api-user@sandbox.local",
            TRACKUNIT_PASSWORD="sandbox-password",
            TRACKUNIT_REDIS_PREFIX=f"bench-telematics-{pages}-{time.time()}",
        ):
            started = time.perf_counter()
            pull = pull_fleet(trigger="bench")
            seconds = time.perf_counter() - started
            # Memory from a second pull a day later: tracing slows Python too much to time the same run.
            requests.post(f"{url}/_sandbox/clock", json={"advance_s": 86400}, timeout=10)
            AempRequestLog.objects.all().delete()
            tracemalloc.start()
            pull_fleet(trigger="bench")
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        sandbox.terminate()
        sandbox.wait(30)
    return seconds, peak / 2**20, pull.stored


def run() -> list[Row]:
    small_s, small_mb, small_stored = _pull(10)
    big_s, big_mb, big_stored = _pull(100)
    name = "telematics pull, ISO 15143-3 fleet snapshot"
    return [
        Row(name, "10 pages (1,000 equipment): time", small_s, "s"),
        Row(name, "10 pages: readings stored", small_stored, "readings", "1,000", small_stored >= 950),
        Row(name, "10 pages: peak Python memory", small_mb, "MiB"),
        Row(
            name, "100 pages (10,000 equipment): time", big_s, "s", f"<= {TARGET_S:.0f} s", big_s <= TARGET_S
        ),
        Row(name, "100 pages: readings stored", big_stored, "readings", "10,000", big_stored >= 9500),
        Row(
            name,
            "100 pages: peak Python memory",
            big_mb,
            "MiB",
            "<= 1.5x the 10-page peak",
            big_mb <= 1.5 * small_mb,
        ),
    ]
