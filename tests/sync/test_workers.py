"""Which queues a live worker consumes, and `sync_apply --wait` saying so instead of hanging (item 7).

The "absent" cases use a Redis database of the test Redis that no worker listens on: a real broadcast
that nobody answers, whatever other test workers consume on the shared one.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from sync import workers
from sync.models import RunStatus, SyncRun
from tests.fixtures.celery_worker import database_url_for

ROOT = Path(__file__).resolve().parents[2]
QUIET_DB = 13
WORKER_COMMAND = "celery -A rentalbridge worker -Q celery,trackunit"


def quiet_broker_url() -> str:
    """REDIS_URL with another database number: the same real Redis, no consumer on any queue."""
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return f"{base}/{QUIET_DB}"


@pytest.fixture
def quiet_app():
    app = Celery("quiet", broker=quiet_broker_url(), set_as_current=False)
    yield app
    app.close()


def test_queues_follow_the_task_routes():
    assert workers.queue_of("sync.tasks.advance_run") == "trackunit"
    assert workers.queue_of("sync.tasks.run_sync_job") == "celery"
    assert workers.worker_command() == WORKER_COMMAND


def test_a_live_worker_is_seen_on_every_queue_it_consumes(transactional_db, celery_worker):
    assert {"celery", "trackunit"} <= workers.live_queues(max_age_s=0)
    assert workers.no_consumer_warning("trackunit", max_age_s=0) == ""


def test_no_worker_is_said_plainly_with_the_command_to_start_one(quiet_app):
    assert workers.live_queues(quiet_app, max_age_s=0) == frozenset()
    assert workers.no_consumer_warning("trackunit", quiet_app, max_age_s=0) == (
        "No Celery worker is consuming the 'trackunit' queue, so this waits: start one with "
        f"`{WORKER_COMMAND}`."
    )


def test_the_answer_is_kept_for_a_while_so_page_polls_stay_cheap(quiet_app, monkeypatch):
    asked = []
    inspect = quiet_app.control.inspect

    def counting_inspect(*args, **kwargs):
        asked.append(kwargs)
        return inspect(*args, **kwargs)

    monkeypatch.setattr(quiet_app.control, "inspect", counting_inspect)
    workers.live_queues(quiet_app, max_age_s=0)
    workers.live_queues(quiet_app)
    workers.live_queues(quiet_app)
    assert len(asked) == 1
    assert asked[0]["timeout"] <= 1.0


def test_sync_apply_wait_says_no_worker_takes_the_run_and_exits_non_zero(transactional_db):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "REDIS_URL": quiet_broker_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SYNC_ON_CHANGE": "false",
    }
    command = [sys.executable, "manage.py", "sync_apply", "--wait", "--no-worker-timeout", "0"]
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "No Celery worker is consuming the 'trackunit' queue" in done.stderr
    assert WORKER_COMMAND in done.stderr
    assert "is still queued: no worker consumed the 'trackunit' queue" in done.stderr
    assert SyncRun.objects.get().status == RunStatus.QUEUED
