"""Operations written in bulk read back as the planner built them."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sync.models import RunStatus, SyncOperation, SyncRun
from sync.operation_store import _sqlite_datetimes, store_operations
from sync.planned import PlannedOperation

pytestmark = pytest.mark.django_db


def test_sqlite_gets_djangos_text_for_a_datetime_naive_in_utc():
    """Django stores SQLite datetimes as naive UTC text, microseconds only when there are some; the
    planner's source versions are compared with `updated_at` as text, so the format must be the same."""
    as_text = _sqlite_datetimes()
    assert as_text(datetime(2026, 11, 23, 22, 5, 7, 123456, tzinfo=UTC)) == "2026-11-23 22:05:07.123456"
    assert as_text(datetime(2026, 11, 23, 23, 5, 7, tzinfo=timezone(timedelta(hours=1)))) == (
        "2026-11-23 22:05:07"
    )
    assert as_text(None) is None


def test_a_create_and_an_update_read_back_with_their_fields_and_dependencies():
    run = SyncRun.objects.create(status=RunStatus.PLANNING, trigger="manual")
    version = datetime(2026, 11, 23, 22, 5, 7, 123456, tzinfo=UTC)
    store_operations(
        run.pk,
        [
            PlannedOperation(phase=2, kind="customer", key="C1", action="create", payload={"name": "Alpha"}),
            PlannedOperation(
                phase=6,
                kind="asset",
                key="FLT-1",
                action="update",
                payload={"rentalStatus": "ON_RENT"},
                source_version=version,
                depends_on=("customer:C1", "depot:D1"),
                fields={"rentalStatus": ["AVAILABLE", "ON_RENT"]},
            ),
        ],
    )
    create, update = SyncOperation.objects.filter(run=run).order_by("phase")
    assert (create.fields, create.depends_on, create.source_version) == ({}, [], None)
    assert create.payload == {"name": "Alpha"}
    assert update.fields == {"rentalStatus": ["AVAILABLE", "ON_RENT"]}
    assert update.depends_on == ["customer:C1", "depot:D1"]
    assert update.source_version == version
