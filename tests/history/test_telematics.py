"""The daily telematics pull writes readings, never record history (it would add a row per asset a day)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from assets.models import Asset, AssetReading
from sync.telematics.store import STORED, Reading, store
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def test_storing_readings_writes_no_history_rows():
    assets = [factories.asset(external_reference=f"FLT-{n}") for n in range(3)]
    history_before = Asset.history.count()
    readings = [
        (
            asset.pk,
            Reading(
                observed_at=T0,
                operating_hours=Decimal("100.50"),
                operating_hours_at=T0,
                latitude=Decimal("55.676098"),
                longitude=Decimal("12.568337"),
                location_at=T0,
            ),
        )
        for asset in assets
    ]
    assert store(readings, pull_id=1)[STORED] == 3
    assert AssetReading.objects.count() == 3
    assert Asset.objects.filter(operating_hours=Decimal("100.50")).count() == 3
    assert Asset.history.count() == history_before
