"""A plan is built and stored in batches, and the stale-plan check asks the database what changed.

Batches are made tiny here so that every record crosses a batch boundary; what is stored must be what a
plan promises operators (issue 13): one operation per record, the payload to be sent, and for a create
every field as "before: nothing, after: the value".
"""

import gc
from datetime import date, timedelta

import pytest
from django.utils import timezone

from assets.models import Asset
from contracts.models import ContractStatus
from rentalbridge import db_statistics
from sync import plan as plan_module
from sync.apply import stale_operations
from sync.kinds import rental
from sync.models import RunStatus, SyncOperation, SyncRun
from sync.plan import make_plan
from tests import factories
from tests.statistics import table_rows_counted
from tests.sync.test_plan import accept

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(plan_module, "BATCH_SIZE", 2)
    monkeypatch.setattr(rental, "PAGE", 2)


@pytest.fixture
def fleet():
    depot = factories.depot(external_reference="DEP-1")
    customer = factories.customer(external_reference="CUS-1", name="Nordbyg A/S")
    contract = factories.contract(customer=customer, external_reference="RC-1")
    assets = [
        factories.asset(external_reference=f"FLT-{n}", name=f"Excavator {n}", owning_depot=depot)
        for n in range(1, 6)
    ]
    factories.item(contract, assets[0], date(2026, 3, 1), hiring_depot=depot)
    return {"depot": depot, "customer": customer, "contract": contract, "assets": assets}


def test_a_plan_in_batches_holds_one_create_per_record_with_its_payload_and_diff(small_batches, fleet):
    run = make_plan(trigger="test")
    references = [f"FLT-{n}" for n in range(1, 6)]
    stored = run.operations.filter(kind="asset_reference").order_by("key")
    assert [op.key for op in stored] == references
    first = stored[0]
    assert first.action == "create"
    assert first.payload == {"name": "Excavator 1", "externalReference": "FLT-1"}
    assert first.changes == {"externalReference": [None, "FLT-1"], "name": [None, "Excavator 1"]}
    assert run.operations.filter(kind="asset").count() == 5
    assert run.summary == {"create": 13, "update": 0, "delete": 0, "unchanged": 0, "skipped": 0}
    assert run.status == RunStatus.PLANNED


def test_a_first_plan_read_in_pages_gives_each_asset_its_own_items(small_batches, fleet):
    """Pages of two assets: FLT-2 and FLT-3 sit on either side of a page boundary."""
    contract, assets = fleet["contract"], fleet["assets"]
    second = factories.item(contract, assets[1], date(2026, 3, 2)).external_reference
    third = factories.item(contract, assets[2], date(2026, 3, 3)).external_reference
    run = make_plan(trigger="test")
    items = {
        op.key: [item["externalReference"] for item in op.payload.get("contractItems", [])]
        for op in run.operations.filter(kind="asset")
    }
    first = fleet["assets"][0].contract_items.get().external_reference
    assert items == {"FLT-1": [first], "FLT-2": [second], "FLT-3": [third], "FLT-4": [], "FLT-5": []}


def test_an_update_in_a_later_batch_shows_before_and_after(small_batches, fleet):
    accept(make_plan(trigger="test"))
    Asset.objects.filter(external_reference="FLT-5").update(name="Wheel loader 5")
    Asset.objects.get(external_reference="FLT-5").save()  # a save, as the admin makes it
    run = make_plan(trigger="test", kinds=["asset_reference"])
    [operation] = run.operations.all()
    assert (operation.key, operation.action) == ("FLT-5", "update")
    assert operation.fields == {"name": ["Excavator 5", "Wheel loader 5"]}
    assert run.summary["unchanged"] == 4


def test_a_plan_that_fails_half_way_leaves_no_run_behind(small_batches, fleet, monkeypatch):
    stored = []

    def store_then_fail(run_id, operations):
        stored.append(len(operations))
        if len(stored) == 2:
            raise RuntimeError("the database went away")
        return real_store(run_id, operations)

    real_store = plan_module.store_operations
    monkeypatch.setattr(plan_module, "store_operations", store_then_fail)
    with pytest.raises(RuntimeError, match="went away"):
        make_plan(trigger="test")
    assert not SyncRun.objects.exists()
    assert not SyncOperation.objects.exists()


def test_a_plan_whose_planner_died_is_removed_once_its_lease_ran_out(settings, fleet):
    settings.SYNC_STALLED_AFTER_S = 900
    # A worker killed mid-plan: its run stays "Being planned", some operations written.
    dead = make_plan(trigger="test")
    SyncRun.objects.filter(pk=dead.pk).update(
        status=RunStatus.PLANNING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    alive = make_plan(trigger="test")
    SyncRun.objects.filter(pk=alive.pk).update(status=RunStatus.PLANNING)
    assert alive.lease_until > timezone.now() + timedelta(seconds=800)  # each batch renews 15 minutes
    assert plan_module.remove_abandoned_plans() == 1
    assert list(SyncRun.objects.values_list("pk", flat=True)) == [alive.pk]
    assert not SyncOperation.objects.filter(run_id=dead.pk).exists()


def test_the_stale_check_finds_nothing_when_nothing_changed(fleet):
    run = make_plan(trigger="test")
    assert stale_operations(run) == []


def test_the_stale_check_ignores_a_save_that_leaves_the_payload_as_planned(fleet):
    run = make_plan(trigger="test")
    fleet["assets"][1].save()  # a newer updated_at, the same payload
    assert stale_operations(run) == []


def test_the_stale_check_names_a_record_whose_payload_changed(fleet):
    run = make_plan(trigger="test")
    asset = fleet["assets"][2]
    asset.name = "Renamed after the plan"
    asset.save()
    assert stale_operations(run) == ["asset_reference:FLT-3"]


def test_the_stale_check_names_rental_data_whose_contract_changed(fleet):
    run = make_plan(trigger="test")
    contract = fleet["contract"]
    contract.status = ContractStatus.COMPLETED
    contract.save()
    assert "asset:FLT-1" in stale_operations(run)


def test_the_stale_check_names_a_record_deleted_after_the_plan(fleet):
    run = make_plan(trigger="test")
    Asset.objects.filter(external_reference="FLT-4").delete()
    assert {"asset_reference:FLT-4", "asset:FLT-4"} <= set(stale_operations(run))


def test_the_stale_check_names_a_deleted_record_that_came_back(fleet):
    accept(make_plan(trigger="test"))
    depot = factories.depot(external_reference="DEP-2")
    accept(make_plan(trigger="test"))
    depot.delete()
    run = make_plan(trigger="test")
    assert [(op.kind, op.key, op.action) for op in run.operations.all()] == [("depot", "DEP-2", "delete")]
    factories.depot(external_reference="DEP-2")
    assert stale_operations(run) == ["depot:DEP-2"]


def test_a_large_plan_leaves_statistics_that_count_its_operations(fleet, monkeypatch):
    """The stale-plan check reads the new run's rows at once; planned by statistics that still described
    an earlier run's operations, it took over 9 minutes instead of 9 s on 300,000 of them."""
    monkeypatch.setattr(db_statistics, "ANALYZE_AFTER_ROWS", 10)
    run = make_plan(trigger="test")
    # A depot, a customer, 5 asset references, 5 assets' rental data, 1 assignment.
    assert run.operations.count() == 13
    assert table_rows_counted(SyncOperation) == 13


def test_a_plan_leaves_the_objects_its_process_held_out_of_garbage_collections(fleet):
    """Full collections rescanning the worker's long-lived objects were 1.1 s of a first plan's 8.5 s."""
    frozen_while_planning: list[int] = []
    make_plan(trigger="test", on_progress=lambda *_: frozen_while_planning.append(gc.get_freeze_count()))
    assert frozen_while_planning
    assert min(frozen_while_planning) > 1000
    assert gc.get_freeze_count() == 0
