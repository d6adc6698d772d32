"""The asset changelist with 100,000 assets: time per page and queries per page, as staff use it."""

import statistics
import time

from bench.harness import Row

DATABASES = ("postgresql", "sqlite")
FLEET = 100_000
REPEATS = 5


def _seed() -> None:
    from assets.models import Asset, Depot

    depots = [Depot.objects.create(name=f"Depot {n}", external_reference=f"DEP-{n}") for n in range(3)]
    Asset.objects.bulk_create(
        (
            Asset(
                name=f"Excavator {n:06d}",
                external_reference=f"FLT-{n:06d}",
                pin=f"PIN{n:014d}",
                serial_number=f"SN{n:08d}",
                owning_depot=depots[n % 3],
            )
            for n in range(FLEET)
        ),
        batch_size=5000,
    )


def _timed_get(client, url: str, params: dict) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], 0
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return statistics.median(timings) * 1000, queries


def run() -> list[Row]:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    _seed()
    client = Client()
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", "bench-pass"))
    url = "/admin/assets/asset/"
    rows = []
    for label, params in [
        ("first page", {}),
        ("page 500", {"p": "500"}),
        ("search by PIN", {"q": f"PIN{FLEET // 2:014d}"}),
        ("filter status + depot", {"rental_status__exact": "AVAILABLE", "owning_depot__id__exact": "1"}),
    ]:
        millis, queries = _timed_get(client, url, params)
        rows.append(
            Row(
                f"admin changelist, {FLEET:,} assets",
                f"{label}: median",
                millis,
                "ms",
                "< 500 ms",
                millis < 500,
            )
        )
        rows.append(
            Row(
                f"admin changelist, {FLEET:,} assets",
                f"{label}: queries",
                queries,
                "queries",
                "<= 12",
                queries <= 12,
            )
        )
    return rows
