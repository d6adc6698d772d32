"""Planning over 100,000 assets with 100,000 contract items: nothing changed, then 1% changed.

The ledger is first filled as if Trackunit had accepted everything; then a plan must find that nothing
changed (targets: <= 5 s) and, after 1% of the assets change, exactly those (<= 6 s), each with a peak
resident memory of at most 500 MB (the kernel's high-water mark, reset just before the plan).
"""

import time
from datetime import date, timedelta
from pathlib import Path

from bench.harness import Row

DATABASES = ("postgresql", "sqlite")
FLEET = 100_000
ITEMS_PER_CONTRACT = 4
CUSTOMERS = 2_000
CHANGED_SHARE = 0.01


def _seed() -> None:
    from django.db import transaction

    from assets.models import Asset, Depot
    from contracts.models import Contract, ContractItem
    from customers.models import Customer

    with transaction.atomic():
        depots = [Depot.objects.create(name=f"Depot {n}", external_reference=f"DEP-{n}") for n in range(3)]
        Customer.objects.bulk_create(
            (Customer(name=f"Customer {n}", external_reference=f"CUS-{n:05d}") for n in range(CUSTOMERS)),
            batch_size=5000,
        )
        customers = list(Customer.objects.values_list("pk", flat=True))
        Asset.objects.bulk_create(
            (
                Asset(
                    name=f"Machine {n}",
                    external_reference=f"FLT-{n:06d}",
                    serial_number=f"SN{n:08d}",
                    owning_depot=depots[n % 3],
                    rental_status="ON_RENT",
                )
                for n in range(FLEET)
            ),
            batch_size=5000,
        )
        contracts = FLEET // ITEMS_PER_CONTRACT
        Contract.objects.bulk_create(
            (
                Contract(
                    customer_id=customers[n % CUSTOMERS],
                    external_reference=f"RC-{n:06d}",
                    start_date=date(2026, 1, 1) + timedelta(days=n % 300),
                )
                for n in range(contracts)
            ),
            batch_size=5000,
        )
        contract_ids = list(Contract.objects.order_by("pk").values_list("pk", flat=True))
        asset_ids = list(Asset.objects.order_by("pk").values_list("pk", flat=True))
        ContractItem.objects.bulk_create(
            (
                ContractItem(
                    contract_id=contract_ids[n // ITEMS_PER_CONTRACT],
                    asset_id=asset_ids[n],
                    external_reference=f"{n % ITEMS_PER_CONTRACT + 1:02d}",
                    on_rent_date=date(2026, 2, 1),
                    rate_amount=100,
                    rate_currency="EUR",
                    rate_period="DAY",
                    hiring_depot=depots[n % 3],
                )
                for n in range(FLEET)
            ),
            batch_size=5000,
        )


def _accept_everything(run) -> None:
    """What a successful apply leaves in the ledger, written in bulk."""
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
    SyncState.objects.bulk_create(states, batch_size=5000)


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _timed_plan():
    from sync.plan import make_plan

    _reset_peak_rss()
    started = time.perf_counter()
    run = make_plan(trigger="bench")
    return run, time.perf_counter() - started, _peak_rss_mb()


def run() -> list[Row]:
    from django.utils import timezone

    from assets.models import Asset

    _seed()
    first, first_seconds, first_rss = _timed_plan()
    _accept_everything(first)
    name = f"sync plan, {FLEET:,} assets + {FLEET:,} items"
    rows = [
        Row(name, f"first plan ({sum(first.summary.values()):,} creates): time", first_seconds, "s"),
        Row(name, "first plan: peak RSS", first_rss, "MB"),
    ]

    unchanged, seconds, rss = _timed_plan()
    assert unchanged.operations.count() == 0, unchanged.summary
    rows += [
        Row(name, "nothing changed: time", seconds, "s", "<= 5 s", seconds <= 5),
        Row(name, "nothing changed: peak RSS", rss, "MB", "<= 500 MB", rss <= 500),
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
        Row(name, "1% changed: peak RSS", rss, "MB", "<= 500 MB", rss <= 500),
    ]
    return rows
