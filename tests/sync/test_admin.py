"""The sync pages: who may trigger what, what a run shows, and the status column on synced records."""

import pytest
from django.urls import reverse

from sync import ledger
from sync.kinds import BY_NAME
from sync.models import SyncAttempt, SyncRun, SyncState, SyncStatus
from sync.plan import make_plan
from tests import factories

pytestmark = pytest.mark.django_db


def test_auditors_cannot_plan_or_apply(admin_client_for, auditor_user):
    client = admin_client_for(auditor_user)
    changelist = client.get(reverse("admin:sync_syncrun_changelist"))
    assert changelist.status_code == 200
    assert b"Plan sync" not in changelist.content
    response = client.post(reverse("admin:sync_syncrun_plan"), follow=True)
    assert "Only sync operators may plan or apply syncs." in response.content.decode()
    assert not SyncRun.objects.exists()


def test_back_office_staff_read_runs_but_do_not_trigger_them(admin_client_for, back_office_user):
    client = admin_client_for(back_office_user)
    client.post(reverse("admin:sync_syncrun_plan"))
    assert not SyncRun.objects.exists()


def test_run_progress_is_served_as_json(admin_client_for, auditor_user):
    factories.customer()
    run = make_plan(trigger="test")
    data = admin_client_for(auditor_user).get(reverse("admin:sync_syncrun_progress", args=[run.pk])).json()
    assert data == {
        "status": "planned",
        "status_display": "Planned (dry run)",
        "total": 1,
        "done": 0,
        "pending": 1,
        "succeeded": 0,
        "failed": 0,
        "skipped": 0,
        "worker_warning": "",
        "operations": {},
    }


def test_attempts_are_read_only_even_for_superusers(admin_client_for, superuser):
    SyncAttempt.objects.create(
        method="GET", url="http://x/api", duration_ms=1, outcome="success", triggered_by="t"
    )
    attempt = SyncAttempt.objects.get()
    client = admin_client_for(superuser)
    page = client.get(reverse("admin:sync_syncattempt_change", args=[attempt.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:sync_syncattempt_add")).status_code == 403
    assert (
        client.post(reverse("admin:sync_syncattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert SyncAttempt.objects.filter(pk=attempt.pk).exists()


def test_synced_records_show_their_sync_status_and_can_be_filtered(admin_client_for, superuser):
    in_sync = factories.customer(external_reference="CUS-OK", name="In sync")
    factories.customer(external_reference="CUS-NEW", name="Never pushed")
    failed = factories.customer(external_reference="CUS-BAD", name="Refused")
    run = make_plan(trigger="test")
    for key in ("CUS-OK", "CUS-BAD"):
        op = run.operations.get(kind="customer", key=key)
        ledger.record_accepted(
            "customer",
            key,
            payload=op.payload,
            payload_hash=op.payload_hash,
            version=op.source_version,
            remote_id="r",
            mapping_version=BY_NAME["customer"].mapping_version,
        )
    ledger.record_failed("customer", "CUS-BAD", "constraint_violation: name")
    client = admin_client_for(superuser)
    url = reverse("admin:customers_customer_changelist")
    assert "In sync" in client.get(url).content.decode()
    statuses = {c.external_reference: c.sync_status for c in client.get(url).context["cl"].result_list}
    assert statuses == {
        "CUS-OK": SyncStatus.IN_SYNC,
        "CUS-NEW": SyncStatus.PENDING,
        "CUS-BAD": SyncStatus.FAILED,
    }
    only_failed = client.get(url, {"sync_status": "failed"}).context["cl"].result_list
    assert [c.pk for c in only_failed] == [failed.pk]
    in_sync.name = "Edited since"
    in_sync.save()
    pending = client.get(url, {"sync_status": "pending"}).context["cl"].result_list
    assert {c.external_reference for c in pending} == {"CUS-OK", "CUS-NEW"}
    assert SyncState.objects.count() == 2
