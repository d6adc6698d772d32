"""The audit trail: every exchange recorded, secrets never, rows never changed."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from sync.audit import AttemptRecorder
from sync.models import SyncAttempt, SyncOperation, SyncRun
from sync.trackunit.exchange import Exchange

pytestmark = pytest.mark.django_db


def exchange(status: int | None, body: str | None, error: str | None = None) -> Exchange:
    return Exchange(
        method="POST",
        url="http://127.0.0.1:1/api/customer/v1/customers",
        request_headers={"Authorization": "[REDACTED]"},
        request_body='{"name": "Nordbyg"}',
        status=status,
        response_body=body,
        duration_ms=12.5,
        attempt=2,
        error=error,
        endpoint_class="customers",
        started_at=datetime(2026, 11, 22, tzinfo=UTC),
    )


@pytest.fixture
def attempt() -> SyncAttempt:
    AttemptRecorder(triggered_by="operator")(exchange(201, '{"id": "c-1"}'))
    return SyncAttempt.objects.get()


def test_a_refused_push_is_recorded_with_trackunits_error_and_its_operation():
    run = SyncRun.objects.create(trigger="test")
    op = SyncOperation.objects.create(run=run, phase=3, kind="customer", key="CUS-1", action="create")
    recorder = AttemptRecorder(triggered_by="operator", run=run)
    recorder.operation = op
    body = '{"status": 400, "code": "constraint_violation", "message": "name is required", "violations": []}'
    recorder(exchange(400, body))
    recorder(exchange(None, None, error="ConnectTimeout"))
    refused, lost = SyncAttempt.objects.order_by("id")
    assert (refused.run, refused.operation, refused.kind, refused.key, refused.action) == (
        run,
        op,
        "customer",
        "CUS-1",
        "create",
    )
    assert (refused.status_code, refused.outcome, refused.error_code, refused.error_message) == (
        400,
        "http_error",
        "constraint_violation",
        "name is required",
    )
    assert (refused.attempt, refused.duration_ms, refused.triggered_by) == (2, 12.5, "operator")
    assert (lost.status_code, lost.outcome, lost.error_code, lost.error_message) == (
        None,
        "transport_error",
        "transport_error",
        "ConnectTimeout",
    )


def test_attempts_cannot_be_changed_or_deleted_through_the_orm(attempt):
    attempt.status_code = 500
    with pytest.raises(PermissionError):
        attempt.save()
    with pytest.raises(PermissionError):
        attempt.delete()
    with pytest.raises(PermissionError):
        SyncAttempt.objects.filter(pk=attempt.pk).update(status_code=500)
    with pytest.raises(PermissionError):
        SyncAttempt.objects.all().delete()


@pytest.mark.parametrize(
    "sql", ["UPDATE sync_syncattempt SET status_code = 500", "DELETE FROM sync_syncattempt"]
)
def test_the_database_refuses_to_change_an_attempt(attempt, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    attempt.refresh_from_db()
    assert attempt.status_code == 201
