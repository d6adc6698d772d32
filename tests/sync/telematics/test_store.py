"""Storing readings: history kept, latest values only move forward, hours going down flagged, few queries."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import AssetReading
from sync.telematics.store import HOURS_DECREASED, OLDER, STORED, UNCHANGED, Reading, reading_of, store
from sync.trackunit.aemp import Equipment, FuelUsed, Hours, Location
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def reading(at: datetime, hours: str, lat: str = "55.676098") -> Reading:
    return Reading(
        observed_at=at,
        operating_hours=Decimal(hours),
        operating_hours_at=at,
        latitude=Decimal(lat),
        longitude=Decimal("12.568337"),
        location_at=at,
    )


def test_a_newer_reading_is_applied_and_kept_in_history():
    asset = factories.asset()
    counts = store([(asset.pk, reading(T0, "100.50"))], pull_id=7)
    assert counts[STORED] == 1
    asset.refresh_from_db()
    assert (asset.operating_hours, asset.operating_hours_at, asset.telematics_at) == (
        Decimal("100.50"),
        T0,
        T0,
    )
    assert asset.last_latitude == Decimal("55.676098")
    [row] = AssetReading.objects.filter(asset=asset)
    assert (row.operating_hours, row.flag, row.pull_id) == (Decimal("100.50"), "", 7)


def test_an_older_reading_never_overwrites_a_newer_one():
    asset = factories.asset()
    store([(asset.pk, reading(T0, "120.00"))])
    counts = store([(asset.pk, reading(T0 - timedelta(days=2), "90.00", lat="10.000000"))])
    assert counts[OLDER] == 1
    asset.refresh_from_db()
    assert (asset.operating_hours, asset.last_latitude) == (Decimal("120.00"), Decimal("55.676098"))
    older = AssetReading.objects.get(asset=asset, observed_at=T0 - timedelta(days=2))
    assert older.flag == AssetReading.Flag.OLDER_THAN_STORED


def test_hours_that_go_down_are_kept_flagged_and_not_applied():
    asset = factories.asset()
    store([(asset.pk, reading(T0, "500.00"))])
    counts = store([(asset.pk, reading(T0 + timedelta(hours=1), "12.00"))])
    assert counts[HOURS_DECREASED] == 1
    asset.refresh_from_db()
    assert (asset.operating_hours, asset.telematics_at) == (Decimal("500.00"), T0)
    flagged = AssetReading.objects.get(asset=asset, observed_at=T0 + timedelta(hours=1))
    assert flagged.flag == AssetReading.Flag.HOURS_DECREASED


def test_the_same_reading_twice_is_one_row():
    asset = factories.asset()
    store([(asset.pk, reading(T0, "1.00"))])
    counts = store([(asset.pk, reading(T0, "1.00"))])
    assert counts[UNCHANGED] == 1
    assert AssetReading.objects.filter(asset=asset).count() == 1


def test_a_stale_position_never_hides_a_fresh_one():
    asset = factories.asset()
    store([(asset.pk, reading(T0, "10.00", lat="50.000000"))])
    # Newer hours, but the position group carries an older time than the one stored.
    later = Reading(
        observed_at=T0 + timedelta(hours=2),
        operating_hours=Decimal("12.00"),
        operating_hours_at=T0 + timedelta(hours=2),
        latitude=Decimal("40.000000"),
        longitude=Decimal("1.000000"),
        location_at=T0 - timedelta(hours=5),
    )
    store([(asset.pk, later)])
    asset.refresh_from_db()
    assert (asset.operating_hours, asset.last_latitude) == (Decimal("12.00"), Decimal("50.000000"))


def test_a_page_of_100_readings_is_a_handful_of_queries():
    assets = [factories.asset(external_reference=f"A-{n}", name=f"A {n}") for n in range(100)]
    page = [(asset.pk, reading(T0, str(n))) for n, asset in enumerate(assets)]
    with CaptureQueriesContext(connection) as queries:
        counts = store(page)
    assert counts[STORED] == 100
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]


def test_readings_are_converted_to_litres_and_header_only_equipment_has_none():
    # ISO 15143-3 FuelUsed carries its FuelUnits; a feed in US gallons is stored in litres.
    equipment = Equipment(
        pin="P",
        location=Location(55.0, 12.0, 100.0, "metre", T0),
        operating_hours=Hours(10.0, T0),
        fuel_used=FuelUsed(10.0, "gallon", T0),
    )
    converted = reading_of(equipment)
    assert converted.fuel_used_litres == Decimal("37.85")
    assert converted.altitude == 100.0
    assert reading_of(Equipment(pin="P")) is None


@pytest.mark.parametrize(
    ("field", "equipment", "expected"),
    [
        # A feed's garbage is no reading; stored, it would break a column's range for the whole page.
        ("operating_hours", Equipment(pin="P", operating_hours=Hours(-5.0, T0)), None),
        ("operating_hours", Equipment(pin="P", operating_hours=Hours(1e15, T0)), None),
        ("latitude", Equipment(pin="P", location=Location(91.0, 12.0, None, None, T0)), None),
        ("longitude", Equipment(pin="P", location=Location(55.0, -181.0, None, None, T0)), None),
        ("fuel_used_litres", Equipment(pin="P", fuel_used=FuelUsed(1e16, "litre", T0)), None),
        ("operating_hours", Equipment(pin="P", operating_hours=Hours(0.0, T0)), Decimal("0.00")),
        ("latitude", Equipment(pin="P", location=Location(-90.0, 180.0, None, None, T0)), Decimal("-90")),
    ],
)
def test_values_outside_their_range_are_dropped(field, equipment, expected):
    assert getattr(reading_of(equipment), field) == expected


def test_a_page_with_garbage_values_still_stores_its_good_readings():
    good, bad = factories.asset(external_reference="GOOD"), factories.asset(external_reference="BAD")
    garbage = reading_of(
        Equipment(pin="B", operating_hours=Hours(-3.0, T0), location=Location(500.0, 12.0, None, None, T0))
    )
    counts = store([(good.pk, reading(T0, "10")), (bad.pk, garbage)])
    assert counts[STORED] == 2
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.operating_hours == Decimal("10.00")
    assert bad.operating_hours is None
    assert bad.last_latitude is None
    assert bad.telematics_at == T0
