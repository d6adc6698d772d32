"""Safety thresholds (issue 14 item 1): automatic syncs apply small additive change sets on their own; the
first sync of a database, a plan that deletes and one over SYNC_AUTO_APPLY_MAX_OPERATIONS wait for an
operator. Pushed to the sandbox over real HTTP, the tasks run in this process."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from customers.models import Customer
from sync import approval
from sync.apply import PlanNotApplicable
from sync.models import RunStatus, SyncAttempt, SyncRun
from sync.plan import make_plan
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def automatic(push, django_capture_on_commit_callbacks):
    """An automatic sync as the coalesced task makes it: plan, then apply or hold."""

    def sync() -> SyncRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = approval.apply_or_hold(make_plan(trigger="auto"))
        run.refresh_from_db()
        return run

    return sync


@pytest.fixture
def synced_before(push) -> None:
    factories.customer(external_reference="CUS-BASE", name="Base A/S")
    push()


def test_the_first_sync_of_a_database_waits_and_sends_nothing(settings, automatic):
    settings.SYNC_APPROVAL = "threshold"
    factories.customer(external_reference="CUS-1", name="First A/S")
    run = automatic()
    assert run.status == RunStatus.AWAITING_APPROVAL
    assert run.approval_reason.startswith("The first sync of this database")
    assert not SyncAttempt.objects.exists()


def test_a_small_additive_change_is_applied_on_its_own(settings, automatic, synced_before):
    settings.SYNC_APPROVAL = "threshold"
    factories.customer(external_reference="CUS-2", name="Second A/S")
    run = automatic()
    assert run.status == RunStatus.SUCCEEDED
    assert run.approval_reason == ""
    assert SyncAttempt.objects.filter(key="CUS-2", method="POST", outcome="success").exists()


def test_a_change_set_over_the_threshold_waits_with_the_reason(settings, automatic, synced_before):
    settings.SYNC_APPROVAL = "threshold"
    settings.SYNC_AUTO_APPLY_MAX_OPERATIONS = 2
    for n in range(3):
        factories.customer(external_reference=f"CUS-BULK-{n}", name=f"Bulk {n}")
    run = automatic()
    assert run.status == RunStatus.AWAITING_APPROVAL
    assert run.approval_reason == (
        "3 operations, more than the 2 applied automatically (SYNC_AUTO_APPLY_MAX_OPERATIONS)."
    )
    assert not SyncAttempt.objects.filter(key__startswith="CUS-BULK").exists()


def test_a_plan_that_deletes_waits_however_small(settings, automatic, synced_before):
    settings.SYNC_APPROVAL = "threshold"
    Customer.objects.filter(external_reference="CUS-BASE").delete()
    run = automatic()
    assert run.summary["delete"] == 1
    assert run.status == RunStatus.AWAITING_APPROVAL
    assert run.approval_reason == "It deletes 1 record in Trackunit."


def test_always_holds_every_plan_and_never_holds_none(settings, automatic, synced_before):
    settings.SYNC_APPROVAL = "always"
    factories.customer(external_reference="CUS-A", name="Always A/S")
    assert automatic().status == RunStatus.AWAITING_APPROVAL
    settings.SYNC_APPROVAL = "never"
    Customer.objects.filter(external_reference="CUS-BASE").delete()
    assert automatic().status == RunStatus.SUCCEEDED


def test_an_unknown_policy_is_refused_by_name(settings, synced_before):
    settings.SYNC_APPROVAL = "sometimes"
    factories.customer(external_reference="CUS-X", name="X A/S")
    with pytest.raises(ImproperlyConfigured, match="SYNC_APPROVAL is 'sometimes'"):
        approval.hold_reason(make_plan(trigger="auto"))


def test_a_newer_waiting_plan_supersedes_the_older(settings, automatic):
    settings.SYNC_APPROVAL = "always"
    factories.customer(external_reference="CUS-OLD", name="Old A/S")
    older = automatic()
    factories.customer(external_reference="CUS-NEW", name="New A/S")
    newer = automatic()
    older.refresh_from_db()
    assert older.status == RunStatus.DISCARDED
    assert older.message == f"Superseded by sync run #{newer.pk}, planned later."
    assert newer.status == RunStatus.AWAITING_APPROVAL


def test_an_approved_plan_is_pushed_and_names_its_approver(
    settings, automatic, operator_user, django_capture_on_commit_callbacks
):
    settings.SYNC_APPROVAL = "threshold"
    factories.customer(external_reference="CUS-OK", name="Approved A/S")
    waiting = automatic()
    with django_capture_on_commit_callbacks(execute=True):
        approval.approve(waiting, operator_user)
    waiting.refresh_from_db()
    assert waiting.status == RunStatus.SUCCEEDED
    assert waiting.applied_by == operator_user
    assert SyncAttempt.objects.filter(key="CUS-OK", method="POST", triggered_by="operator").exists()


def test_a_discarded_plan_sends_nothing_and_cannot_be_approved(settings, automatic, operator_user):
    settings.SYNC_APPROVAL = "threshold"
    factories.customer(external_reference="CUS-NO", name="Refused A/S")
    waiting = automatic()
    approval.discard(waiting, operator_user)
    assert waiting.status == RunStatus.DISCARDED
    assert waiting.message == "Discarded by operator; nothing was sent."
    with pytest.raises(PlanNotApplicable, match="not awaiting approval"):
        approval.approve(waiting, operator_user)
    assert not SyncAttempt.objects.exists()
