"""The product's heart end to end: a real Redis, a real Celery worker, the sandbox over HTTP.

seed -> plan shows N creates -> apply -> Trackunit holds the local desired state -> plan shows nothing ->
one asset's rental status changes -> the plan shows exactly that field -> apply -> someone edits a
customer in Trackunit -> drift shows both sides.
"""

import pytest
from django.core.management import call_command

from assets.models import Asset, RentalStatus
from sync.apply import apply_plan
from sync.drift import compare, detect_drift
from sync.kinds import BY_NAME
from sync.models import RunStatus, SyncAttempt
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


def assert_trackunit_holds_the_desired_state(sandbox) -> None:
    state = sandbox.state()
    by_reference = {
        "customer": {c["externalReference"]: c for c in state["customers"]},
        "depot": {s["externalReference"]: s for s in state["sites"]},
        "definition": {d["key"]: d for d in state["custom_field_definitions"]},
        "asset_reference": {a["externalReference"]: a for a in state["assets"] if a["externalReference"]},
    }
    for kind_name, remote in by_reference.items():
        desired = list(BY_NAME[kind_name].desired())
        assert len(desired) > 0
        for item in desired:
            assert item.key in remote, f"{kind_name} {item.key} is not in Trackunit"
            assert compare(item.payload, remote[item.key]) == {}, f"{kind_name} {item.key}"
    asset_ids = {ref: a["id"] for ref, a in by_reference["asset_reference"].items()}
    rentals = {r["assetId"]: r for r in state["rental"]}
    for item in BY_NAME["asset"].desired():
        rental = rentals[asset_ids[item.key]]
        assert rental["rentalStatus"] == item.payload["rentalStatus"], item.key
        assert sorted(i["externalReference"] for i in rental["contractItems"]) == sorted(
            i["externalReference"] for i in item.payload["contractItems"]
        )
    customer_ids = {ref: c["id"] for ref, c in by_reference["customer"].items()}
    pairs = {(a["customerId"], a["assetId"]) for a in state["customer_assets"]}
    assert pairs == {
        (customer_ids[i.payload["customer"]], asset_ids[i.payload["asset"]])
        for i in BY_NAME["customer_asset"].desired()
    }
    contacts = {(c["customerId"], c["name"]) for c in state["contacts"]}
    for item in BY_NAME["contact"].desired():
        assert (customer_ids[item.key.split("/")[0]], item.payload["name"]) in contacts
    values = {(v["entityId"], v["key"]): v["value"] for v in state["custom_field_values"]}
    assert len(values) == sum(len(item.payload) for item in BY_NAME["custom_fields"].desired())


def test_seed_plan_apply_change_and_drift(
    transactional_db, roles, celery_worker, worker_sandbox, worker_settings
):
    call_command("seed_demo", password="e2e-pass-123")

    first = make_plan(trigger="e2e")
    summary = first.summary
    assert summary["create"] == first.operations.count() > 600
    assert (summary["update"], summary["delete"], summary["unchanged"]) == (0, 0, 0)

    apply_and_wait(first, celery_worker)
    assert_trackunit_holds_the_desired_state(worker_sandbox)
    assert SyncAttempt.objects.filter(run=first, outcome="success").count() >= first.operations.count()

    nothing = make_plan(trigger="e2e")
    assert nothing.summary == {"create": 0, "update": 0, "delete": 0, "unchanged": summary["create"]}

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
