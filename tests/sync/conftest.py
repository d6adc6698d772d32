import os

import pytest

from rentalbridge.celery import app as celery_app
from sync.apply import apply_plan
from sync.models import SyncRun
from sync.plan import make_plan
from tests.fixtures.sandbox import *  # noqa: F403
from tests.sync.trackunit.stubs import redis_client, unique_prefix


@pytest.fixture
def trackunit_settings(settings, sandbox):
    """Point the TRACKUNIT_* settings at the sandbox, with this test's own Redis keys and fast backoff."""
    prefix = unique_prefix()
    settings.TRACKUNIT_API_URL = sandbox.api_url
    settings.TRACKUNIT_AUTH_URL = sandbox.auth_url
    settings.TRACKUNIT_AEMP_URL = sandbox.aemp_url
    settings.TRACKUNIT_AUTH_FLOW = "password"
    settings.TRACKUNIT_CLIENT_ID = sandbox.client_id
    settings.TRACKUNIT_CLIENT_SECRET = sandbox.client_secret
    settings.TRACKUNIT_USERNAME = sandbox.username
    settings.TRACKUNIT_PASSWORD = sandbox.password
    settings.TRACKUNIT_SCOPES = "api"
    settings.REDIS_URL = os.environ.get("REDIS_URL", settings.REDIS_URL)
    settings.TRACKUNIT_REDIS_PREFIX = prefix
    settings.TRACKUNIT_BACKOFF_BASE_S = 0.02
    settings.TRACKUNIT_BACKOFF_MAX_S = 0.2
    settings.TRACKUNIT_MAX_ATTEMPTS = 10
    settings.TRACKUNIT_READ_TIMEOUT_S = 5.0
    settings.TRACKUNIT_RATE_LIMITS = {}
    yield settings
    connection = redis_client()
    for key in connection.scan_iter(match=f"*{prefix}*"):
        connection.delete(key)
    connection.close()


@pytest.fixture
def eager_celery():
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    celery_app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


@pytest.fixture
def push(trackunit_settings, eager_celery, django_capture_on_commit_callbacks):
    """Plan and apply in this process; returns the finished run."""

    def run_sync(run: SyncRun | None = None) -> SyncRun:
        run = run or make_plan(trigger="test")
        with django_capture_on_commit_callbacks(execute=True):
            apply_plan(run)
        run.refresh_from_db()
        return run

    return run_sync
