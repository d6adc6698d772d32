"""The ledger's record of an accepted push replaces whatever the record's row held before."""

from datetime import UTC, datetime

import pytest

from sync import ledger
from sync.models import SyncState, SyncStatus

pytestmark = pytest.mark.django_db

VERSION = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def accept(payload: dict, remote_id: str = "tu-1") -> None:
    ledger.record_accepted(
        "customer",
        "CUS-1",
        payload=payload,
        payload_hash=f"hash-{payload['name']}",
        version=VERSION,
        remote_id=remote_id,
        mapping_version=3,
    )


def test_an_accepted_push_clears_the_failures_of_the_record_before_it(settings):
    settings.SYNC_SET_ASIDE_AFTER_FAILURES = 3
    accept({"name": "Nordbyg"})
    ledger.record_failed("customer", "CUS-1", "invalid: phone", failed_hash="hash-Nordbyg A/S")
    ledger.record_failed("customer", "CUS-1", "invalid: phone", failed_hash="hash-Nordbyg A/S")
    failed = SyncState.objects.get(kind="customer", key="CUS-1")
    assert (failed.status, failed.failures) == (SyncStatus.FAILED, 2)

    accept({"name": "Nordbyg A/S"}, remote_id="tu-2")

    [state] = SyncState.objects.all()
    assert (state.kind, state.key, state.status) == ("customer", "CUS-1", SyncStatus.IN_SYNC)
    assert (state.payload, state.payload_hash, state.remote_id) == (
        {"name": "Nordbyg A/S"},
        "hash-Nordbyg A/S",
        "tu-2",
    )
    assert (state.source_version, state.mapping_version) == (VERSION, 3)
    assert (state.failures, state.failed_hash, state.last_error) == (0, "", "")
    assert state.updated_at > failed.updated_at
    assert state.synced_at >= failed.updated_at


def test_the_first_accepted_push_of_a_record_creates_its_row():
    accept({"name": "Nordbyg"})
    state = SyncState.objects.get(kind="customer", key="CUS-1")
    assert (state.status, state.remote_id, state.payload) == (SyncStatus.IN_SYNC, "tu-1", {"name": "Nordbyg"})
    assert ledger.accepted_of([("customer", "CUS-1"), ("customer", "CUS-2"), ("depot", "CUS-1")]) == {
        ("customer", "CUS-1"): ledger.Accepted({"name": "Nordbyg"}, "tu-1")
    }
