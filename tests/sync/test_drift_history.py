"""Adopting Trackunit's value changes the local record: its history names the drift and the operator."""

import pytest

from customers.models import Customer
from sync.drift import resolve
from sync.models import DriftResolution, SyncDrift, SyncState, SyncStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_adopting_a_drift_is_recorded_with_its_reason_user_and_old_to_new(operator_user):
    factories.customer(external_reference="CUS-1", name="Nordbyg A/S")
    # What the nightly reconcile records when someone renamed the customer in Trackunit (see test_drift.py).
    SyncState.objects.create(
        kind="customer", key="CUS-1", payload={"name": "Nordbyg A/S"}, status=SyncStatus.DRIFT
    )
    drift = SyncDrift.objects.create(
        kind="customer",
        key="CUS-1",
        fields={"name": {"pushed": "Nordbyg A/S", "remote": "Nordbyg Group A/S"}},
    )

    resolve(drift, DriftResolution.ADOPT_REMOTE, user=operator_user)

    customer = Customer.objects.get(external_reference="CUS-1")
    adopted = customer.history.first()
    assert (adopted.history_type, adopted.history_user, adopted.history_change_reason) == (
        "~",
        operator_user,
        f"drift adoption (drift #{drift.pk})",
    )
    changes = {c.field: (c.old, c.new) for c in adopted.diff_against(adopted.prev_record).changes}
    assert changes == {"name": ("Nordbyg A/S", "Nordbyg Group A/S")}
