"""The asset changelist with 100,000 assets: time per page and queries per page, as staff use it."""

import statistics
import time

from bench.harness import Row

DATABASES = ("postgresql", "sqlite")
FLEET = 100_000
REPEATS = 5
WANTED = 54_321


def _pin(n: int) -> str:
    """17 characters like a VIN; the hexadecimal part makes fragments no name, reference or serial holds."""
    return f"VIN{n:06X}{n:08d}"


# Five characters from the middle of one asset's PIN (VIN00D43100054321): only that asset holds them, so the
# search has to find one row among 100,000 by a substring.
PIN_FRAGMENT = _pin(WANTED)[4:9]


def _seed() -> None:
    from assets.models import Asset, Depot

    depots = [Depot.objects.create(name=f"Depot {n}", external_reference=f"DEP-{n}") for n in range(3)]
    Asset.objects.bulk_create(
        (
            Asset(
                name=f"Excavator {n:06d}",
                external_reference=f"FLT-{n:06d}",
                pin=_pin(n),
                serial_number=f"SN{n:08d}",
                owning_depot=depots[n % 3],
            )
            for n in range(FLEET)
        ),
        batch_size=5000,
    )
    # A table in use has planner statistics (autovacuum); one just bulk-loaded has none until analysed.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE assets_asset")


def _timed_get(client, url: str, params: dict) -> tuple[float, int, int]:
    """Median time, queries and rows found (a search that finds nothing is fast for the wrong reason)."""
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
    return statistics.median(timings) * 1000, queries, response.context["cl"].result_count


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
        ("search by PIN", {"q": _pin(FLEET // 2)}),
        # A fragment off the machine plate: 5 characters from the middle of one asset's PIN.
        ("search PIN fragment", {"q": PIN_FRAGMENT}),
        ("filter status + depot", {"rental_status__exact": "AVAILABLE", "owning_depot__id__exact": "1"}),
    ]:
        millis, queries, found = _timed_get(client, url, params)
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
        if label == "search PIN fragment":
            rows.append(
                Row(
                    f"admin changelist, {FLEET:,} assets",
                    f"{label}: assets found",
                    found,
                    "rows",
                    "1",
                    found == 1,
                )
            )
    return rows
