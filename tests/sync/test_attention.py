"""Failures handled, not repeated (issue 14 item 2): a record Trackunit rejects three times in a row is set
aside until it changes or someone retries it; an asset Trackunit does not know waits instead of failing
every run. Pushed to the sandbox over real HTTP, the tasks run in this process."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from sync import attention, remote_assets
from sync.kinds.base import NotReady, WaitingForTrackunit
from sync.models import (
    OperationStatus,
    RemoteAsset,
    SyncAttempt,
    SyncJob,
    SyncOperation,
    SyncState,
    SyncStatus,
)
from sync.plan import make_plan
from tests import factories

pytestmark = pytest.mark.django_db

REJECTED = "not-an-e-mail-address"  # the sandbox, as Trackunit, refuses a customer with this e-mail


@pytest.fixture
def synced_before(push) -> None:
    """A database that synced once already, so its records are not a first sync."""
    factories.customer(external_reference="CUS-OK", name="Accepted A/S")
    push()


def sent_about(key: str) -> int:
    """Creates sent for the record (each push also looks the record up first)."""
    return SyncAttempt.objects.filter(key=key, method="POST").count()


def test_a_record_rejected_three_times_in_a_row_is_set_aside_until_retried(settings, push, synced_before):
    settings.SYNC_SET_ASIDE_AFTER_FAILURES = 3
    factories.customer(external_reference="CUS-BAD", name="Broken ApS", email=REJECTED)
    for expected in (SyncStatus.FAILED, SyncStatus.FAILED, SyncStatus.NEEDS_ATTENTION):
        run = push()
        assert run.operations.get(key="CUS-BAD").status == OperationStatus.FAILED
        assert SyncState.objects.get(kind="customer", key="CUS-BAD").status == expected
    assert sent_about("CUS-BAD") == 3
    state = SyncState.objects.get(kind="customer", key="CUS-BAD")
    assert state.failures == 3
    assert state.last_error.startswith("constraint_violation")
    assert "email" in state.last_error  # the field Trackunit refused

    # Set aside: the next plans leave it out and say so; nothing more is sent about it.
    later = make_plan(trigger="test")
    assert not later.operations.filter(key="CUS-BAD").exists()
    assert later.summary["set_aside"] == 1
    push(later)
    assert sent_about("CUS-BAD") == 3

    # Retry puts it back in line: the next plan sends it again.
    assert attention.retry(SyncState.objects.filter(key="CUS-BAD")) == 1
    retried = push()
    assert retried.operations.get(key="CUS-BAD").status == OperationStatus.FAILED
    assert sent_about("CUS-BAD") == 4
    state.refresh_from_db()
    assert (state.status, state.failures) == (SyncStatus.FAILED, 1)


def test_a_set_aside_record_that_changes_is_sent_again(settings, push, synced_before):
    settings.SYNC_SET_ASIDE_AFTER_FAILURES = 1
    customer = factories.customer(external_reference="CUS-FIX", name="Fixable ApS", email=REJECTED)
    push()
    assert SyncState.objects.get(key="CUS-FIX").status == SyncStatus.NEEDS_ATTENTION
    customer.email = "post@fixable.dk"
    customer.save()
    run = push()
    assert run.operations.get(key="CUS-FIX").status == OperationStatus.SUCCEEDED
    state = SyncState.objects.get(key="CUS-FIX")
    assert (state.status, state.failures, state.failed_hash) == (SyncStatus.IN_SYNC, 0, "")


def test_an_outage_does_not_count_towards_setting_a_record_aside(settings, push, synced_before, sandbox):
    settings.SYNC_SET_ASIDE_AFTER_FAILURES = 1
    settings.TRACKUNIT_MAX_ATTEMPTS = 1
    factories.customer(external_reference="CUS-LATER", name="Patient A/S")
    sandbox.set_faults(error_rate=1.0)
    try:
        push()
    finally:
        sandbox.set_faults(error_rate=0.0)
    state = SyncState.objects.get(key="CUS-LATER")
    assert (state.status, state.failures) == (SyncStatus.FAILED, 0)
    assert push().operations.get(key="CUS-LATER").status == OperationStatus.SUCCEEDED


def test_ignore_leaves_a_failing_record_aside_until_it_changes(push, synced_before):
    customer = factories.customer(external_reference="CUS-IGN", name="Ignored ApS", email=REJECTED)
    push()
    assert attention.ignore(SyncState.objects.filter(key="CUS-IGN")) == 1
    assert not make_plan(trigger="test").operations.filter(key="CUS-IGN").exists()
    Customer.objects.filter(pk=customer.pk).update(name="Ignored ApS (renamed)")
    customer.refresh_from_db()
    customer.save()
    assert make_plan(trigger="test").operations.filter(key="CUS-IGN").exists()


def test_an_asset_trackunit_does_not_know_waits_and_is_woken_by_the_nightly_check(push, synced_before):
    factories.asset(external_reference="FLT-NEW", serial_number="NOT-IN-TRACKUNIT-1")
    run = push()
    operation = run.operations.get(kind="asset_reference", key="FLT-NEW")
    assert (operation.status, operation.error_code) == (OperationStatus.SKIPPED, "waiting_for_trackunit")
    state = SyncState.objects.get(kind="asset_reference", key="FLT-NEW")
    assert state.status == SyncStatus.WAITING
    # Not in every run: the next plan leaves it out.
    assert not make_plan(trigger="test").operations.filter(key="FLT-NEW", kind="asset_reference").exists()
    # The nightly schedule (and a newly matched asset list) tries it again.
    assert attention.wake_waiting() == 1
    assert make_plan(trigger="test").operations.filter(key="FLT-NEW", kind="asset_reference").exists()


def test_sync_retry_failed_also_retries_what_was_set_aside(
    settings, push, synced_before, django_capture_on_commit_callbacks
):
    settings.SYNC_SET_ASIDE_AFTER_FAILURES = 1
    factories.customer(external_reference="CUS-AGAIN", name="Again ApS", email=REJECTED)
    factories.asset(external_reference="FLT-WAIT", serial_number="NOT-IN-TRACKUNIT-2")
    push()
    assert SyncState.objects.get(key="CUS-AGAIN").status == SyncStatus.NEEDS_ATTENTION
    assert SyncState.objects.get(kind="asset_reference", key="FLT-WAIT").status == SyncStatus.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sync_retry_failed")
    assert sent_about("CUS-AGAIN") == 2
    assert SyncAttempt.objects.filter(key="FLT-WAIT").count() == 0  # no Trackunit asset to send to yet
    operation = SyncOperation.objects.filter(kind="asset_reference", key="FLT-WAIT").latest("id")
    assert operation.run.trigger == "retry"
    assert operation.error_code == "waiting_for_trackunit"


def test_an_asset_is_only_waiting_when_trackunits_asset_list_was_just_read():
    # Never read (or an outage kept it from being read): not ready, tried again by the next run.
    unread = remote_assets.not_in_trackunit("no Trackunit asset matches FLT-1")
    assert type(unread) is NotReady
    assert (
        str(unread) == "no Trackunit asset matches FLT-1 (Trackunit's asset list could not be read just now)"
    )
    RemoteAsset.objects.create(
        trackunit_id="a1", name="Excavator", editable=True, status="unmatched", seen_at=timezone.now()
    )
    assert type(remote_assets.not_in_trackunit("no Trackunit asset matches FLT-1")) is WaitingForTrackunit


def test_retry_failed_on_a_run_page_sends_the_runs_failures_again(
    settings, push, synced_before, operator_user, client, django_capture_on_commit_callbacks
):
    settings.SYNC_SET_ASIDE_AFTER_FAILURES = 1
    factories.customer(external_reference="CUS-RUN", name="Run Failure ApS", email=REJECTED)
    failed = push()
    assert SyncState.objects.get(key="CUS-RUN").status == SyncStatus.NEEDS_ATTENTION
    client.force_login(operator_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:sync_syncrun_retry_failed", args=[failed.pk]), follow=True)
    assert "Retrying 1 record(s) that Sync run" in response.content.decode()
    job = SyncJob.objects.get()
    assert (job.action, job.status, job.created_by) == (
        SyncJob.Action.RETRY_FAILED,
        SyncJob.Status.DONE,
        operator_user,
    )
    assert job.run.trigger == "retry"
    assert job.run.operations.get(key="CUS-RUN").status == OperationStatus.FAILED
    assert sent_about("CUS-RUN") == 2
