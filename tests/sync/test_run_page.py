"""A run's page reads well: operations paginated, their status polled live, durations humanised (item 5)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sync.models import OperationStatus, RunStatus, SyncOperation, SyncRun

pytestmark = pytest.mark.django_db


def run_with_operations(count: int, status: str = RunStatus.PLANNED) -> SyncRun:
    run = SyncRun.objects.create(trigger="test", status=status)
    SyncOperation.objects.bulk_create(
        SyncOperation(run=run, phase=1, kind="customer", key=f"CUS-{n:04d}", action="create")
        for n in range(1, count + 1)
    )
    return run


def test_operations_are_listed_a_page_at_a_time(admin_client_for, auditor_user):
    run = run_with_operations(250)
    client = admin_client_for(auditor_user)
    url = reverse("admin:sync_syncrun_change", args=[run.pk])

    first = client.get(url).content.decode()
    assert "CUS-0001" in first
    assert "CUS-0100" in first
    assert "CUS-0101" not in first
    assert "1\u2013100 of 250 operations, in the order they are pushed" in first
    assert '<span class="this-page">1</span>' in first
    assert 'href="?page=3"' in first
    assert f"?run__id__exact={run.pk}" in first  # the full, filterable list

    second = client.get(url, {"page": 2}).content.decode()
    assert "CUS-0100" not in second
    assert "CUS-0101" in second
    assert "CUS-0200" in second
    assert "CUS-0201" not in second
    assert '<span class="this-page">2</span>' in second

    last = client.get(url, {"page": 3}).content.decode()
    assert "CUS-0201" in last
    assert "CUS-0250" in last


def test_the_progress_poll_returns_the_status_of_the_rows_asked_in_one_query(admin_client_for, auditor_user):
    run = run_with_operations(3, status=RunStatus.RUNNING)
    first, second, third = run.operations.order_by("id")
    SyncOperation.objects.filter(pk=first.pk).update(status=OperationStatus.SUCCEEDED)
    SyncOperation.objects.filter(pk=second.pk).update(status=OperationStatus.FAILED, error_message="HTTP 422")
    client = admin_client_for(auditor_user)
    url = reverse("admin:sync_syncrun_progress", args=[run.pk])

    with CaptureQueriesContext(connection) as queries:
        data = client.get(url, {"ops": f"{first.pk},{second.pk},{third.pk},junk"}).json()

    assert data["operations"] == {
        str(first.pk): {"status": "succeeded", "status_label": "Succeeded", "error": ""},
        str(second.pk): {"status": "failed", "status_label": "Failed", "error": "HTTP 422"},
        str(third.pk): {"status": "pending", "status_label": "Pending", "error": ""},
    }
    row_queries = [q["sql"] for q in queries if '"sync_syncoperation"."error_message"' in q["sql"]]
    assert len(row_queries) == 1
    assert (data["done"], data["failed"]) == (2, 1)


def test_the_runs_list_says_how_long_ago_and_how_long_the_push_took(admin_client_for, auditor_user):
    now = timezone.now()
    run = SyncRun.objects.create(trigger="test", status=RunStatus.SUCCEEDED)
    SyncRun.objects.filter(pk=run.pk).update(
        created_at=now - timedelta(minutes=10, seconds=2),
        started_at=now - timedelta(minutes=5),
        finished_at=now - timedelta(minutes=2, seconds=55),
    )
    client = admin_client_for(auditor_user)
    changelist = client.get(reverse("admin:sync_syncrun_changelist")).content.decode()
    assert "10 min 2 s ago" in changelist or "10 min 3 s ago" in changelist
    assert "2 min 5 s" in changelist
    page = client.get(reverse("admin:sync_syncrun_change", args=[run.pk])).content.decode()
    assert "pushed in <strong" in page
    assert "2 min 5 s</strong>" in page
