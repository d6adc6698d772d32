"""Planning: the diff between local data and what Trackunit last accepted, without sending anything."""

from datetime import date

import pytest

from assets.models import Asset, RentalStatus
from contracts.models import ContractStatus
from customers.models import CustomerContact
from sync import ledger
from sync.kinds import BY_NAME
from sync.models import SyncOperation, SyncRun, SyncState, SyncStatus
from sync.plan import make_plan, plan_as_json
from tests import factories

pytestmark = pytest.mark.django_db


def accept(run: SyncRun) -> None:
    """Pretend Trackunit accepted every operation of the plan, as the applier records it."""
    for op in run.operations.all():
        if op.action == "delete":
            ledger.forget(op.kind, op.key)
        else:
            ledger.record_accepted(
                op.kind,
                op.key,
                payload=op.payload,
                payload_hash=op.payload_hash,
                version=op.source_version,
                remote_id=f"remote-{op.kind}-{op.key}",
                mapping_version=BY_NAME[op.kind].mapping_version,
            )


@pytest.fixture
def rental_business():
    depot = factories.depot(external_reference="DEP-1")
    customer = factories.customer(external_reference="CUS-1", name="Nordbyg A/S")
    CustomerContact.objects.create(customer=customer, name="Service desk", role="Call centre")
    asset = factories.asset(
        external_reference="FLT-1", owning_depot=depot, rental_status=RentalStatus.ON_RENT
    )
    idle = factories.asset(external_reference="FLT-2", owning_depot=depot)
    contract = factories.contract(customer=customer, external_reference="RC-1")
    factories.item(
        contract,
        asset,
        date(2026, 3, 1),
        hiring_depot=depot,
        rate_amount=450,
        rate_currency="EUR",
        rate_period="DAY",
    )
    return {"depot": depot, "customer": customer, "asset": asset, "idle": idle, "contract": contract}


def operations(run: SyncRun) -> list[tuple[str, str, str]]:
    return list(run.operations.order_by("phase", "id").values_list("kind", "key", "action"))


def test_first_plan_creates_everything_in_dependency_order(rental_business):
    run = make_plan(trigger="test")
    assert operations(run) == [
        ("depot", "DEP-1", "create"),
        ("customer", "CUS-1", "create"),
        ("contact", "CUS-1/Service desk", "create"),
        ("asset_reference", "FLT-1", "create"),
        ("asset_reference", "FLT-2", "create"),
        ("asset", "FLT-1", "create"),
        ("asset", "FLT-2", "create"),
        ("customer_asset", "CUS-1/FLT-1", "create"),
    ]
    assert run.summary == {"create": 8, "update": 0, "delete": 0, "unchanged": 0, "skipped": 0}
    assert run.status == "planned"


def test_rental_payload_carries_status_depot_and_current_items(rental_business):
    run = make_plan(trigger="test")
    payload = run.operations.get(kind="asset", key="FLT-1").payload
    assert payload["rentalStatus"] == "ON_RENT"
    assert payload["owningDepot"] == {"externalReference": "DEP-1"}
    [item] = payload["contractItems"]
    assert item["onRentDate"] == "2026-03-01T00:00:00+00:00"
    assert item["rentalRate"] == {"unitPrice": 450.0, "currency": "EUR", "period": "DAILY"}
    assert item["contract"]["customer"] == {
        "externalReference": "CUS-1",
        "name": "Nordbyg A/S",
        "type": "CONTRACTOR",
    }
    depends = run.operations.get(kind="asset", key="FLT-1").depends_on
    assert depends == ["asset_reference:FLT-1", "customer:CUS-1", "depot:DEP-1"]


def test_nothing_changed_means_nothing_planned(rental_business):
    accept(make_plan(trigger="test"))
    run = make_plan(trigger="test")
    assert operations(run) == []
    assert run.summary == {"create": 0, "update": 0, "delete": 0, "unchanged": 8, "skipped": 0}


def test_an_asset_a_customer_rents_twice_is_one_unchanged_assignment():
    customer = factories.customer(external_reference="CUS-1")
    asset = factories.asset(external_reference="FLT-1")
    march = factories.contract(customer=customer, external_reference="RC-1")
    may = factories.contract(customer=customer, external_reference="RC-2")
    factories.item(march, asset, date(2026, 3, 1), date(2026, 3, 31))
    factories.item(may, asset, date(2026, 5, 1))
    accept(make_plan(trigger="test"))
    run = make_plan(trigger="test")
    # The customer, the asset's reference, its rental data and one customer/asset assignment.
    assert run.summary == {"create": 0, "update": 0, "delete": 0, "unchanged": 4, "skipped": 0}


def test_one_changed_field_is_exactly_what_is_planned(rental_business):
    accept(make_plan(trigger="test"))
    idle = rental_business["idle"]
    idle.rental_status = RentalStatus.IN_REPAIR
    idle.save()
    plan = plan_as_json(make_plan(trigger="test"))
    assert plan["operations"] == [
        {
            "entity": "asset",
            "key": "FLT-2",
            "action": "update",
            "fields": {"rentalStatus": ["AVAILABLE", "IN_REPAIR"]},
        }
    ]
    assert plan["summary"] == {"create": 0, "update": 1, "delete": 0, "unchanged": 7, "skipped": 0}


def test_a_customer_rename_reaches_the_rental_data_that_embeds_it(rental_business):
    accept(make_plan(trigger="test"))
    customer = rental_business["customer"]
    customer.name = "Nordbyg Entreprise A/S"
    customer.save()
    run = make_plan(trigger="test")
    assert operations(run) == [("customer", "CUS-1", "update"), ("asset", "FLT-1", "update")]
    assert run.operations.get(kind="customer").fields == {"name": ["Nordbyg A/S", "Nordbyg Entreprise A/S"]}


def test_touched_but_unchanged_records_are_not_planned_and_cost_nothing_next_time(rental_business):
    accept(make_plan(trigger="test"))
    Asset.objects.get(external_reference="FLT-2").save()  # a save that changes nothing
    assert operations(make_plan(trigger="test")) == []
    state = SyncState.objects.get(kind="asset", key="FLT-2")
    assert state.source_version == Asset.objects.get(external_reference="FLT-2").updated_at


def test_closing_a_contract_removes_its_items_and_sends_no_undocumented_unassign(rental_business):
    accept(make_plan(trigger="test"))
    contract = rental_business["contract"]
    contract.status = ContractStatus.COMPLETED
    contract.save()
    run = make_plan(trigger="test")
    # Trackunit publishes no way to remove an assignment (changelogs/customer-api-v1.md); contracts do the
    # un-assigning (custom-erp-integration-guide.md), so only the asset's rental data changes.
    assert operations(run) == [("asset", "FLT-1", "update")]
    assert run.operations.get(kind="asset").payload["contractItems"] == []


def test_deleted_records_are_deleted_children_first(rental_business):
    accept(make_plan(trigger="test"))
    CustomerContact.objects.all().delete()
    run = make_plan(trigger="test")
    assert operations(run) == [("contact", "CUS-1/Service desk", "delete")]


def test_a_deleted_contract_item_reaches_its_asset(rental_business):
    accept(make_plan(trigger="test"))
    from django.db import transaction

    with transaction.atomic():
        rental_business["contract"].items.all().delete()
    kinds = {(kind, action) for kind, _, action in operations(make_plan(trigger="test"))}
    assert ("asset", "update") in kinds


def test_a_failed_record_is_planned_again_never_skipped(rental_business):
    accept(make_plan(trigger="test"))
    rental_business["idle"].rental_status = RentalStatus.RESERVED
    rental_business["idle"].save()
    make_plan(trigger="test")
    ledger.record_failed("asset", "FLT-2", "server_error: boom")
    assert operations(make_plan(trigger="test")) == [("asset", "FLT-2", "update")]
    assert operations(make_plan(trigger="test", only_failed=True)) == [("asset", "FLT-2", "update")]


def test_a_new_mapping_version_resyncs_the_whole_kind(rental_business, monkeypatch):
    accept(make_plan(trigger="test"))
    monkeypatch.setattr(type(BY_NAME["customer"]), "mapping_version", 2)
    assert operations(make_plan(trigger="test")) == [("customer", "CUS-1", "update")]


def test_drifted_records_wait_for_the_operator(rental_business):
    accept(make_plan(trigger="test"))
    SyncState.objects.filter(kind="customer").update(status=SyncStatus.DRIFT)
    assert operations(make_plan(trigger="test")) == []


def test_plan_sends_nothing_and_records_no_attempt(rental_business):
    from sync.models import SyncAttempt

    make_plan(trigger="test")
    assert SyncAttempt.objects.count() == 0
    assert SyncOperation.objects.filter(status="pending").count() == 8
