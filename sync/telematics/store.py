"""Readings into assets: an append-only history, and latest values that only ever move forward in time.

Meter readings arrive late and out of order (field notes; the sample feeds mix stale and fresh units), so:
a reading older than what an asset holds is kept in the history (flagged) and never applied; a reading
whose operating hours are lower than the asset's is kept and flagged, not applied; each latest value is
replaced only by a value of a later time. A page of readings costs a few queries whatever its size: one
read of the assets' current values, one multi-row INSERT of readings, one UPDATE of the assets.

That UPDATE is raw SQL on purpose and writes no record history: the telematics columns are left out of
the assets' field-level history (assets.models.TELEMATICS_COLUMNS), whose rows are people's changes; a
daily pull would otherwise add a history row per asset per day. The readings themselves are the history.
"""

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from assets.models import Asset, AssetReading
from sync.trackunit.aemp import Distance, Equipment, FuelUsed, Location

LITRES_PER = {"litre": Decimal(1), "gallon": Decimal("3.785411784")}
KM_PER = {"kilometre": Decimal(1), "mile": Decimal("1.609344"), "metre": Decimal("0.001")}
# The columns' capacity (12 and 14 digits, 2 decimals), well above any machine's life.
HOURS_MAX = 9_999_999_999
QUANTITY_MAX = 999_999_999_999
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


READING_FIELDS = [field.name for field in dataclasses.fields(Reading)]


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
    position = (
        location
        if location is not None
        and _within(location.latitude, -90, 90)
        and _within(location.longitude, -180, 180)
        else None
    )
    return Reading(
        observed_at=max(moments),
        operating_hours=_decimal(hours.hours, 2, 0, HOURS_MAX) if hours else None,
        operating_hours_at=hours.at if hours else None,
        latitude=_decimal(position.latitude, 6, -90, 90) if position is not None else None,
        longitude=_decimal(position.longitude, 6, -180, 180) if position is not None else None,
        altitude=_metres(position) if position is not None else None,
        location_at=position.at if position is not None else None,
        idle_hours=_decimal(equipment.idle_hours.hours, 2, 0, HOURS_MAX) if equipment.idle_hours else None,
        fuel_used_litres=_converted(equipment.fuel_used, "consumed", LITRES_PER),
        fuel_remaining_percent=(
            _decimal(equipment.fuel_remaining.percent, 2, 0, 100) if equipment.fuel_remaining else None
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
    # Plain namespaces of the latest values: building 100 model instances per page cost more than the SQL.
    current = {
        row["id"]: SimpleNamespace(**row)
        for row in Asset.objects.filter(pk__in={asset_id for asset_id, _ in readings}).values(
            "id", *LATEST_FIELDS
        )
    }
    rows: list[tuple[int, Reading, str]] = []
    changed: dict[int, SimpleNamespace] = {}
    for asset_id, reading in readings:
        asset = changed.get(asset_id) or current.get(asset_id)
        if asset is None:
            continue
        outcome = _outcome(asset, reading)
        counts[outcome] += 1
        if outcome == UNCHANGED:
            continue
        rows.append((asset_id, reading, FLAGS.get(outcome, AssetReading.Flag.NONE)))
        if outcome == STORED:
            _apply(asset, reading)
            changed[asset_id] = asset
    _insert_history(rows, pull_id)
    _write_latest(list(changed.values()))
    return counts


def _insert_history(rows: list[tuple[int, Reading, str]], pull_id: int | None) -> None:
    """One INSERT ... SELECT per 500 readings; a reading two pulls both saw is one row (unique per asset
    and time), so the second is ignored."""
    if not rows:
        return
    fields = _concrete_fields(AssetReading, ("asset_id", "flag", "pull_id", "recorded_at", *READING_FIELDS))
    table = connection.ops.quote_name(AssetReading._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            values = [
                [asset_id, flag, pull_id, now, *(getattr(reading, name) for name in READING_FIELDS)]
                for asset_id, reading, flag in rows[start : start + 500]
            ]
            source, params = _page_table(fields, values)
            # WHERE true: SQLite needs it to tell ON CONFLICT from a join constraint after a SELECT.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM {source} WHERE true ON CONFLICT DO NOTHING",
                params,
            )


def _write_latest(assets: list[SimpleNamespace]) -> None:
    """One UPDATE ... FROM for the page (PostgreSQL, SQLite 3.33+): bulk_update builds a CASE per
    column and row in Python, which cost most of a pull's time."""
    if not assets:
        return
    fields = _concrete_fields(Asset, ("id", *LATEST_FIELDS))
    table = connection.ops.quote_name(Asset._meta.db_table)
    columns = [connection.ops.quote_name(field.column) for field in fields[1:]]
    source, params = _page_table(fields, [[getattr(asset, f.attname) for f in fields] for asset in assets])
    assignments = ", ".join(f"{column} = page.{column}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.id = page.id", params)


def _concrete_fields(model: type[Model], names: Iterable[str]) -> list[Field]:
    """The named fields, all concrete columns of `model`: get_field may also answer relations."""
    return [cast(Field, model._meta.get_field(name)) for name in names]


def _page_table(fields: list[Field], rows: list[list[Any]]) -> tuple[str, list[Any]]:
    """Rows as a derived table `page` named by the fields' columns, with its parameters.

    PostgreSQL gets one array per column through unnest: a parameter per value would cost psycopg more
    to parse than the statement costs to run. SQLite gets a VALUES list, whose columns it names column1,
    column2, ...; its datetimes are adapted to text as Django stores them (everything else passes as is).
    """
    names = [connection.ops.quote_name(field.column) for field in fields]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        return f"unnest({arrays}) AS page({', '.join(names)})", [
            list(column) for column in zip(*rows, strict=True)
        ]
    adapt = [
        connection.ops.adapt_datetimefield_value if field.get_internal_type() == "DateTimeField" else None
        for field in fields
    ]
    params = [
        convert(value) if convert else value
        for row in rows
        for convert, value in zip(adapt, row, strict=True)
    ]
    named = ", ".join(f"column{n} AS {name}" for n, name in enumerate(names, start=1))
    values = ", ".join([f"({', '.join(['%s'] * len(fields))})"] * len(rows))
    return f"(SELECT {named} FROM (VALUES {values})) AS page", params


def _outcome(asset: SimpleNamespace, reading: Reading) -> str:
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


def _apply(asset: SimpleNamespace, reading: Reading) -> None:
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


def _within(value: float | None, low: float, high: float) -> bool:
    return value is not None and low <= value <= high


def _decimal(value: float | None, places: int, low: float, high: float) -> Decimal | None:
    """The value to `places` decimals; None outside [low, high]: a feed's garbage is no reading, and
    would break the column's range (or check constraint) for the whole page."""
    if not _within(value, low, high):
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def _converted(
    group: FuelUsed | Distance | None, attribute: str, factors: dict[str, Decimal]
) -> Decimal | None:
    """A quantity in RentalBridge's unit; None when the feed's unit is one it cannot convert."""
    if group is None or getattr(group, attribute) is None:
        return None
    factor = factors.get(group.units or next(iter(factors)))
    if factor is None:
        return None
    value = getattr(group, attribute)
    return (
        (Decimal(str(value)) * factor).quantize(Decimal("0.01")) if _within(value, 0, QUANTITY_MAX) else None
    )


def _metres(location: Location) -> float | None:
    if location.altitude is None:
        return None
    return location.altitude * 0.3048 if location.altitude_units == "foot" else location.altitude
