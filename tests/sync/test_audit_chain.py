"""Tamper evidence for the audit trail: the hash chain, verify_audit, body retention and the DB guards."""

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from sync.audit import AttemptRecorder
from sync.models import AuditVerification, SyncAttempt
from sync.trackunit.exchange import Exchange
from tests.fixtures.celery_worker import allow_audit_truncate

pytestmark = pytest.mark.django_db


def exchange(n: int) -> Exchange:
    return Exchange(
        method="POST",
        url=f"http://127.0.0.1:1/api/customer/v1/customers/{n}",
        request_headers={"Authorization": "[REDACTED]"},
        request_body=f'{{"name": "Nordbyg {n}"}}',
        status=201,
        response_body=f'{{"id": "c-{n}"}}',
        duration_ms=12.5,
        attempt=1,
        error=None,
        endpoint_class="customers",
        started_at=datetime(2026, 11, 22, tzinfo=UTC),
    )


def record(count: int, start: int = 0) -> list[SyncAttempt]:
    recorder = AttemptRecorder(triggered_by="operator")
    for n in range(start, start + count):
        recorder(exchange(n))
    recorder.raise_if_failed()
    return list(SyncAttempt.objects.order_by("id"))


def behind_the_apps_back(sql: str, params: list) -> None:
    """As someone with the database's rights would: triggers off for this transaction only."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue().strip()


def test_a_fresh_log_verifies_and_the_verification_is_recorded():
    first, second, third = record(3)
    assert first.previous_hash == "0" * 64
    assert (second.previous_hash, third.previous_hash) == (first.chain_hash, second.chain_hash)
    assert first.request_sha256 == hashlib.sha256(b'{"name": "Nordbyg 0"}').hexdigest()
    assert first.response_sha256 == hashlib.sha256(b'{"id": "c-0"}').hexdigest()

    assert verify() == "3 attempts verified, chain intact"
    verification = AuditVerification.objects.get()
    assert (verification.intact, verification.attempts_checked, verification.first_broken_id) == (
        True,
        3,
        None,
    )
    assert verification.head_hash == third.chain_hash


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE sync_syncattempt SET status_code = 200 WHERE id = %s",
        "UPDATE sync_syncattempt SET created_at = created_at - interval '1 second' WHERE id = %s",
        'UPDATE sync_syncattempt SET response_body = \'{"id": "forged"}\' WHERE id = %s',
    ],
)
def test_a_row_changed_behind_the_apps_back_is_named(sql):
    _, changed, _ = record(3)
    behind_the_apps_back(sql, [changed.pk])

    with pytest.raises(CommandError, match=rf"attempt #{changed.pk} \(created .*\): content changed"):
        verify()
    verification = AuditVerification.objects.get()
    assert (verification.intact, verification.attempts_checked, verification.first_broken_id) == (
        False,
        1,
        changed.pk,
    )


def test_a_deleted_middle_row_breaks_the_chain_at_the_next_row():
    _, deleted, following = record(3)
    behind_the_apps_back("DELETE FROM sync_syncattempt WHERE id = %s", [deleted.pk])

    with pytest.raises(
        CommandError,
        match=rf"attempt #{following.pk} \(created .*\): chain broken: previous hash does not match",
    ):
        verify()


def test_pruning_blanks_old_bodies_keeps_the_rows_and_the_chain_verifies():
    long_ago = timezone.now() - timedelta(days=400)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        old = record(1)[0]
    recent = record(1, start=1)[-1]

    out = StringIO()
    call_command("prune_audit_bodies", "--older-than-days", "365", stdout=out)

    assert SyncAttempt.objects.count() == 2
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.request_body, old.response_body) == ("", "")
    assert old.bodies_pruned_at is not None
    assert old.request_sha256 == hashlib.sha256(b'{"name": "Nordbyg 0"}').hexdigest()
    assert (recent.request_body, recent.bodies_pruned_at) == ('{"name": "Nordbyg 1"}', None)
    assert verify() == "2 attempts verified, chain intact"


def test_retention_defaults_to_its_setting(settings):
    record(1)
    settings.AUDIT_BODY_RETENTION_DAYS = 1
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=2)):
        call_command("prune_audit_bodies", stdout=StringIO())
    assert SyncAttempt.objects.get().request_body == ""


PRUNE = "request_body = '', response_body = '', bodies_pruned_at = now()"


@pytest.mark.parametrize(
    "assignment",
    [
        "url = '/forged'",
        "chain_hash = repeat('0', 64)",
        "request_sha256 = repeat('0', 64)",
        "created_at = now()",
        "bodies_pruned_at = now()",  # a pruning mark with the bodies kept
        f"{PRUNE}, error_message = 'forged'",  # pruning may not carry another change along
        "request_body = ''",
    ],
)
def test_the_database_still_refuses_every_other_update(assignment):
    [attempt] = record(1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE sync_syncattempt SET {assignment} WHERE id = %s", [attempt.pk])
    assert SyncAttempt.objects.get().chain_hash == attempt.chain_hash


def test_a_pruned_row_cannot_be_pruned_again_to_move_its_mark():
    [attempt] = record(1)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE sync_syncattempt SET {PRUNE} WHERE id = %s", [attempt.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE sync_syncattempt SET bodies_pruned_at = now() + interval '1 day' WHERE id = %s",
            [attempt.pk],
        )


def test_the_orm_still_refuses_updates():
    record(1)
    with pytest.raises(PermissionError, match="append-only"):
        SyncAttempt.objects.update(request_body="")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_produce_one_unbroken_chain():
    allow_audit_truncate()  # the test commits audit rows
    per_writer = 15
    start = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            start.wait()
            record(per_writer, start=offset)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n * 100,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    rows = list(SyncAttempt.objects.order_by("id").values_list("previous_hash", "chain_hash"))
    assert len(rows) == 2 * per_writer
    assert len({previous for previous, _ in rows}) == 2 * per_writer  # no two rows link to the same one
    assert verify() == f"{2 * per_writer} attempts verified, chain intact"
