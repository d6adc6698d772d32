"""Readings into assets: an append-only history, and latest values that only ever move forward in time.

Meter readings arrive late and out of order (field notes; the sample feeds mix stale and fresh units), so:
a reading older than what an asset holds is kept in the history (flagged) and never applied; a reading
whose operating hours are lower than the asset's is kept and flagged, not applied; each latest value is
replaced only by a value of a later time. A page of readings costs a few queries whatever its size: one
read of the assets' current values, one bulk insert of readings, one UPDATE of the assets.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection

from assets.models import Asset, AssetReading
from sync.trackunit.aemp import Equipment

LITRES_PER = {"litre": Decimal(1), "gallon": Decimal("3.785411784")}
KM_PER = {"kilometre": Decimal(1), "mile": Decimal("1.609344"), "metre": Decimal("0.001")}
LATEST_FIELDS = [
    "operating_hours",
    "operating_hours_at",
    "last_latitude",
    "last_longitude",
    "last_altitude",
    "last_location_at",
    "idle_hours",
    "fuel_used_litres",
    "fuel_remaining_percent",
    "odometer_km",
    "engine_running",
    "telematics_at",
]

STORED = "stored"
UNCHANGED = "unchanged"
OLDER = "older"
HOURS_DECREASED = "hours_decreased"
FLAGS = {OLDER: AssetReading.Flag.OLDER_THAN_STORED, HOURS_DECREASED: AssetReading.Flag.HOURS_DECREASED}


@dataclass(frozen=True)
class Reading:
    """One equipment's data points as RentalBridge keeps them (litres, kilometres, metres)."""

    observed_at: datetime
    operating_hours: Decimal | None = None
    operating_hours_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    altitude: float | None = None
    location_at: datetime | None = None
    idle_hours: Decimal | None = None
    fuel_used_litres: Decimal | None = None
    fuel_remaining_percent: Decimal | None = None
    odometer_km: Decimal | None = None
    engine_running: bool | None = None


def reading_of(equipment: Equipment) -> Reading | None:
    """The equipment's dated data points; None when it carries none (a header-only equipment)."""
    location, hours = equipment.location, equipment.operating_hours
    moments = [
        group.at
        for group in (
            location,
            hours,
            equipment.idle_hours,
            equipment.fuel_used,
            equipment.fuel_remaining,
            equipment.distance,
            equipment.engine_status,
        )
        if group is not None and group.at is not None
    ]
    if not moments:
        return None
    has_position = location is not None and location.latitude is not None and location.longitude is not None
    return Reading(
        observed_at=max(moments),
        operating_hours=_decimal(hours.hours, 2) if hours else None,
        operating_hours_at=hours.at if hours else None,
        latitude=_decimal(location.latitude, 6) if has_position else None,
        longitude=_decimal(location.longitude, 6) if has_position else None,
        altitude=_metres(location) if has_position else None,
        location_at=location.at if has_position else None,
        idle_hours=_decimal(equipment.idle_hours.hours, 2) if equipment.idle_hours else None,
        fuel_used_litres=_converted(equipment.fuel_used, "consumed", LITRES_PER),
        fuel_remaining_percent=(
            _decimal(equipment.fuel_remaining.percent, 2) if equipment.fuel_remaining else None
        ),
        odometer_km=_converted(equipment.distance, "odometer", KM_PER),
        engine_running=equipment.engine_status.running if equipment.engine_status else None,
    )


def store(readings: Iterable[tuple[int, Reading]], *, pull_id: int | None = None) -> Counter:
    """Add each (asset id, reading) to the history and move the asset's latest values forward.

    Returns how many readings were stored (and applied), unchanged (seen before), older than the asset's,
    or flagged because their hours went down.
    """
    readings = list(readings)
    counts: Counter = Counter()
    current = Asset.objects.in_bulk([asset_id for asset_id, _ in readings], field_name="pk")
    rows, changed = [], {}
    for asset_id, reading in readings:
        asset = changed.get(asset_id) or current.get(asset_id)
        if asset is None:
            continue
        outcome = _outcome(asset, reading)
        counts[outcome] += 1
        if outcome == UNCHANGED:
            continue
        flag = {
            OLDER: AssetReading.Flag.OLDER_THAN_STORED,
            HOURS_DECREASED: AssetReading.Flag.HOURS_DECREASED,
        }
        rows.append(_row(asset_id, reading, flag.get(outcome, AssetReading.Flag.NONE), pull_id))
        if outcome == STORED:
            _apply(asset, reading)
            changed[asset_id] = asset
    # A reading two pulls both saw is one row (unique per asset and time): the second insert is a no-op.
    AssetReading.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    _write_latest(list(changed.values()))
    return counts


def _write_latest(assets: list[Asset]) -> None:
    """One UPDATE ... FROM (VALUES ...) for the page (PostgreSQL, SQLite 3.33+).

    Django's bulk_update builds a CASE per column and row in Python, which cost most of a pull's time.
    """
    if not assets:
        return
    fields = [Asset._meta.get_field(name) for name in LATEST_FIELDS]
    table = connection.ops.quote_name(Asset._meta.db_table)
    columns = [connection.ops.quote_name(field.column) for field in fields]
    # PostgreSQL types a VALUES list from its first row, and an untyped NULL there is text: cast each one.
    casts = [
        f"CAST(%s AS {field.db_type(connection)})" if connection.vendor == "postgresql" else "%s"
        for field in fields
    ]
    row = f"(%s, {', '.join(casts)})"
    params: list = []
    for asset in assets:
        params.append(asset.pk)
        params.extend(field.get_db_prep_save(getattr(asset, field.attname), connection) for field in fields)
    # VALUES columns are column1, column2, ... in both databases (SQLite takes no column alias list).
    named = ", ".join(f"column{n} AS {name}" for n, name in enumerate(["id", *columns], start=1))
    assignments = ", ".join(f"{column} = latest.{column}" for column in columns)
    sql = (
        f"UPDATE {table} SET {assignments} FROM (SELECT {named} FROM (VALUES "
        f"{', '.join([row] * len(assets))}) AS page) AS latest WHERE {table}.id = latest.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _outcome(asset: Asset, reading: Reading) -> str:
    if asset.telematics_at is not None and reading.observed_at == asset.telematics_at:
        return UNCHANGED
    if asset.telematics_at is not None and reading.observed_at < asset.telematics_at:
        return OLDER
    if (
        reading.operating_hours is not None
        and asset.operating_hours is not None
        and reading.operating_hours < asset.operating_hours
    ):
        return HOURS_DECREASED
    return STORED


def _apply(asset: Asset, reading: Reading) -> None:
    """Each value replaced only by one of a later time, so a stale position never hides a fresh one."""
    if reading.operating_hours is not None and _later(reading.operating_hours_at, asset.operating_hours_at):
        asset.operating_hours, asset.operating_hours_at = reading.operating_hours, reading.operating_hours_at
    if reading.latitude is not None and _later(reading.location_at, asset.last_location_at):
        asset.last_latitude, asset.last_longitude = reading.latitude, reading.longitude
        asset.last_altitude, asset.last_location_at = reading.altitude, reading.location_at
    for name in ("idle_hours", "fuel_used_litres", "fuel_remaining_percent", "odometer_km", "engine_running"):
        value = getattr(reading, name)
        if value is not None:
            setattr(asset, name, value)
    asset.telematics_at = reading.observed_at


def _later(moment: datetime | None, stored: datetime | None) -> bool:
    return stored is None or (moment is not None and moment > stored)


def _row(asset_id: int, reading: Reading, flag: str, pull_id: int | None) -> AssetReading:
    return AssetReading(asset_id=asset_id, flag=flag, pull_id=pull_id, **reading.__dict__)


def _decimal(value: float | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def _converted(group, attribute: str, factors: dict[str, Decimal]) -> Decimal | None:
    """A quantity in RentalBridge's unit; None when the feed's unit is one it cannot convert."""
    if group is None or getattr(group, attribute) is None:
        return None
    factor = factors.get(group.units or next(iter(factors)))
    if factor is None:
        return None
    return (Decimal(str(getattr(group, attribute))) * factor).quantize(Decimal("0.01"))


def _metres(location) -> float | None:
    if location.altitude is None:
        return None
    return location.altitude * 0.3048 if location.altitude_units == "foot" else location.altitude
