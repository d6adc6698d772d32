"""One Trackunit client per process, reused by every chunk; each chunk's exchanges go to its own recorder."""

import threading

import pytest
from django.db import connection

from sync import worker_client
from sync.audit import AttemptRecorder
from sync.models import SyncAttempt, SyncRun
from tests.fixtures.celery_worker import allow_audit_truncate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_process_client(transactional_db):
    allow_audit_truncate()  # these tests commit audit rows
    worker_client.close()
    yield
    worker_client.close()


def test_every_chunk_reuses_the_process_client(trackunit_settings):
    first = worker_client.api_for(AttemptRecorder(triggered_by="one")).client
    second = worker_client.api_for(AttemptRecorder(triggered_by="two")).client
    assert first._client is second._client
    assert first.recorder is not second.recorder


def test_new_settings_build_a_new_client_and_close_the_old_one(trackunit_settings, monkeypatch):
    old = worker_client.shared_client()
    closed = []
    monkeypatch.setattr(old, "close", lambda: closed.append(True))
    trackunit_settings.TRACKUNIT_READ_TIMEOUT_S = 7.0
    new = worker_client.shared_client()
    assert new is not old
    assert new.config.read_timeout == 7.0
    assert closed == [True]


def test_concurrent_chunks_each_audit_their_own_exchanges(trackunit_settings, sandbox):
    runs = [SyncRun.objects.create(trigger=f"chunk-{n}") for n in range(4)]
    failures = []

    def chunk(run: SyncRun) -> None:
        try:
            api = worker_client.api_for(AttemptRecorder(triggered_by=run.trigger, run=run))
            for _ in range(5):
                list(api.list_customers(externalReference=run.trigger))
        except Exception as error:  # reported below, with the thread's run
            failures.append((run.trigger, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=chunk, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    for run in runs:
        mine = SyncAttempt.objects.filter(run=run, url__contains="/customers")
        assert mine.count() == 5
        assert set(mine.values_list("triggered_by", flat=True)) == {run.trigger}
        assert all(run.trigger in url for url in mine.values_list("url", flat=True))
