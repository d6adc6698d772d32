"""The audit trail: every exchange recorded, secrets never, rows never changed, truncated or replaced,
and no exchange goes on once its row cannot be written."""

import sqlite3
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.exceptions import IrreversibleError

from sync.audit import AttemptRecorder
from sync.models import OperationStatus, RunStatus, SyncAttempt, SyncOperation, SyncRun, SyncState, SyncStatus
from sync.plan import make_plan
from sync.trackunit.exchange import Exchange
from tests import factories

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
    "sql",
    [
        "UPDATE sync_syncattempt SET status_code = 500",
        "DELETE FROM sync_syncattempt",
        # An upsert is an update in disguise.
        "INSERT INTO sync_syncattempt SELECT * FROM sync_syncattempt "
        "ON CONFLICT (id) DO UPDATE SET status_code = 500",
    ],
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


def truncate(sql: str) -> None:
    """Run a TRUNCATE as a production database sees it: the test database allows TRUNCATE for the test
    runner's flush (tests/fixtures/celery_worker.py), so that allowance is taken away here. The test's
    own rows are checked first, as a commit would, since PostgreSQL truncates no table with pending
    foreign-key checks."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL rentalbridge.allow_audit_truncate = 'off'")
        cursor.execute(sql)


@pytest.mark.parametrize("sql", ["TRUNCATE sync_syncattempt", "TRUNCATE sync_syncrun CASCADE"])
def test_the_database_refuses_to_truncate_the_audit_trail(attempt, sql):
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"):
        truncate(sql)
    assert SyncAttempt.objects.filter(pk=attempt.pk).exists()


def test_an_empty_audit_table_may_be_truncated_as_the_test_runner_does():
    truncate("TRUNCATE sync_syncattempt")


def test_migrating_backwards_keeps_the_guards(attempt):
    with pytest.raises(IrreversibleError, match="keeps the audit trail's guards"), transaction.atomic():
        call_command("migrate", "sync", "0005", verbosity=0)
    with pytest.raises(DatabaseError, match="append-only"):
        truncate("TRUNCATE sync_syncattempt")


def test_on_sqlite_a_replacing_insert_and_a_backwards_migration_are_refused(sqlite_project):
    database = sqlite_project.database
    columns = "method, url, request_body, status_code, response_body, duration_ms, attempt, outcome, "
    columns += "error_code, error_message, triggered_by, created_at, kind, key, action"
    values = "'POST', '{url}', '', 201, '', 12.5, 1, 'success', '', '', 'operator', '2026-11-22', '', '', ''"
    with sqlite3.connect(database) as db:
        db.execute(f"INSERT INTO sync_syncattempt ({columns}) VALUES ({values.format(url='/customers')})")
        [(first,)] = db.execute("SELECT id FROM sync_syncattempt").fetchall()
        forged = values.format(url="/forged")
        for verb in ("INSERT OR REPLACE", "REPLACE"):
            with pytest.raises(sqlite3.IntegrityError, match="may not be replaced"):
                db.execute(f"{verb} INTO sync_syncattempt (id, {columns}) VALUES ({first}, {forged})")
        for sql in ("UPDATE sync_syncattempt SET url = '/forged'", "DELETE FROM sync_syncattempt"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(sql)
        # A replacing insert that replaces nothing is an ordinary insert.
        db.execute(
            f"INSERT OR REPLACE INTO sync_syncattempt ({columns}) VALUES ({values.format(url='/sites')})"
        )
        db.commit()

    backwards = sqlite_project.manage("migrate", "--skip-checks", "sync", "0005", check=False)
    assert backwards.returncode != 0
    assert "keeps the audit trail's guards" in backwards.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT id, url FROM sync_syncattempt ORDER BY id").fetchall() == [
            (first, "/customers"),
            (first + 1, "/sites"),
        ]
        triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"sync_attempt_no_update", "sync_attempt_no_delete", "sync_attempt_no_replace"} <= triggers


@pytest.fixture
def audit_rows_cannot_be_written():
    """The database refuses every new audit row, as a full disk or a revoked grant would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_attempt() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device'; END; $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse_attempt BEFORE INSERT ON sync_syncattempt "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_attempt()"
        )


def test_when_audit_rows_cannot_be_written_the_operations_fail_and_nothing_more_is_sent(
    push, sandbox, audit_rows_cannot_be_written
):
    for number in (1, 2, 3):
        factories.customer(external_reference=f"CUS-{number}", name=f"Customer {number}")
    run = push(make_plan(trigger="test", kinds=["customer"]))

    assert run.status == RunStatus.FAILED
    operations = list(run.operations.order_by("key"))
    assert [op.status for op in operations] == [OperationStatus.FAILED] * 3
    for operation in operations:
        assert operation.error_code == "audit_write_failed"
        assert "audit row for" in operation.error_message
        assert "could not be written" in operation.error_message
        assert "No space left on device" in operation.error_message
    assert set(SyncState.objects.values_list("status", flat=True)) == {SyncStatus.FAILED}
    # The first exchange's row failed: nothing was created, and the other customers were never asked for.
    sent = sandbox.requests()
    assert not [r for r in sent if r["method"] == "POST" and r["path"].endswith("/customers")]
    asked = [r["query"].get("externalReference") for r in sent if r["path"].endswith("/customers")]
    assert "CUS-2" not in asked
    assert "CUS-3" not in asked
    assert SyncAttempt.objects.count() == 0
