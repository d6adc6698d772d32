"""Two saves at the same moment cannot both put one asset on overlapping rentals of open contracts.

Each save path is driven from two threads, each with its own database connection, held at a barrier so
that both have passed their other checks before either checks the overlap: exactly one may win. The
database's own guarantee (PostgreSQL's exclusion constraint) is tested on its own, without the application.
"""

import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from contracts import admin as contracts_admin
from contracts import overlaps
from contracts.models import Contract, ContractItem, ContractStatus
from contracts.resources import ContractItemResource
from rentalbridge.imports.engine import ImportReport, run_import
from rentalbridge.imports.registry import resource_for
from tests import factories

THREAD_TIMEOUT_S = 30
OVERLAP = "would be on two overlapping rentals"
CONSTRAINT = "item_open_rentals_do_not_overlap"


def in_threads(*jobs: Callable[[], object]) -> list[object]:
    """Run each job in its own thread and connection; its result, or the exception it raised, in order."""
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT_S)
        assert not thread.is_alive(), "a save hung"
    return results


def held_at(barrier: threading.Barrier, function: Callable) -> Callable:
    """`function`, entered only once every thread has reached it."""

    def wrapper(*args, **kwargs):
        barrier.wait(THREAD_TIMEOUT_S)
        return function(*args, **kwargs)

    return wrapper


def wait_for_a_blocked_session() -> None:
    """Return once another session of this database waits for a lock (or fail after a while)."""
    deadline = time.monotonic() + THREAD_TIMEOUT_S
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees one frozen snapshot
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second save never waited for the first")


def new_item(contract: Contract, asset, on: date, off: date | None = None) -> ContractItem:
    return ContractItem(
        contract=contract, asset=asset, on_rent_date=on, off_rent_date=off, external_reference="01"
    )


# --- the lock ----------------------------------------------------------------------------------------------


def test_a_second_check_waits_for_the_first_save_and_then_refuses(transactional_db):
    asset = factories.asset(name="Volvo EC220E", external_reference="FLT-7")
    first_contract = factories.contract(external_reference="RC-FIRST")
    second_contract = factories.contract(external_reference="RC-SECOND")
    first_checked = threading.Event()

    def first():
        with transaction.atomic():
            item = new_item(first_contract, asset, date(2026, 5, 1), date(2026, 5, 31))
            item.full_clean()
            first_checked.set()
            wait_for_a_blocked_session()  # the second check queues behind this one's lock on the asset
            item.save()
        return "saved"

    def second():
        assert first_checked.wait(THREAD_TIMEOUT_S)
        with transaction.atomic():
            item = new_item(second_contract, asset, date(2026, 5, 20))
            item.full_clean()
            item.save()
        return "saved"

    first_result, second_result = in_threads(first, second)

    assert first_result == "saved"
    assert isinstance(second_result, ValidationError), second_result
    assert "Volvo EC220E (FLT-7)" in str(second_result)
    assert "contract RC-FIRST" in str(second_result)
    assert list(ContractItem.objects.values_list("contract__external_reference", flat=True)) == ["RC-FIRST"]


# --- the save paths --------------------------------------------------------------------------------------


def item_form(contract: Contract, asset, on: str) -> dict:
    return {"contract": contract.pk, "external_reference": "01", "asset": asset.pk, "on_rent_date": on}


def contract_form(contract: Contract, asset, on: str) -> dict:
    custom = "customfields-customfieldvalue-content_type-object_id"
    return {
        "customer": contract.customer_id,
        "external_reference": contract.external_reference,
        "status": ContractStatus.OPEN,
        "start_date": "2026-01-01",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-external_reference": "01",
        "items-0-asset": str(asset.pk),
        "items-0-on_rent_date": on,
        f"{custom}-TOTAL_FORMS": "0",
        f"{custom}-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize(
    ("path", "checkpoint"),
    [
        # The item's own admin page: the item's clean() locks and checks.
        ("item add", (overlaps, "lock_assets")),
        # The contract page with its items inline: the formset locks every submitted asset first.
        ("contract inline", (contracts_admin, "lock_assets")),
    ],
)
def test_two_admin_saves_at_once_let_exactly_one_through(
    transactional_db, superuser, monkeypatch, path, checkpoint
):
    asset = factories.asset()
    contracts = [factories.contract(external_reference=ref) for ref in ("RC-A", "RC-B")]
    module, name = checkpoint
    monkeypatch.setattr(module, name, held_at(threading.Barrier(2), getattr(module, name)))

    def save(contract: Contract, on: str):
        def post():
            client = Client()
            client.force_login(superuser)
            if path == "item add":
                return client.post(
                    reverse("admin:contracts_contractitem_add"), item_form(contract, asset, on)
                )
            url = reverse("admin:contracts_contract_change", args=[contract.pk])
            return client.post(url, contract_form(contract, asset, on))

        return post

    responses = in_threads(save(contracts[0], "2026-04-01"), save(contracts[1], "2026-04-15"))

    assert sorted(r.status_code for r in responses) == [200, 302], responses
    refused = next(r for r in responses if r.status_code == 200)
    assert OVERLAP in refused.content.decode()
    assert ContractItem.objects.filter(asset=asset).count() == 1


def test_two_imports_at_once_let_exactly_one_through(transactional_db, monkeypatch):
    asset = factories.asset(external_reference="FLT-1")
    for reference in ("RC-A", "RC-B"):
        factories.contract(external_reference=reference)
    monkeypatch.setattr(
        ContractItemResource, "check_set", held_at(threading.Barrier(2), ContractItemResource.check_set)
    )
    header = "contract_reference,external_reference,asset_reference,on_rent_date,off_rent_date"

    def import_row(row: str):
        return lambda: run_import(
            resource_for("contract-items"), f"{header}\r\n{row}\r\n".encode(), actor="t"
        )

    reports = in_threads(import_row("RC-A,01,FLT-1,2026-04-01,"), import_row("RC-B,01,FLT-1,2026-04-15,"))

    written = [r for r in reports if isinstance(r, ImportReport) and r.written]
    assert len(written) == 1, reports
    (loser,) = (r for r in reports if r is not written[0])
    # Refused whole: by its check (a report that wrote nothing) or by the database when it wrote.
    assert (isinstance(loser, ImportReport) and not loser.written) or CONSTRAINT in str(loser), loser
    assert ContractItem.objects.filter(asset=asset).count() == 1


# --- the database's own guarantee (PostgreSQL) -------------------------------------------------------------


@pytest.fixture
def rented(db):
    """An asset out on an open contract for April 2026."""
    asset = factories.asset()
    factories.item(factories.contract(external_reference="RC-OUT"), asset, date(2026, 4, 1), date(2026, 5, 1))
    return asset


def refused_by_the_database(write: Callable[[], object]) -> None:
    with pytest.raises(IntegrityError, match=CONSTRAINT), transaction.atomic():
        write()


def test_the_database_refuses_an_overlapping_rental_written_without_any_check(rented):
    refused_by_the_database(lambda: factories.item(factories.contract(), rented, date(2026, 4, 30)))
    assert ContractItem.objects.filter(asset=rented).count() == 1


def test_the_database_keeps_periods_half_open_and_ignores_contracts_that_are_not_open(rented):
    factories.item(factories.contract(), rented, date(2026, 5, 1), date(2026, 5, 10))  # back on the 1st
    factories.item(factories.contract(), rented, date(2026, 3, 1), date(2026, 4, 1))  # out until the 1st
    for status in (ContractStatus.RESERVED, ContractStatus.CANCELLED, ContractStatus.COMPLETED):
        factories.item(factories.contract(status=status), rented, date(2026, 4, 10))
    assert ContractItem.objects.filter(asset=rented).count() == 6


def test_the_database_refuses_reopening_a_contract_whose_rentals_clash(rented):
    cancelled = factories.contract(status=ContractStatus.CANCELLED)
    factories.item(cancelled, rented, date(2026, 4, 15))
    refused_by_the_database(
        lambda: Contract.objects.filter(pk=cancelled.pk).update(status=ContractStatus.OPEN)
    )
    refused_by_the_database(
        lambda: ContractItem.objects.filter(contract=cancelled).update(
            contract=Contract.objects.get(external_reference="RC-OUT")
        )
    )
    cancelled.refresh_from_db()
    assert cancelled.status == ContractStatus.CANCELLED


def test_the_database_refuses_moving_a_rental_onto_another(rented):
    later = factories.item(factories.contract(), rented, date(2026, 6, 1), date(2026, 6, 30))
    refused_by_the_database(
        lambda: ContractItem.objects.filter(pk=later.pk).update(on_rent_date=date(2026, 4, 20))
    )
    later.refresh_from_db()
    assert later.on_rent_date == date(2026, 6, 1)
