"""Applying plans against the sandbox over real HTTP (Celery runs the tasks in this process here;
tests/e2e/test_sync_e2e.py drives a real worker, tests/e2e/test_faults.py kills it)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assets.models import Asset, IdentifierType, RentalStatus
from customers.models import Customer, CustomerContact
from rentalbridge import db_statistics
from sync import apply, leases, tasks
from sync.apply import PlanNotApplicable
from sync.models import OperationStatus, RunStatus, SyncAttempt, SyncOperation, SyncRun, SyncState, SyncStatus
from sync.plan import make_plan
from tests import factories
from tests.statistics import table_rows_counted

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


@dataclass
class Queued:
    task: str
    args: tuple
    countdown: float | None


class TaskQueue:
    """The sync tasks' broker, in this process and in order: a test decides what runs, and what is lost."""

    NAMES = ("advance_run", "push_operations", "resume_run")

    def __init__(self) -> None:
        self.items: list[Queued] = []

    def take(self, task: str) -> Queued:
        item = next(item for item in self.items if item.task == task)
        self.items.remove(item)
        return item

    def execute(self, item: Queued) -> None:
        getattr(tasks, item.task).run(*item.args)

    def run_next(self) -> Queued:
        item = self.items.pop(0)
        self.execute(item)
        return item

    def drain(self, until: Callable[[], bool] = lambda: False, limit: int = 200) -> None:
        for _ in range(limit):
            if not self.items or until():
                return
            self.run_next()
        pytest.fail(f"the tasks never settled: {self.items[:5]}")


@pytest.fixture
def task_queue(monkeypatch, trackunit_settings, django_capture_on_commit_callbacks) -> TaskQueue:
    queue = TaskQueue()
    for name in TaskQueue.NAMES:

        def enqueue(args=(), kwargs=None, countdown=None, _name=name, **options) -> None:
            queue.items.append(Queued(_name, tuple(args), countdown))

        monkeypatch.setattr(getattr(tasks, name), "apply_async", enqueue)
    return queue


def applied(run: SyncRun, django_capture_on_commit_callbacks) -> SyncRun:
    with django_capture_on_commit_callbacks(execute=True):
        return apply.apply_plan(run)


def test_a_long_retry_after_puts_the_chunk_back_with_that_countdown_instead_of_failing_it(
    business, task_queue, sandbox, trackunit_settings, django_capture_on_commit_callbacks
):
    trackunit_settings.TRACKUNIT_MAX_RETRY_AFTER_S = 0.5  # the sandbox's storms say Retry-After: 1
    run = applied(make_plan(trigger="test"), django_capture_on_commit_callbacks)
    task_queue.drain(
        until=lambda: task_queue.items[0].task == "push_operations" and task_queue.items[0].args[1] == 3
    )
    customers = task_queue.take("push_operations")
    sandbox.set_faults(storm_429_rate=1.0)
    task_queue.execute(customers)

    [again] = task_queue.items
    assert (again.task, again.args) == ("push_operations", customers.args)
    assert again.countdown >= 1
    assert set(SyncOperation.objects.filter(pk__in=customers.args[2]).values_list("status", flat=True)) == {
        OperationStatus.PENDING
    }
    assert SyncRun.objects.get(pk=run.pk).lease_until >= timezone.now() + timedelta(seconds=1)

    sandbox.set_faults(storm_429_rate=0.0)
    task_queue.drain()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert [c["externalReference"] for c in sandbox.state()["customers"]].count("CUS-1") == 1


def test_one_run_pushes_per_account_and_a_later_one_waits_its_turn(
    business, task_queue, sandbox, django_capture_on_commit_callbacks
):
    first = applied(make_plan(trigger="test"), django_capture_on_commit_callbacks)
    business["customer"].phone = "+45 1234 5678"
    business["customer"].save()
    second = applied(make_plan(trigger="test"), django_capture_on_commit_callbacks)
    assert first.account == second.account != ""

    task_queue.run_next()
    task_queue.run_next()
    assert SyncRun.objects.get(pk=first.pk).status == RunStatus.RUNNING
    waiting = SyncRun.objects.get(pk=second.pk)
    assert waiting.status == RunStatus.QUEUED
    assert waiting.message == f"Waiting for run #{first.pk} to finish pushing to this Trackunit account."
    # The database itself refuses a second running run for the account.
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.filter(pk=second.pk).update(status=RunStatus.RUNNING)

    task_queue.drain()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED)
    assert second.started_at >= first.finished_at
    assert second.message == ""
    [customer] = [c for c in sandbox.state()["customers"] if c["externalReference"] == "CUS-1"]
    assert customer["phone"] == "+45 1234 5678"


def test_a_run_whose_worker_died_mid_push_is_resumed_once_its_lease_runs_out_without_duplicates(
    business, task_queue, sandbox, django_capture_on_commit_callbacks
):
    run = applied(make_plan(trigger="test"), django_capture_on_commit_callbacks)
    task_queue.drain(
        until=lambda: task_queue.items[0].task == "push_operations" and task_queue.items[0].args[1] == 3
    )
    # The worker that took the customer chunk created the customer, then died: its task is gone, and the
    # operation stays claimed until the claim runs out.
    task_queue.take("push_operations")
    operation = run.operations.get(kind="customer", key="CUS-1")
    SyncOperation.objects.filter(pk=operation.pk).update(claimed_until=leases.expiry())
    sandbox.api(
        "POST",
        "/customer/v1/customers",
        json={"name": "Nordbyg A/S", "type": "CONTRACTOR", "externalReference": "CUS-1"},
    )
    assert task_queue.items == []

    assert apply.resume_lost_runs() == []  # its lease is still alive
    SyncRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert apply.resume_lost_runs() == []  # an operation is still claimed
    SyncOperation.objects.filter(pk=operation.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert apply.resume_lost_runs() == [run.pk]
    assert apply.resume_lost_runs() == []  # taken over once, by one watchdog

    task_queue.drain()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert [c["externalReference"] for c in sandbox.state()["customers"]].count("CUS-1") == 1
    assert not SyncAttempt.objects.filter(run=run, status_code=409).exists()


def test_a_redelivered_chunk_leaves_an_operation_another_task_holds_alone(
    business, task_queue, sandbox, django_capture_on_commit_callbacks
):
    applied(make_plan(trigger="test"), django_capture_on_commit_callbacks)
    task_queue.drain(
        until=lambda: task_queue.items[0].task == "push_operations" and task_queue.items[0].args[1] == 5
    )
    chunk = task_queue.take("push_operations")
    held, *others = SyncOperation.objects.filter(pk__in=chunk.args[2]).order_by("pk")
    since = sandbox.requests()[-1]["id"]
    with leases.operation_claim(held.pk) as claimed:
        assert claimed
        task_queue.execute(chunk)
    assert SyncOperation.objects.get(pk=held.pk).status == OperationStatus.PENDING
    assert {op.status for op in SyncOperation.objects.filter(pk__in=[op.pk for op in others])} == {
        OperationStatus.SUCCEEDED
    }
    patched = [r["path"] for r in sandbox.requests(since) if r["method"] == "PATCH"]
    held_asset = Asset.objects.get(external_reference=held.key).trackunit_asset_id
    assert not any(str(held_asset) in path for path in patched)
    assert len(patched) == len(others)


def test_the_heartbeat_keeps_what_this_process_holds_alive_and_nothing_else(business, trackunit_settings):
    run = make_plan(trigger="test")
    other = make_plan(trigger="test")
    past = timezone.now() - timedelta(seconds=5)
    SyncRun.objects.filter(pk__in=[run.pk, other.pk]).update(status=RunStatus.RUNNING, lease_until=past)
    operation = run.operations.first()
    with leases.holding_run(run.pk), leases.operation_claim(operation.pk):
        SyncRun.objects.filter(pk=run.pk).update(lease_until=past)
        SyncOperation.objects.filter(pk=operation.pk).update(claimed_until=past)
        leases.renew_held()
        assert SyncRun.objects.get(pk=run.pk).lease_until > timezone.now()
        assert SyncOperation.objects.get(pk=operation.pk).claimed_until > timezone.now()
    assert SyncRun.objects.get(pk=other.pk).lease_until == past
    assert SyncOperation.objects.get(pk=operation.pk).claimed_until is None


def test_a_large_apply_leaves_statistics_that_count_the_ledger(business, push, monkeypatch):
    """The next plan reads the ledger the run filled; without statistics for it, its unchanged plan of
    100,000 assets took 1.8-2.1 s instead of 1.1 s."""
    monkeypatch.setattr(db_statistics, "ANALYZE_AFTER_ROWS", 10)
    run = push()
    assert run.status == RunStatus.SUCCEEDED
    # A depot, a customer, a contact, 4 asset references, 4 assets' rental data, 1 assignment.
    assert SyncState.objects.count() == 12
    assert table_rows_counted(SyncState) == 12
