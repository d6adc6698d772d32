"""An operator plans a sync in the browser: the page follows the job a real Celery worker does."""

from playwright.sync_api import Page, expect

from sync.models import RunStatus, SyncRun
from tests import factories


def test_plan_sync_is_done_by_a_worker_while_the_page_follows_it(
    logged_in_page: Page, live_server, celery_worker
):
    factories.customer(external_reference="CUS-77", name="Fjordbyg AS")
    page = logged_in_page
    page.goto(f"{live_server.url}/admin/sync/syncrun/")
    page.click("#plan-sync")
    expect(page.locator("#sync-job")).to_be_visible()
    expect(page.locator("#sync-job-result")).to_contain_text("1 create · 0 update", timeout=30_000)
    run = SyncRun.objects.get()
    assert run.status == RunStatus.PLANNED
    page.click("#sync-job-result a.button")
    expect(page.locator("#sync-operations")).to_contain_text("CUS-77")
    expect(page.locator("#apply-plan")).to_be_visible()
