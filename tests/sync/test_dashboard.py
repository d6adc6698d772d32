"""The admin home's dashboard: figures an operator or auditor reads at a glance, in a few queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sync.dashboard import dashboard
from sync.models import (
    AuditVerification,
    DriftResolution,
    SyncAttempt,
    SyncDrift,
    SyncRun,
    SyncState,
    SyncStatus,
)

pytestmark = pytest.mark.django_db


def attempt(outcome: str, *, status: int | None = 200, error_code: str = "", days_ago: int = 0) -> None:
    row = SyncAttempt.objects.create(
        kind="asset",
        key="FLT-1",
        method="PATCH",
        url="https://api.example/assets/1",
        status_code=status,
        duration_ms=12.0,
        outcome=outcome,
        error_code=error_code,
        triggered_by="operator",
    )
    if days_ago:
        # created_at is set on insert and rows are append-only: move the row back as someone with the
        # database's rights would, with triggers off for the statement.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                "UPDATE sync_syncattempt SET created_at = %s WHERE id = %s",
                [timezone.now() - timedelta(days=days_ago), row.pk],
            )
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_records_per_entity_count_each_sync_state_and_open_drift():
    SyncState.objects.bulk_create(
        [SyncState(kind="asset", key=f"A{n}", status=SyncStatus.IN_SYNC) for n in range(3)]
        + [SyncState(kind="asset", key="A9", status=SyncStatus.FAILED)]
        + [SyncState(kind="customer", key="C1", status=SyncStatus.PENDING)]
    )
    SyncDrift.objects.create(kind="asset", key="A1", fields={"name": {"pushed": "a", "remote": "b"}})
    SyncDrift.objects.create(kind="asset", key="A2", fields={}, resolution=DriftResolution.ADOPT_REMOTE)
    rows = {row.kind: row for row in dashboard().kinds}
    assert (rows["asset"].in_sync, rows["asset"].failed, rows["asset"].open_drift) == (3, 1, 1)
    assert (rows["customer"].pending, rows["customer"].in_sync) == (1, 0)


def test_attempts_per_day_and_top_error_codes():
    attempt("success")
    attempt("success")
    attempt("http_error", status=422, error_code="validation_failed")
    attempt("http_error", status=429, error_code="rate_limited")
    attempt("http_error", status=422, error_code="validation_failed", days_ago=3)
    attempt("transport_error", status=None, error_code="timeout", days_ago=40)
    board = dashboard()
    assert len(board.days) == 14
    assert board.days[-1] == timezone.localdate()
    assert board.attempts_by_outcome["success"][-1] == 2
    assert board.attempts_by_outcome["http_error"][-1] == 2
    assert board.attempts_by_outcome["http_error"][-4] == 1
    assert sum(board.attempts_by_outcome["transport_error"]) == 0, "40 days ago is outside the chart"
    assert board.top_errors == [("validation_failed", 2), ("rate_limited", 1)]
    assert board.throttled_24h == 1


def test_the_last_run_and_rate_budgets_are_shown():
    SyncRun.objects.create(trigger="admin", status="failed", message="2 operations failed")
    newest = SyncRun.objects.create(trigger="nightly", status="succeeded")
    board = dashboard()
    assert board.last_run == newest
    assert {budget.name for budget in board.budgets} >= {"account_rest"}
    assert all(budget.booked_ahead_s >= 0 for budget in board.budgets)


def test_the_dashboard_is_a_handful_of_queries_whatever_the_data():
    SyncState.objects.bulk_create([SyncState(kind="asset", key=f"A{n}") for n in range(200)])
    for _ in range(20):
        attempt("success")
    with CaptureQueriesContext(connection) as queries:
        dashboard()
    # The plans awaiting approval (issue 14) are the eleventh.
    assert len(queries) <= 11, [q["sql"][:80] for q in queries]


def test_the_admin_home_shows_the_dashboard_to_an_auditor(admin_client_for, auditor_user):
    SyncRun.objects.create(trigger="nightly", status="failed", message="1 operation failed")
    attempt("http_error", status=422, error_code="validation_failed")
    page = admin_client_for(auditor_user).get("/admin/").content.decode()
    assert "Finished with failures" in page
    assert "validation_failed" in page
    assert 'id="attempts-chart"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_staff_without_sync_rights_get_the_apps_without_the_sync_figures(admin_client_for, django_user_model):
    clerk = django_user_model.objects.create_user("newcomer", password="x", is_staff=True)
    page = admin_client_for(clerk).get("/admin/").content.decode()
    assert 'id="dashboard"' not in page
    assert "RentalBridge keeps customers" in page


def test_the_dashboard_says_when_the_audit_trail_was_last_verified(admin_client_for, auditor_user):
    client = admin_client_for(auditor_user)
    assert "Not verified yet" in client.get("/admin/").content.decode()
    AuditVerification.objects.create(
        intact=False, attempts_checked=41, first_broken_id=42, message="content changed", head_hash="0" * 64
    )
    page = client.get("/admin/").content.decode()
    assert "broken at attempt #42" in page
