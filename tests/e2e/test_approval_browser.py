"""Issue 14 items 1 and 2 in Chromium, with a real Celery worker and the sandbox over HTTP: a clerk's save
in a database never synced leaves a plan awaiting approval and sends nothing; an operator approves it and
the run completes; a one-record change then syncs on its own and names who asked; a record Trackunit
rejects three times is set aside, and "Retry" on its page sends it again."""

import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from rentalbridge.roles.definitions import BACK_OFFICE, SYNC_OPERATOR
from sync import service
from sync.models import RunStatus, SyncAttempt, SyncRun, SyncState, SyncStatus
from tests import factories
from tests.fixtures.celery_worker import allow_audit_truncate

pytestmark = pytest.mark.browser
PASSWORD = "browser-pass-123"
WAIT_S = 60.0


def wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def log_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def user(username: str, role: str) -> User:
    account = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    account.groups.add(Group.objects.get(name=role))
    return account


def posts_about(key: str) -> int:
    return SyncAttempt.objects.filter(key=key, method="POST").count()


def test_automatic_syncs_wait_for_approval_apply_small_changes_and_set_failures_aside(
    page: Page, live_server, transactional_db, roles, celery_worker, worker_sandbox, settings
):
    allow_audit_truncate()
    worker_sandbox.reset()
    page.set_default_timeout(20_000)
    user("clerk", BACK_OFFICE)
    user("operator", SYNC_OPERATOR)
    customers = [
        factories.customer(external_reference=f"CUS-AP{n}", name=f"Approval Test {n} A/S")
        for n in range(1, 4)
    ]
    settings.SYNC_ON_CHANGE = True
    settings.SYNC_DEBOUNCE_S = 1

    # A clerk's save in a database that never synced: the plan waits and nothing is sent.
    log_in(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/admin/customers/customer/{customers[0].pk}/change/")
    page.fill("#id_name", "Approval Test 1 A/S (renamed)")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    wait_for(lambda: SyncRun.objects.filter(status=RunStatus.AWAITING_APPROVAL).exists(), "a plan to wait")
    waiting = SyncRun.objects.get(status=RunStatus.AWAITING_APPROVAL)
    assert (
        waiting.trigger_detail
        == "clerk saved customer Approval Test 1 A/S (renamed) (CUS-AP1) through admin form"
    )
    assert not SyncAttempt.objects.exists()
    assert worker_sandbox.state()["customers"] == []

    # The operator finds it on the admin home, reviews and approves it; the run completes.
    log_in(page, live_server.url, "operator")
    notice = page.locator("#dashboard-waiting")
    expect(notice).to_contain_text(f"Sync run #{waiting.pk} awaits approval")
    expect(notice).to_contain_text("The first sync of this database")
    notice.get_by_role("link", name=f"Sync run #{waiting.pk}").click()
    expect(page.locator("#sync-operations")).to_contain_text("CUS-AP3")
    page.click("#approve-plan")
    expect(page.locator("#sync-status")).to_have_text("Succeeded", timeout=WAIT_S * 1000)
    references = {c["externalReference"] for c in worker_sandbox.state()["customers"]}
    assert {"CUS-AP1", "CUS-AP2", "CUS-AP3"} <= references

    # A one-record change syncs on its own, and its run names the clerk and the record.
    log_in(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/admin/customers/customer/{customers[1].pk}/change/")
    page.fill("#id_name", "Approval Test 2 A/S (moved)")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    wait_for(
        lambda: SyncRun.objects.filter(pk__gt=waiting.pk, status=RunStatus.SUCCEEDED).exists(),
        "the one-record change to sync on its own",
    )
    on_its_own = SyncRun.objects.get(pk__gt=waiting.pk)
    assert on_its_own.trigger == "auto"
    assert on_its_own.triggered_by.username == "clerk"
    assert on_its_own.summary["update"] == 1
    names = {c["externalReference"]: c["name"] for c in worker_sandbox.state()["customers"]}
    assert names["CUS-AP2"] == "Approval Test 2 A/S (moved)"

    # A record Trackunit rejects three times in a row is set aside; "Retry" on its page sends it again.
    settings.SYNC_ON_CHANGE = False
    broken = factories.customer(external_reference="CUS-BROKEN", name="Broken ApS", email="not-an-address")
    for _ in range(3):
        run = service.sync_now(trigger="test")
        wait_for(lambda run=run: SyncRun.objects.get(pk=run.pk).status in service.DONE, f"{run} to finish")
    assert posts_about("CUS-BROKEN") == 3
    assert SyncState.objects.get(kind="customer", key="CUS-BROKEN").status == SyncStatus.NEEDS_ATTENTION
    assert not service.sync_now(trigger="test").operations.filter(key="CUS-BROKEN").exists()

    settings.SYNC_ON_CHANGE = True
    log_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/admin/customers/customer/{broken.pk}/change/")
    expect(page.locator("#record-sync-status")).to_have_text("● Needs attention")
    expect(page.locator("#record-sync-decide")).to_contain_text("after 3 rejections in a row")
    expect(page.locator("#record-sync-error")).to_contain_text("email")
    page.click("#record-sync-retry")
    expect(page.locator(".messagelist .success")).to_contain_text("will be sent again")
    wait_for(lambda: posts_about("CUS-BROKEN") == 4, "the retried record to be sent again")
