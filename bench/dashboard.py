"""The admin home's dashboard on the 100,000-asset database: time per page and queries.

Seeded as a fleet after its first syncs: 100,000 assets, a sync state per asset (a few failed, pending
and drifted), and 14 days of attempts (50,000, one in twenty an error). Target: under 300 ms.
"""

import statistics
import time
from datetime import timedelta

from bench.harness import Row

DATABASES = ("postgresql", "sqlite")
FLEET = 100_000
ATTEMPTS = 50_000
REPEATS = 5
TARGET_MS = 300


def _seed() -> None:
    from django.db import connection
    from django.utils import timezone

    from assets.models import Asset
    from sync.models import SyncAttempt, SyncState, SyncStatus

    Asset.objects.bulk_create(
        (Asset(name=f"Excavator {n:06d}", external_reference=f"FLT-{n:06d}") for n in range(FLEET)),
        batch_size=5000,
    )
    statuses = [SyncStatus.IN_SYNC] * 96 + [SyncStatus.FAILED] * 2 + [SyncStatus.PENDING, SyncStatus.DRIFT]
    SyncState.objects.bulk_create(
        (SyncState(kind="asset", key=f"FLT-{n:06d}", status=statuses[n % 100]) for n in range(FLEET)),
        batch_size=5000,
    )
    SyncAttempt.objects.bulk_create(
        (
            SyncAttempt(
                kind="asset",
                key=f"FLT-{n % FLEET:06d}",
                method="PATCH",
                url=f"https://api.example/assets/{n}",
                status_code=422 if n % 20 == 0 else 200,
                outcome="http_error" if n % 20 == 0 else "success",
                error_code="validation_failed" if n % 20 == 0 else "",
                duration_ms=40.0,
                triggered_by="bench",
            )
            for n in range(ATTEMPTS)
        ),
        batch_size=5000,
    )
    # Spread the attempts over 14 days (created_at is set on insert; the table refuses updates).
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "UPDATE sync_syncattempt SET created_at = %s - (id %% 14) * interval '1 day'", [now]
            )
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS sync_attempt_no_update")
            for day in range(14):
                cursor.execute(
                    "UPDATE sync_syncattempt SET created_at = %s WHERE id %% 14 = %s",
                    [now - timedelta(days=day), day],
                )
        cursor.execute("ANALYZE")


def run() -> list[Row]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    _seed()
    client = Client()
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", "bench-pass"))
    timings, queries = [], 0
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/admin/")
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        assert b'id="dashboard"' in response.content
        queries = len(captured)
    millis = statistics.median(timings) * 1000
    name = f"admin home dashboard, {FLEET:,} assets, {ATTEMPTS:,} attempts"
    return [
        Row(name, "median", millis, "ms", f"< {TARGET_MS} ms", millis < TARGET_MS),
        Row(name, "queries", queries, "queries"),
    ]
