"""A run waiting where no worker listens says so in the browser, and stops saying it once it is taken
(issue 14, item 7). The page's Celery app is pointed at a Redis database no worker consumes: a real
broadcast nobody answers, whatever other test workers consume on the shared one."""

from collections.abc import Iterator

import pytest
from celery import Celery
from playwright.sync_api import Page, expect

import rentalbridge.celery
from sync.models import RunStatus, SyncOperation, SyncRun
from tests.sync.test_workers import WORKER_COMMAND, quiet_broker_url


@pytest.fixture
def no_worker(monkeypatch) -> Iterator[None]:
    """The Celery app sync.workers asks is one on a Redis database no worker listens on (the project's
    own app keeps its broker and connection pool for the other tests in this process)."""
    quiet = Celery("quiet", broker=quiet_broker_url(), set_as_current=False)
    monkeypatch.setattr(rentalbridge.celery, "app", quiet)
    yield
    quiet.close()


def test_a_queued_run_says_no_worker_consumes_its_queue_and_rows_follow_the_push(
    logged_in_page: Page, live_server, no_worker
):
    run = SyncRun.objects.create(trigger="test", status=RunStatus.QUEUED)
    operation = SyncOperation.objects.create(run=run, phase=1, kind="customer", key="CUS-7", action="create")
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/sync/syncrun/{run.pk}/change/")

    warning = page.locator("#sync-worker-warning")
    expect(warning).to_have_text(
        "No Celery worker is consuming the 'trackunit' queue, so this waits: start one with "
        f"`{WORKER_COMMAND}`."
    )
    row = page.locator(f"#sync-operations tr[data-op='{operation.pk}']")
    expect(row.locator(".op-status")).to_have_text("Pending")

    # A worker takes the run: the page's poll hides the warning and shows the row's new status in place.
    SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    SyncOperation.objects.filter(pk=operation.pk).update(status="failed", error_message="HTTP 422: bad PIN")
    expect(page.locator("#sync-worker-warning-box")).to_be_hidden(timeout=10_000)
    expect(row.locator(".op-status")).to_have_text("Failed")
    expect(row.locator(".op-error")).to_have_text("HTTP 422: bad PIN")
    expect(page.locator("#sync-status")).to_have_text("Running")
