"""The product's heart end to end: a real Redis, a real Celery worker, the sandbox over HTTP.

seed -> plan shows N creates -> apply -> Trackunit holds every local record -> plan shows nothing ->
one asset's rental status changes -> the plan shows exactly that field -> apply -> someone edits a
customer in Trackunit -> drift shows both sides.
"""

import pytest
from django.core.management import call_command

from assets.models import Asset, Depot, RentalStatus
from contracts.models import ContractItem, ContractStatus
from customers.models import Customer, CustomerContact
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.customfields.standard import STANDARD_FIELDS
from sync.apply import apply_plan
from sync.drift import detect_drift
from sync.models import RunStatus, SyncAttempt, SyncState
from sync.plan import make_plan, plan_as_json
from sync.service import DONE

pytestmark = pytest.mark.e2e


@pytest.fixture
def worker_settings(settings, worker_sandbox):
    """This process talks to the same sandbox as the worker (for drift detection)."""
    for name, value in worker_sandbox.client_environment().items():
        setattr(settings, name, value)
    settings.TRACKUNIT_RATE_LIMITS = {}
    worker_sandbox.reset()
    return settings


def apply_and_wait(run, celery_worker):
    apply_plan(run)
    celery_worker.wait_for(lambda: run.__class__.objects.get(pk=run.pk).status in DONE, timeout=180)
    run.refresh_from_db()
    problems = list(
        run.operations.exclude(status="succeeded").values_list("kind", "key", "error_message")[:5]
    )
    assert run.status == RunStatus.SUCCEEDED, problems
    return run


def assert_trackunit_holds_the_local_records(sandbox) -> None:
    """Each local record, read from the database, against what the sandbox stored (never via desired())."""
    state = sandbox.state()
    customers = {c["externalReference"]: c for c in state["customers"]}
    for customer in Customer.objects.all():
        remote = customers[customer.external_reference]
        assert (remote["name"], remote["type"]) == (customer.name, customer.type), customer
        assert remote.get("email") == (customer.email or None)
    sites = {s["externalReference"]: s for s in state["sites"]}
    for depot in Depot.objects.all():
        site = sites[depot.external_reference]
        assert (site["name"], site["type"], site["status"]) == (depot.name, "DEPOT", "ACTIVE")
        assert (site.get("address") or {}).get("city") == (depot.city or None)
    definitions = {d.get("key"): d for d in state["custom_field_definitions"]}
    for definition in CustomFieldDefinition.objects.all():
        remote = definitions[definition.key]
        assert (remote["type"], remote["entityType"]) == (definition.type, definition.entity_type)
        if definition.key not in STANDARD_FIELDS:
            assert remote["translations"][0]["title"] == definition.title
    remote_assets = {a["externalReference"]: a for a in state["assets"] if a["externalReference"]}
    for asset in Asset.objects.all():
        remote = remote_assets[asset.external_reference]
        assert remote["name"] == asset.name
        assert remote["id"] == str(asset.trackunit_asset_id)
    rentals = {r["assetId"]: r for r in state["rental"]}
    current = ContractItem.objects.filter(contract__status__in=(ContractStatus.OPEN, ContractStatus.RESERVED))
    for asset in Asset.objects.all():
        rental = rentals[str(asset.trackunit_asset_id)]
        assert rental["rentalStatus"] == asset.rental_status, asset
        local_items = sorted(current.filter(asset=asset).values_list("external_reference", flat=True))
        assert sorted(i["externalReference"] for i in rental["contractItems"]) == local_items
    customer_ids = {ref: c["id"] for ref, c in customers.items()}
    open_items = ContractItem.objects.filter(contract__status=ContractStatus.OPEN)
    expected_pairs = {
        (customer_ids[customer], str(asset_id))
        for customer, asset_id in open_items.values_list(
            "contract__customer__external_reference", "asset__trackunit_asset_id"
        )
    }
    assert {(a["customerId"], a["assetId"]) for a in state["customer_assets"]} == expected_pairs
    contacts = {(c["customerId"], c["name"]) for c in state["contacts"]}
    for contact in CustomerContact.objects.select_related("customer"):
        assert (customer_ids[contact.customer.external_reference], contact.name) in contacts
    remote_values = {(v["entityId"], v["definitionKey"]): v["value"] for v in state["custom_field_values"]}
    local_values = CustomFieldValue.objects.select_related("definition")
    expected = {(_trackunit_id(value), value.definition.key): value for value in local_values}
    # Named, so a value that went missing says which record and field it was and what the ledger holds.
    missing = [
        (value.definition.entity_type, value.record.external_reference, key, _ledger_of(value))
        for (entity_id, key), value in expected.items()
        if (entity_id, key) not in remote_values
    ]
    assert missing == []
    assert len(remote_values) == len(expected) == local_values.count()
    for value in local_values.filter(definition__entity_type="ASSET"):
        asset = Asset.objects.get(pk=value.object_id)
        assert remote_values[(str(asset.trackunit_asset_id), value.definition.key)] == value.value


def _trackunit_id(value: CustomFieldValue) -> str:
    """The Trackunit id of the record a custom-field value belongs to."""
    field = {"ASSET": "trackunit_asset_id", "SITE": "trackunit_site_id"}.get(
        value.definition.entity_type, "trackunit_id"
    )
    return str(getattr(value.record, field))


def _ledger_of(value: CustomFieldValue) -> tuple:
    key = f"{value.definition.entity_type}:{value.record.external_reference}"
    return tuple(SyncState.objects.filter(kind="custom_fields", key=key).values_list("status", "remote_id"))


def test_seed_plan_apply_change_and_drift(
    transactional_db, roles, celery_worker, worker_sandbox, worker_settings
):
    call_command("seed_demo", password="e2e-pass-123")

    first = make_plan(trigger="e2e")
    summary = first.summary
    assert summary["create"] == first.operations.count() > 600
    assert (summary["update"], summary["delete"], summary["unchanged"], summary["skipped"]) == (0, 0, 0, 0)

    apply_and_wait(first, celery_worker)
    assert_trackunit_holds_the_local_records(worker_sandbox)
    assert SyncAttempt.objects.filter(run=first, outcome="success").count() >= first.operations.count()

    nothing = make_plan(trigger="e2e")
    assert nothing.summary == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "unchanged": summary["create"],
        "skipped": 0,
    }

    asset = Asset.objects.filter(rental_status=RentalStatus.AVAILABLE).order_by("external_reference").first()
    asset.rental_status = RentalStatus.IN_REPAIR
    asset.save()
    one_change = make_plan(trigger="e2e")
    assert plan_as_json(one_change)["operations"] == [
        {
            "entity": "asset",
            "key": asset.external_reference,
            "action": "update",
            "fields": {"rentalStatus": ["AVAILABLE", "IN_REPAIR"]},
        }
    ]
    apply_and_wait(one_change, celery_worker)
    remote_asset = next(
        a for a in worker_sandbox.state()["assets"] if a["externalReference"] == asset.external_reference
    )
    rental = next(r for r in worker_sandbox.state()["rental"] if r["assetId"] == remote_asset["id"])
    assert rental["rentalStatus"] == "IN_REPAIR"

    customer = next(c for c in worker_sandbox.state()["customers"] if c["externalReference"] == "CUS-0007")
    worker_sandbox.api("PATCH", f"/customer/v1/customers/{customer['id']}", json={"phone": "+45 1111 2222"})
    [drift] = detect_drift(trigger="e2e")
    assert (drift.kind, drift.key) == ("customer", "CUS-0007")
    assert drift.fields == {"phone": {"pushed": customer["phone"], "remote": "+45 1111 2222"}}
