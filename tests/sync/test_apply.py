"""Applying plans against the sandbox over real HTTP (Celery runs the tasks in this process here;
tests/e2e/test_sync_e2e.py drives a real worker)."""

from datetime import date

import pytest

from assets.models import Asset, IdentifierType, RentalStatus
from customers.models import Customer, CustomerContact
from sync.apply import PlanNotApplicable
from sync.models import OperationStatus, RunStatus, SyncAttempt, SyncRun, SyncState, SyncStatus
from sync.plan import make_plan
from tests import factories

pytestmark = pytest.mark.django_db


def remote_fleet(sandbox, count: int) -> list[dict]:
    return [a for a in sandbox.state()["assets"] if a["permissions"]["edit"]][:count]


@pytest.fixture
def business(sandbox):
    """Local ERP data for machines the sandbox (Trackunit) knows by serial number."""
    depot = factories.depot(external_reference="DEP-AAR", name="Aarhus Nord", city="Trige", country="DK")
    customer = factories.customer(external_reference="CUS-1", name="Nordbyg A/S", email="info@nordbyg.dk")
    CustomerContact.objects.create(
        customer=customer, name="Service desk", role="Call centre", phone="+45 7020 3040"
    )
    assets = [
        factories.asset(
            external_reference=f"FLT-{n}",
            name=f"Machine {n}",
            serial_number=remote["serialNumber"],
            owning_depot=depot,
            identifier_type=IdentifierType.SERIAL_NUMBER if n % 2 else IdentifierType.EXTERNAL_REFERENCE,
        )
        for n, remote in enumerate(remote_fleet(sandbox, 4), start=1)
    ]
    contract = factories.contract(customer=customer, external_reference="RC-1", start_date=date(2026, 3, 1))
    factories.item(
        contract,
        assets[0],
        date(2026, 3, 1),
        hiring_depot=depot,
        rate_amount=300,
        rate_currency="EUR",
        rate_period="DAY",
    )
    Asset.objects.filter(pk=assets[0].pk).update(rental_status=RentalStatus.ON_RENT)
    return {"depot": depot, "customer": customer, "assets": assets, "contract": contract}


def test_apply_pushes_everything_and_trackunit_then_matches(business, push, sandbox):
    run = push()
    assert run.status == RunStatus.SUCCEEDED, list(
        run.operations.exclude(status="succeeded").values("kind", "key", "error_message")
    )
    state = sandbox.state()
    [customer] = [c for c in state["customers"] if c["externalReference"] == "CUS-1"]
    assert (customer["name"], customer["email"]) == ("Nordbyg A/S", "info@nordbyg.dk")
    assert [c["name"] for c in state["contacts"] if c["customerId"] == customer["id"]] == ["Service desk"]
    [site] = [s for s in state["sites"] if s["externalReference"] == "DEP-AAR"]
    assert (site["type"], site["name"]) == ("DEPOT", "Aarhus Nord")
    by_reference = {a["externalReference"]: a for a in state["assets"] if a["externalReference"]}
    assert sorted(by_reference) == ["FLT-1", "FLT-2", "FLT-3", "FLT-4"]
    rented = next(r for r in state["rental"] if r["assetId"] == by_reference["FLT-1"]["id"])
    assert rented["rentalStatus"] == "ON_RENT"
    assert [i["externalReference"] for i in rented["contractItems"]] == [
        business["contract"].items.get().external_reference
    ]
    assert {(a["customerId"], a["assetId"]) for a in state["customer_assets"]} == {
        (customer["id"], by_reference["FLT-1"]["id"])
    }
    # The ledger and the records now hold Trackunit's ids.
    assert Customer.objects.get(external_reference="CUS-1").trackunit_id is not None
    assert SyncState.objects.filter(status=SyncStatus.IN_SYNC).count() == run.operations.count()
    # And a new plan has nothing to do.
    assert make_plan(trigger="test").summary["create"] + make_plan(trigger="test").summary["update"] == 0


def test_every_exchange_is_audited_without_secrets(business, push, sandbox, trackunit_settings):
    run = push()
    attempts = SyncAttempt.objects.filter(run=run)
    assert attempts.filter(operation__isnull=False).count() >= run.operations.count()
    assert set(attempts.values_list("outcome", flat=True)) == {"success"}
    everything = " ".join(f"{a.url} {a.request_body} {a.response_body}" for a in SyncAttempt.objects.all())
    for secret in (sandbox.client_secret, sandbox.password):
        assert secret not in everything
    customer_push = attempts.get(kind="customer", key="CUS-1", method="POST")
    assert (
        '"externalReference": "CUS-1"' in customer_push.request_body
        or '"externalReference":"CUS-1"' in customer_push.request_body
    )
    assert customer_push.status_code == 201
    assert customer_push.triggered_by == "test"


def test_a_skipped_parent_skips_its_children_and_the_rest_goes_on(business, push, sandbox):
    # An asset another account owns: its reference is never sent, so neither is its rental data.
    foreign = next(a for a in sandbox.state()["assets"] if not a["permissions"]["edit"])
    stranger = factories.asset(external_reference="FLT-X", serial_number=foreign["serialNumber"])
    Asset.objects.filter(pk=stranger.pk).update(trackunit_asset_id=foreign["id"])
    run = push()
    assert run.status == RunStatus.FAILED
    reference = run.operations.get(kind="asset_reference", key="FLT-X")
    assert (reference.status, reference.error_code) == (OperationStatus.SKIPPED, "foreign_asset")
    rental = run.operations.get(kind="asset", key="FLT-X")
    assert rental.status == OperationStatus.SKIPPED
    assert not SyncAttempt.objects.filter(run=run, key="FLT-X").exists()
    assert run.operations.filter(status=OperationStatus.SUCCEEDED).count() == run.operations.count() - 2
    assert SyncState.objects.get(kind="asset_reference", key="FLT-X").status == SyncStatus.FAILED
    # The record is planned again next time, skipped before anything is sent; the rest is in sync.
    again = make_plan(trigger="test")
    assert sorted(again.operations.values_list("kind", "key", "status")) == [
        ("asset", "FLT-X", OperationStatus.SKIPPED),
        ("asset_reference", "FLT-X", OperationStatus.SKIPPED),
    ]


def test_faults_slow_the_push_down_but_every_operation_lands(business, push, sandbox):
    sandbox.set_faults(error_rate=0.2, storm_429_rate=0.2, seed=7)
    run = push()
    assert run.status == RunStatus.SUCCEEDED
    retried = SyncAttempt.objects.filter(run=run, outcome="http_error")
    assert retried.exists()
    assert set(retried.values_list("status_code", flat=True)) <= {429, 500, 503}


def test_an_interrupted_create_is_not_duplicated(business, push, sandbox):
    # A worker created the customer and died before the ledger heard of it.
    sandbox.api(
        "POST",
        "/customer/v1/customers",
        json={"name": "Nordbyg A/S", "type": "CONTRACTOR", "externalReference": "CUS-1"},
    )
    run = push()
    assert run.status == RunStatus.SUCCEEDED
    assert [c["externalReference"] for c in sandbox.state()["customers"]].count("CUS-1") == 1


def test_a_plan_is_refused_as_stale_when_its_records_changed(business, push):
    run = make_plan(trigger="test")
    customer = business["customer"]
    customer.phone = "+45 1234 5678"
    customer.save()
    with pytest.raises(PlanNotApplicable, match="customer:CUS-1"):
        push(run)
    run.refresh_from_db()
    assert run.status == RunStatus.STALE
    assert not SyncAttempt.objects.filter(run=run).exists()


def test_a_plan_is_applied_exactly_as_reviewed(business, push, sandbox):
    run = make_plan(trigger="test")
    Asset.objects.create(
        name="Bought after the plan", external_reference="FLT-NEW"
    )  # not covered by the plan
    push(run)
    assert "FLT-NEW" not in {a["externalReference"] for a in sandbox.state()["assets"]}
    assert not run.operations.filter(key="FLT-NEW").exists()


def test_a_run_whose_tasks_were_lost_is_closed_and_its_records_planned_again(business, trackunit_settings):
    from datetime import timedelta

    from django.utils import timezone

    from sync.apply import abandon_stalled_runs

    run = make_plan(trigger="test")
    SyncRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, applied_at=timezone.now() - timedelta(hours=1)
    )
    fresh = make_plan(trigger="test")
    SyncRun.objects.filter(pk=fresh.pk).update(status=RunStatus.RUNNING, applied_at=timezone.now())

    assert abandon_stalled_runs(timedelta(minutes=15)) == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert set(run.operations.values_list("status", "error_code").distinct()) == {
        (OperationStatus.SKIPPED, "abandoned")
    }
    assert SyncRun.objects.get(pk=fresh.pk).status == RunStatus.RUNNING
    assert make_plan(trigger="test").summary["create"] == run.summary["create"]


def test_references_containing_the_key_separator_still_sync(push, sandbox):
    remote = remote_fleet(sandbox, 1)[0]
    customer = factories.customer(external_reference="CUS/7", name="Slash & Co")
    CustomerContact.objects.create(customer=customer, name="Site office/North")
    asset = factories.asset(external_reference="FLT/7", serial_number=remote["serialNumber"])
    factories.item(factories.contract(customer=customer), asset, date(2026, 3, 1))
    run = push()
    assert run.status == RunStatus.SUCCEEDED, list(run.operations.values_list("kind", "key", "error_message"))
    assert run.operations.filter(kind="customer_asset", key="CUS/7/FLT/7").exists()
    assert make_plan(trigger="test").summary == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "unchanged": 5,
        "skipped": 0,
    }
