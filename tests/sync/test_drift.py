"""Drift: someone edits a pushed record in Trackunit; the operator sees both sides and decides."""

import pytest

from customers.models import Customer
from sync.drift import compare, detect_drift, resolve
from sync.models import DriftResolution, SyncDrift, SyncState, SyncStatus
from sync.plan import make_plan
from tests import factories

pytestmark = pytest.mark.django_db


def test_compare_ignores_what_trackunit_adds_and_empty_equivalents():
    pushed = {"name": "Nordbyg", "phone": None, "address": {"city": "Vejle", "postalCode": None}, "max": 5.0}
    remote = {"id": "x", "name": "Nordbyg", "address": {"city": "Vejle"}, "max": 5, "status": "ACTIVE"}
    assert compare(pushed, remote) == {}
    assert compare({"name": "Nordbyg"}, {"name": "Nordbyg Group"}) == {
        "name": {"pushed": "Nordbyg", "remote": "Nordbyg Group"}
    }


@pytest.fixture
def pushed_customer(push, sandbox):
    factories.customer(external_reference="CUS-1", name="Nordbyg A/S", phone="+45 7020 3040")
    push()
    remote = next(c for c in sandbox.state()["customers"] if c["externalReference"] == "CUS-1")
    sandbox.api(
        "PATCH", f"/customer/v1/customers/{remote['id']}", json={"name": "Nordbyg Group A/S"}
    ).raise_for_status()
    return remote


def test_a_remote_edit_is_reported_with_both_sides(pushed_customer):
    [drift] = detect_drift(trigger="test")
    assert (drift.kind, drift.key) == ("customer", "CUS-1")
    assert drift.fields == {"name": {"pushed": "Nordbyg A/S", "remote": "Nordbyg Group A/S"}}
    assert SyncState.objects.get(kind="customer", key="CUS-1").status == SyncStatus.DRIFT
    assert detect_drift(trigger="test")[0].pk == drift.pk  # found again, not duplicated
    assert SyncDrift.objects.count() == 1


def test_overwriting_trackunit_pushes_the_local_value_back(pushed_customer, push, sandbox):
    [drift] = detect_drift(trigger="test")
    resolve(drift, DriftResolution.OVERWRITE_REMOTE)
    plan = make_plan(trigger="test")
    assert list(plan.operations.values_list("kind", "key", "fields")) == [
        ("customer", "CUS-1", {"name": ["Nordbyg Group A/S", "Nordbyg A/S"]})
    ]
    push(plan)
    remote = next(c for c in sandbox.state()["customers"] if c["externalReference"] == "CUS-1")
    assert remote["name"] == "Nordbyg A/S"
    assert detect_drift(trigger="test") == []


def test_adopting_takes_trackunits_value_locally(pushed_customer):
    [drift] = detect_drift(trigger="test")
    resolve(drift, DriftResolution.ADOPT_REMOTE)
    assert Customer.objects.get(external_reference="CUS-1").name == "Nordbyg Group A/S"
    assert SyncState.objects.get(kind="customer", key="CUS-1").status == SyncStatus.IN_SYNC
    assert make_plan(trigger="test").summary["update"] == 0
    drift.refresh_from_db()
    assert drift.resolution == DriftResolution.ADOPT_REMOTE
