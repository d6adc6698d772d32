"""An auditor in a real browser: finds a refused push by part of a PIN, reads Trackunit's answer, exports,
and sees on the record's timeline the local change that came before it."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from rentalbridge.roles.definitions import AUDITOR, BACK_OFFICE
from sync.models import SyncAttempt, SyncOperation, SyncRun
from tests import factories
from tests.fixtures.celery_worker import allow_audit_truncate

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "browser-pass-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_an_auditor_finds_reads_and_exports_a_failed_attempt(page: Page, live_server, roles):
    allow_audit_truncate()  # this test commits audit rows, which the flush afterwards must clear
    asset = factories.asset(
        external_reference="FLT-4711",
        name="Volvo EC220E #4711",
        pin="YV1EC220E00004711",
        rental_status="AVAILABLE",
    )
    page.set_default_timeout(15_000)
    page.set_viewport_size({"width": 1600, "height": 1000})
    # First a clerk puts the machine on rent in the admin: the local change the push then carried.
    clerk = User.objects.create_user("clerk", password="browser-pass-123", is_staff=True)
    clerk.groups.add(Group.objects.get(name=BACK_OFFICE))
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/admin/assets/asset/{asset.pk}/change/")
    page.select_option("#id_rental_status", "ON_RENT")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.context.clear_cookies()

    run = SyncRun.objects.create(trigger="admin")
    operation = SyncOperation.objects.create(
        run=run,
        phase=6,
        kind="asset",
        key="FLT-4711",
        action="update",
        fields={"rentalData": [{"status": "IDLE", "rate": 120}, {"status": "ON_RENT", "rate": 130}]},
    )
    for key, status, outcome in (("FLT-0001", 200, "success"), ("FLT-4711", 422, "http_error")):
        SyncAttempt.objects.create(
            run=run,
            operation=operation if key == "FLT-4711" else None,
            kind="asset",
            key=key,
            action="update",
            method="PUT",
            url=f"https://api.trackunit.test/assets/{key}/rental",
            request_body='{"status": "ON_RENT", "name": "Gravemaskine Ærø"}',
            status_code=status,
            response_body='{"error": "Ugyldig værdi for status", "field": "status"}'
            if status == 422
            else "{}",
            duration_ms=41.2,
            outcome=outcome,
            error_code="validation_error" if status == 422 else "",
            triggered_by="operator",
        )
    auditor = User.objects.create_user("auditor", password="browser-pass-123", is_staff=True)
    auditor.groups.add(Group.objects.get(name=AUDITOR))
    log_in(page, live_server, "auditor")

    page.goto(f"{live_server.url}/admin/sync/syncattempt/")
    page.fill("#searchbar", "E00004711")
    page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("validation_error")
    page.screenshot(path=str(SHOTS / "attempt-list.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#export-csv")
    exported = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [(row[3], row[7], row[9]) for row in exported[1:]] == [("FLT-4711", "422", "validation_error")]

    rows.locator("th a").click()
    expect(page.locator("#response-body")).to_contain_text('"error": "Ugyldig værdi for status"')
    expect(page.locator("#request-body")).to_contain_text("Gravemaskine Ærø")
    expect(page.locator("#operation-diff")).to_contain_text("rentalData.rate")
    page.screenshot(path=str(SHOTS / "attempt-detail.png"), full_page=True)

    # The attempt's key leads to the asset; its timeline shows the clerk's change before the failed push.
    page.locator(f"a[href='/admin/assets/asset/{asset.pk}/change/']", has_text="FLT-4711").first.click()
    events = page.locator("#record-timeline tbody tr")
    expect(events.nth(0)).to_contain_text("PUT to Trackunit: 422")
    expect(events.nth(1)).to_contain_text("Changed by clerk")
    expect(events.nth(1)).to_contain_text("through admin form")
    expect(events.nth(1)).to_contain_text("Rental status: Available → On rent")
    page.locator("#record-timeline").screenshot(path=str(SHOTS / "timeline-form-edit.png"))
    events.nth(1).locator("a").click()
    expect(page.locator("#content h1")).to_contain_text("View")
    expect(page.locator("#content")).not_to_contain_text("Revert")
