"""CSV import of 100,000 assets and 100,000 contract items: the bulk engine against its neighbours.

Side by side on the same generated files: the bulk engine with full validation (rentalbridge.imports),
django-import-export's default row-by-row import (measured on a 5,000-row slice and extrapolated, so
labelled) and a bare `bulk_create` of the same rows without any check (the floor). Each measurement runs in
its own process (`python -m bench.csv_import SCENARIO FILE`) so its peak RSS is its own; the floor and the
row-by-row runs are rolled back, the engine's imports are kept (the items need the assets).
"""

import csv
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.harness import Row, run_child

DATABASES = ("postgresql", "sqlite")
ROWS = 100_000
SLICE = 5_000
CONTRACTS = 1_000
DEPOTS = 5
TARGET_S = 10.0
TARGET_MB = 500.0


# --- the parent: data, files, measurements, table -----------------------------------------------------
def run() -> list[Row]:
    workdir = Path(tempfile.mkdtemp(prefix="rentalbridge-csv-bench-"))
    _seed()
    files = {
        "assets": _write(workdir / "assets.csv", _asset_rows(0, ROWS)),
        "assets-slice": _write(workdir / "assets-slice.csv", _asset_rows(ROWS, SLICE)),
        "items": _write(workdir / "items.csv", _item_rows(ROWS, "", date(2026, 1, 1))),
        # Rents the same assets a year later: the engine's items are kept, and PostgreSQL refuses an open
        # rental that overlaps another of its asset.
        "items-slice": _write(workdir / "items-slice.csv", _item_rows(SLICE, "D", date(2027, 1, 1))),
    }
    plan = [
        ("assets", "floor", "assets"),
        ("assets", "engine", "assets"),
        ("assets", "engine-unchanged", "assets"),
        ("assets", "row-by-row", "assets-slice"),
        ("contract-items", "floor", "items"),
        ("contract-items", "engine", "items"),
        ("contract-items", "row-by-row", "items-slice"),
    ]
    rows: list[Row] = []
    for entity, scenario, file in plan:
        result = _measure(entity, scenario, files[file])
        rows += _rows(entity, scenario, result)
    return rows


def _measure(entity: str, scenario: str, path: Path) -> dict:
    return run_child("bench.csv_import", entity, scenario, str(path))


def _rows(entity: str, scenario: str, result: dict) -> list[Row]:
    bench = f"csv import, {ROWS:,} {entity}"
    seconds, rows = result["seconds"], result["rows"]
    if scenario == "row-by-row":
        seconds = seconds * ROWS / rows
        label = f"django-import-export row by row ({rows:,}-row slice, extrapolated)"
        return [
            Row(bench, f"{label}: time", seconds, "s"),
            Row(bench, f"{label}: rate", ROWS / seconds, "rows/s"),
        ]
    label = {
        "floor": "bare bulk_create, no checks (floor)",
        "engine": "bulk engine, full validation",
        "engine-unchanged": "bulk engine, re-import all unchanged",
    }[scenario]
    if scenario == "floor":
        return [
            Row(bench, f"{label}: time", seconds, "s"),
            Row(bench, f"{label}: rate", rows / seconds, "rows/s"),
        ]
    out = [
        Row(bench, f"{label}: time", seconds, "s", f"<= {TARGET_S:.0f} s", seconds <= TARGET_S),
        Row(bench, f"{label}: rate", rows / seconds, "rows/s"),
    ]
    if scenario.startswith("engine"):
        out.append(
            Row(
                bench,
                f"{label}: peak RSS",
                result["maxrss_mb"],
                "MB",
                f"<= {TARGET_MB:.0f} MB",
                result["maxrss_mb"] <= TARGET_MB,
            )
        )
        out.append(Row(bench, f"{label}: {result['outcome']}", rows, "rows"))
    return out


def _seed() -> None:
    from assets.models import Depot
    from contracts.models import Contract, ContractStatus
    from customers.models import Customer

    Depot.objects.bulk_create(Depot(name=f"Depot {n}", external_reference=f"DEP-{n}") for n in range(DEPOTS))
    customers = Customer.objects.bulk_create(
        Customer(name=f"Customer {n}", external_reference=f"CUS-{n}") for n in range(100)
    )
    Contract.objects.bulk_create(
        Contract(
            customer=customers[n % 100],
            external_reference=f"RC-{n:05d}",
            status=ContractStatus.OPEN,
            start_date=date(2026, 1, 1),
        )
        for n in range(CONTRACTS)
    )


def _asset_rows(first: int, count: int) -> tuple[list[str], list[list[str]]]:
    header = [
        "external_reference",
        "name",
        "serial_number",
        "pin",
        "make",
        "model",
        "asset_type",
        "rental_status",
        "owning_depot_reference",
    ]
    rows = [
        [
            f"FLT-{n:06d}",
            f"Excavator {n}",
            f"SN{n:08d}",
            f"PIN{n:014d}",
            "Volvo",
            "EC220E",
            "MACHINE",
            "AVAILABLE",
            f"DEP-{n % DEPOTS}",
        ]
        for n in range(first, first + count)
    ]
    return header, rows


def _item_rows(count: int, prefix: str, start: date) -> tuple[list[str], list[list[str]]]:
    header = [
        "contract_reference",
        "external_reference",
        "asset_reference",
        "on_rent_date",
        "off_rent_date",
        "rate_amount",
        "rate_currency",
        "rate_period",
        "hiring_depot_reference",
    ]
    rows = []
    for n in range(count):
        on = start + timedelta(days=n % 300)
        rows.append(
            [
                f"RC-{n % CONTRACTS:05d}",
                f"{prefix}{n // CONTRACTS:03d}",
                f"FLT-{n:06d}",
                on.strftime("%d/%m/%Y"),
                (on + timedelta(days=14)).isoformat(),
                f"{100 + n % 400}.50",
                "EUR",
                "DAY",
                f"DEP-{n % DEPOTS}",
            ]
        )
    return header, rows


def _write(path: Path, table: tuple[list[str], list[list[str]]]) -> Path:
    header, rows = table
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- the measured child --------------------------------------------------------------------------------
def _measured(entity: str, scenario: str, path: Path) -> dict:
    from django.db import transaction

    from rentalbridge.imports.engine import run_import
    from rentalbridge.imports.registry import resource_for

    data = path.read_bytes()
    started = time.perf_counter()
    if scenario.startswith("engine"):
        report = run_import(resource_for(entity), data, actor="bench")
        assert not report.refused, (report.message, [str(e) for e in report.errors[:5]])
        outcome = f"{report.new} new, {report.unchanged} unchanged, {report.rejected} rejected"
        rows = report.rows_total
    else:
        with transaction.atomic():
            rows = (_floor if scenario == "floor" else _row_by_row)(entity, data)
            transaction.set_rollback(True)
        outcome = "rolled back"
    seconds = time.perf_counter() - started
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": rows, "maxrss_mb": maxrss_mb, "outcome": outcome}


def _floor(entity: str, data: bytes) -> int:
    """Only what any import must do: split the CSV, resolve references with a dict, insert."""
    from assets.models import Asset, Depot
    from contracts.models import Contract, ContractItem

    reader = csv.DictReader(data.decode("utf-8").splitlines())
    depots = dict(Depot.objects.values_list("external_reference", "pk"))
    if entity == "assets":
        objects = []
        for row in reader:
            depot = depots[row.pop("owning_depot_reference")]
            objects.append(Asset(**row, owning_depot_id=depot))
        Asset.objects.bulk_create(objects, batch_size=2000)
        return len(objects)
    contracts = dict(Contract.objects.values_list("external_reference", "pk"))
    assets = dict(Asset.objects.values_list("external_reference", "pk"))
    objects = []
    for row in reader:
        day, month, year = row["on_rent_date"].split("/")
        objects.append(
            ContractItem(
                contract_id=contracts[row["contract_reference"]],
                external_reference=row["external_reference"],
                asset_id=assets[row["asset_reference"]],
                on_rent_date=date(int(year), int(month), int(day)),
                off_rent_date=date.fromisoformat(row["off_rent_date"]),
                rate_amount=row["rate_amount"],
                rate_currency=row["rate_currency"],
                rate_period=row["rate_period"],
                hiring_depot_id=depots[row["hiring_depot_reference"]],
            )
        )
    ContractItem.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def _row_by_row(entity: str, data: bytes) -> int:
    """django-import-export's default path: one instance lookup, FK lookups and save() per row."""
    import tablib

    from rentalbridge.imports.registry import resource_for

    text = data.decode("utf-8")
    if entity == "contract-items":
        # Its DateWidget reads ISO dates only; give it the same rows in the format it understands.
        lines = text.splitlines()
        text = "\n".join([lines[0], *(_iso_on_rent(line) for line in lines[1:])])
    dataset = tablib.Dataset().load(text, format="csv")
    result = resource_for(entity).import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_validation_errors()
    return len(dataset)


def _iso_on_rent(line: str) -> str:
    cells = line.split(",")
    day, month, year = cells[3].split("/")
    cells[3] = f"{year}-{month}-{day}"
    return ",".join(cells)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentalbridge.settings")
    import django

    django.setup()
    print(json.dumps(_measured(sys.argv[1], sys.argv[2], Path(sys.argv[3]))))
