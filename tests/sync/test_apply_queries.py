"""What pushing one operation costs the database (issue 13: at 100 req/s the push was bound by the machine,
not by Trackunit's limit, so every query per operation counts)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import Asset, RentalStatus
from contracts.models import Contract
from sync import apply
from sync.models import OperationStatus, RunStatus, SyncOperation
from tests import factories
from tests.sync.test_apply import remote_fleet

pytestmark = pytest.mark.django_db

# Pushing one rental operation, query by query: its claim; the ownership check (three queries when the
# account shares assets, as the sandbox's does); the audit row of its one exchange (its transaction, the
# chain's lock, the previous row's hash, the insert); the ledger's upsert; the outcome, which also hands
# the claim back.
PER_OPERATION = 1 + 3 + 5 + 1 + 1
# Once per chunk: the run, its pending operations, their failed prerequisites and their ledger entries.
PER_CHUNK = 4
# The one UPDATE that keeps the Trackunit ids of the rented asset's contracts.
CONTRACT_IDS = 1


@pytest.fixture
def rented_fleet(sandbox):
    depot = factories.depot(external_reference="DEP-Q", name="Aarhus Nord", city="Trige", country="DK")
    customer = factories.customer(external_reference="CUS-Q", name="Nordbyg A/S")
    assets = [
        factories.asset(external_reference=f"Q-{n}", serial_number=remote["serialNumber"], owning_depot=depot)
        for n, remote in enumerate(remote_fleet(sandbox, 4))
    ]
    # One asset on two contracts, one after the other.
    for reference, on, off in (
        ("RC-Q1", date(2026, 3, 1), date(2026, 3, 10)),
        ("RC-Q2", date(2026, 3, 10), None),
    ):
        contract = factories.contract(customer=customer, external_reference=reference, start_date=on)
        factories.item(contract, assets[0], on, off)
    return assets


def chunk_queries(monkeypatch, phase: int) -> list[list[str]]:
    """The SQL of every chunk of `phase` the next push runs, chunk by chunk."""
    chunks: list[list[str]] = []
    real = apply._push_chunk

    def counting(run_id: int, chunk_phase: int, operation_ids: list[int]) -> bool:
        if chunk_phase != phase:
            return real(run_id, chunk_phase, operation_ids)
        with CaptureQueriesContext(connection) as queries:
            result = real(run_id, chunk_phase, operation_ids)
        chunks.append([query["sql"] for query in queries.captured_queries])
        return result

    monkeypatch.setattr(apply, "_push_chunk", counting)
    return chunks


def test_a_pushed_rental_operation_costs_a_fixed_handful_of_queries(rented_fleet, push, monkeypatch):
    rental_phase = 6
    chunks = chunk_queries(monkeypatch, rental_phase)
    run = push()
    assert run.status == RunStatus.SUCCEEDED, list(run.operations.values_list("kind", "key", "error_message"))
    [first] = chunks
    # Both contracts of the rented asset got their Trackunit id from its one push, in one UPDATE.
    assert Contract.objects.filter(trackunit_id__isnull=True).count() == 0
    assert sum(sql.startswith('UPDATE "contracts_contract"') for sql in first) == 1
    assert len(first) <= PER_CHUNK + 4 * PER_OPERATION + CONTRACT_IDS

    # Every asset's rental data changes; its contracts already have their ids.
    for asset in Asset.objects.all():
        asset.rental_status = RentalStatus.ON_RENT
        asset.save()
    chunks.clear()
    run = push()
    assert run.status == RunStatus.SUCCEEDED
    [again] = chunks
    assert run.operations.filter(phase=rental_phase).count() == 4
    assert len(again) <= PER_CHUNK + 4 * PER_OPERATION + CONTRACT_IDS
    # The outcome's UPDATE handed every claim back.
    assert not SyncOperation.objects.filter(claimed_until__isnull=False).exists()
    assert set(run.operations.values_list("status", flat=True)) == {OperationStatus.SUCCEEDED}
