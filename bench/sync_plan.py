"""Planning over 100,000 assets with 100,000 contract items: the first plan, nothing changed, 1% changed.

The assets and items are written by the CSV import engine, timed in a process of its own, so the first
plan (every record a create: ~302,000 operations) is compared with importing the same rows in the same
run (target: at most 2x, peak resident memory at most 300 MB). Then the ledger is filled as if
Trackunit had accepted everything: a plan must find that nothing changed (<= 1.5 s) and, after 1% of the
assets change, exactly those (<= 6 s). The stale-plan check apply runs on the first plan is timed too.
Peak memory is the kernel's high-water mark, reset just before each plan.

`BENCH_PLAN_MILLION=1` (PostgreSQL) also seeds 1,000,000 assets and items with SQL (INSERT ... SELECT
generate_series, not the ORM), marks them accepted and times the unchanged plan (<= 15 s, <= 500 MB).
"""

import csv
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.harness import Row, peak_rss_mb, reset_peak_rss, run_child

DATABASES = ("postgresql", "sqlite")
FLEET = 100_000
ITEMS_PER_CONTRACT = 4
CUSTOMERS = 2_000
DEPOTS = 3
CHANGED_SHARE = 0.01
MILLION = 1_000_000


def _seed_parents() -> None:
    from assets.models import Depot
    from contracts.models import Contract
    from customers.models import Customer

    Depot.objects.bulk_create(Depot(name=f"Depot {n}", external_reference=f"DEP-{n}") for n in range(DEPOTS))
    Customer.objects.bulk_create(
        (Customer(name=f"Customer {n}", external_reference=f"CUS-{n:05d}") for n in range(CUSTOMERS)),
        batch_size=5000,
    )
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    Contract.objects.bulk_create(
        (
            Contract(
                customer_id=customers[n % CUSTOMERS],
                external_reference=f"RC-{n:06d}",
                start_date=date(2026, 1, 1) + timedelta(days=n % 300),
            )
            for n in range(FLEET // ITEMS_PER_CONTRACT)
        ),
        batch_size=5000,
    )


def _write_files(folder: Path) -> tuple[Path, Path]:
    assets, items = folder / "assets.csv", folder / "items.csv"
    with assets.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["external_reference", "name", "serial_number", "rental_status", "owning_depot_reference"]
        )
        writer.writerows(
            [f"FLT-{n:06d}", f"Machine {n}", f"SN{n:08d}", "ON_RENT", f"DEP-{n % DEPOTS}"]
            for n in range(FLEET)
        )
    with items.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "contract_reference",
                "external_reference",
                "asset_reference",
                "on_rent_date",
                "off_rent_date",
                "rate_amount",
                "rate_currency",
                "rate_period",
                "hiring_depot_reference",
                "delivery_address",
                "pickup_address",
            ]
        )
        writer.writerows(
            [
                f"RC-{n // ITEMS_PER_CONTRACT:06d}",
                f"{n % ITEMS_PER_CONTRACT + 1:02d}",
                f"FLT-{n:06d}",
                "2026-02-01",
                "",
                "100",
                "EUR",
                "DAY",
                f"DEP-{n % DEPOTS}",
                "",
                "",
            ]
            for n in range(FLEET)
        )
    return assets, items


def _import_seconds(entity: str, path: Path) -> float:
    """The import engine on one file, in its own process (so this one's peak memory stays the plan's)."""
    return run_child("bench.sync_plan", entity, str(path), env={**os.environ, "SYNC_ON_CHANGE": "false"})[
        "seconds"
    ]


def _accept_everything(run) -> None:
    """What a successful apply leaves in the ledger, written in bulk, with the statistics its end refreshes
    (sync.apply.finish)."""
    from rentalbridge.db_statistics import refresh_after_bulk_write
    from sync.kinds import BY_NAME
    from sync.models import SyncState, SyncStatus

    states = (
        SyncState(
            kind=op.kind,
            key=op.key,
            payload=op.payload,
            payload_hash=op.payload_hash,
            source_version=op.source_version,
            mapping_version=BY_NAME[op.kind].mapping_version,
            status=SyncStatus.IN_SYNC,
            remote_id=f"r-{op.pk}",
        )
        for op in run.operations.iterator(chunk_size=5000)
    )
    accepted = SyncState.objects.bulk_create(states, batch_size=5000)
    refresh_after_bulk_write(SyncState, len(accepted))


def _timed(call):
    reset_peak_rss()
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started, peak_rss_mb()


def _timed_plan():
    from sync.plan import make_plan

    return _timed(lambda: make_plan(trigger="bench"))


def run() -> list[Row]:
    from django.utils import timezone

    from assets.models import Asset
    from sync.apply import stale_operations

    _seed_parents()
    assets_csv, items_csv = _write_files(Path(tempfile.mkdtemp(prefix="rentalbridge-plan-bench-")))
    imported = _import_seconds("assets", assets_csv) + _import_seconds("contract-items", items_csv)
    first, first_seconds, first_rss = _timed_plan()
    operations = sum(first.summary[action] for action in ("create", "update", "delete"))
    name = f"sync plan, {FLEET:,} assets + {FLEET:,} items"
    ratio = first_seconds / imported
    rows = [
        Row(name, "CSV import of the same assets and items: time", imported, "s"),
        Row(name, f"first plan ({operations:,} creates): time", first_seconds, "s"),
        Row(name, "first plan / import", ratio, "x", "<= 2x", ratio <= 2),
        Row(name, "first plan: peak RSS", first_rss, "MB", "<= 300 MB", first_rss <= 300),
    ]
    stale, seconds, rss = _timed(lambda: stale_operations(first))
    assert stale == [], stale[:5]
    rows += [
        Row(name, f"stale-plan check of the first plan ({operations:,} operations): time", seconds, "s"),
        Row(
            name,
            "stale-plan check / first plan",
            seconds / first_seconds,
            "x",
            "< 1x",
            seconds < first_seconds,
        ),
    ]
    _accept_everything(first)

    unchanged, seconds, rss = _timed_plan()
    assert unchanged.operations.count() == 0, unchanged.summary
    rows += [
        Row(name, "nothing changed: time", seconds, "s", "<= 1.5 s", seconds <= 1.5),
        Row(name, "nothing changed: peak RSS", rss, "MB", "<= 300 MB", rss <= 300),
    ]

    changed = Asset.objects.order_by("?").values_list("pk", flat=True)[: int(FLEET * CHANGED_SHARE)]
    Asset.objects.filter(pk__in=list(changed)).update(rental_status="RETURNED", updated_at=timezone.now())
    one_percent, seconds, rss = _timed_plan()
    assert one_percent.summary["update"] == int(FLEET * CHANGED_SHARE), one_percent.summary
    rows += [
        Row(
            name,
            f"1% changed ({one_percent.summary['update']:,} updates): time",
            seconds,
            "s",
            "<= 6 s",
            seconds <= 6,
        ),
        Row(name, "1% changed: peak RSS", rss, "MB", "<= 300 MB", rss <= 300),
    ]
    from django.db import connection

    if os.environ.get("BENCH_PLAN_MILLION") and connection.vendor == "postgresql":
        rows += _million()
    return rows


def _million() -> list[Row]:
    """The fleet grown to 1,000,000 assets and items with SQL, all accepted, then one unchanged plan."""
    from assets.models import Asset

    _, seed_seconds, _ = _timed(lambda: _seed_accepted_sql(MILLION - FLEET))
    unchanged, seconds, rss = _timed_plan()
    assert unchanged.operations.count() == 0, unchanged.summary
    assets = Asset.objects.count()
    name = f"sync plan, {assets:,} assets + {assets:,} items (SQL-seeded, all accepted)"
    return [
        Row(name, "seeding with SQL: time", seed_seconds, "s"),
        Row(name, "nothing changed: time", seconds, "s", "<= 15 s", seconds <= 15),
        Row(name, "nothing changed: peak RSS", rss, "MB", "<= 500 MB", rss <= 500),
    ]


def _seed_accepted_sql(extra: int) -> None:
    """`extra` more assets, each on an open contract item (4 per contract), and a ledger saying Trackunit
    accepted every record after its last change, written by PostgreSQL itself (generate_series).

    The ledger's hashes are placeholders: an unchanged plan finds nothing changed by the source versions
    and never builds or hashes a payload, which is what this measures.
    """
    from django.db import connection, transaction

    from sync.kinds import BY_NAME

    versions = {
        name: BY_NAME[name].mapping_version for name in ("asset_reference", "asset", "customer_asset")
    }
    ref = "'M-' || lpad(n::text, 7, '0')"
    statements = [
        f"""INSERT INTO assets_asset (name, external_reference, identifier_type, identifier, serial_number,
            pin, make, model, asset_type, rental_status, created_at, updated_at, owning_depot_id)
        SELECT 'Machine M' || n, {ref}, 'EXTERNAL_REFERENCE', '', 'MSN' || n, '', '', '', 'MACHINE',
            'ON_RENT', now(), now(), d.ids[1 + mod(n, cardinality(d.ids))]
        FROM generate_series(0, %(extra)s - 1) n,
            (SELECT array_agg(id ORDER BY id) ids FROM assets_depot) d""",
        """INSERT INTO contracts_contract (external_reference, status, start_date, created_at, updated_at,
            customer_id)
        SELECT 'MRC-' || lpad(n::text, 7, '0'), 'OPEN', date '2026-01-01' + mod(n, 300), now(), now(),
            c.ids[1 + mod(n, cardinality(c.ids))]
        FROM generate_series(0, %(extra)s / 4) n,
            (SELECT array_agg(id ORDER BY id) ids FROM customers_customer) c""",
        f"""INSERT INTO contracts_contractitem (external_reference, on_rent_date, rate_amount, rate_currency,
            rate_period, delivery_address, pickup_address, created_at, updated_at, asset_id, contract_id,
            hiring_depot_id)
        SELECT lpad((mod(n, 4) + 1)::text, 2, '0'), date '2026-02-01', 100, 'EUR', 'DAY', '', '',
            now(), now(), a.id, c.id, a.owning_depot_id
        FROM generate_series(0, %(extra)s - 1) n
        JOIN assets_asset a ON a.external_reference = {ref}
        JOIN contracts_contract c ON c.external_reference = 'MRC-' || lpad((n / 4)::text, 7, '0')""",
        """INSERT INTO sync_syncstate (kind, key, remote_id, payload_hash, mapping_version, status,
            last_error, failures, failed_hash, source_version, synced_at, updated_at)
        SELECT kind, key, 'seeded', 'seeded', version, 'in_sync', '', 0, '', now(), now(), now() FROM (
            SELECT 'asset_reference' kind, external_reference key, %(asset_reference)s version
            FROM assets_asset WHERE external_reference LIKE 'M-%%'
            UNION ALL
            SELECT 'asset', external_reference, %(asset)s
            FROM assets_asset WHERE external_reference LIKE 'M-%%'
            UNION ALL
            SELECT 'customer_asset', cu.external_reference || '/' || a.external_reference,
                %(customer_asset)s
            FROM contracts_contractitem i
            JOIN assets_asset a ON a.id = i.asset_id
            JOIN contracts_contract c ON c.id = i.contract_id
            JOIN customers_customer cu ON cu.id = c.customer_id
            WHERE a.external_reference LIKE 'M-%%'
        ) accepted""",
        # Everything accepted after its last change (the 1% changed above included), in a later transaction.
        "UPDATE sync_syncstate SET source_version = clock_timestamp(), status = 'in_sync'",
        "ANALYZE",
    ]
    for statement in statements:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, {"extra": extra, **versions})


def _import_child(entity: str, path: str) -> None:
    """`python -m bench.sync_plan ENTITY FILE`: import one file with the engine, print its time."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentalbridge.settings")
    import django

    django.setup()
    from rentalbridge.imports.engine import run_import
    from rentalbridge.imports.registry import resource_for

    data = Path(path).read_bytes()
    started = time.perf_counter()
    report = run_import(resource_for(entity), data, actor="bench")
    seconds = time.perf_counter() - started
    assert not report.refused, (report.message, [str(e) for e in report.errors[:5]])
    assert report.new == FLEET, report.new
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    _import_child(sys.argv[1], sys.argv[2])
