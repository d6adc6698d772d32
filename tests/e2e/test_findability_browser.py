"""Issue 14 in a real browser: a PIN fragment finds its asset, the asset's page shows its sync status and
leads to its attempts, and the import preview shows before -> after with row filters that work."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from customers.models import Customer
from sync.models import SyncAttempt, SyncState, SyncStatus
from tests import factories
from tests.fixtures.celery_worker import allow_audit_truncate

pytestmark = pytest.mark.browser


def attempt(kind: str, key: str, status_code: int) -> SyncAttempt:
    return SyncAttempt.objects.create(
        kind=kind,
        key=key,
        action="update",
        method="POST",
        url=f"https://api.trackunit.test/{kind}/{key}",
        request_body="{}",
        status_code=status_code,
        response_body="{}",
        duration_ms=12,
        outcome="success" if status_code < 400 else "http_error",
        error_code="" if status_code < 400 else "validation_error",
        triggered_by="test",
    )


def test_part_of_a_pin_finds_the_asset(logged_in_page: Page, live_server):
    page = logged_in_page
    page.set_default_timeout(15_000)
    factories.asset(name="Volvo EC220E #4711", pin="YV1EC220E00004711", serial_number="VCE-0471")
    factories.asset(name="Volvo EC220E #4712", pin="YV1EC220E00004712", serial_number="VCE-0472")
    factories.asset(name="JCB 3CX #9", pin="JCB3CX00000000009", serial_number="JCB-0009")

    page.goto(f"{live_server.url}/admin/assets/asset/")
    page.fill("#searchbar", "04711")  # five characters from the middle of the plate's PIN
    page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Volvo EC220E #4711")

    page.fill("#searchbar", "ce-047")  # part of a serial number, in the wrong case
    page.press("#searchbar", "Enter")
    expect(rows).to_have_count(2)


def test_the_asset_page_shows_its_sync_status_and_leads_to_its_attempts(logged_in_page: Page, live_server):
    allow_audit_truncate()  # this test commits audit rows, which the flush afterwards must clear
    page = logged_in_page
    page.set_default_timeout(15_000)
    asset = factories.asset(name="Volvo EC220E #4711", external_reference="FLT-4711")
    factories.asset(external_reference="FLT-4712")
    SyncState.objects.create(
        kind="asset",
        key="FLT-4711",
        status=SyncStatus.FAILED,
        source_version=timezone.now(),
        last_error="422 validation_error: status",
    )
    attempt("asset_reference", "FLT-4711", 200)
    attempt("asset", "FLT-4711", 422)
    attempt("asset", "FLT-4712", 200)

    page.goto(f"{live_server.url}/admin/assets/asset/{asset.pk}/change/")
    box = page.locator("#record-sync")
    expect(box.locator("#record-sync-status")).to_have_text("● Failed")
    expect(box.locator("#record-sync-last-attempt")).to_contain_text("POST 422")
    page.click("#record-sync-attempts")

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="FLT-4712")).to_have_count(0)
    expect(rows.filter(has_text="asset_reference")).to_have_count(1)


def test_the_import_preview_shows_before_and_after_and_filters_rows(
    logged_in_page: Page, live_server, tmp_path
):
    page = logged_in_page
    page.set_default_timeout(15_000)
    Customer.objects.create(external_reference="CUS-1", name="Fjordbyg A/S", type="DEALER", city="Odense")
    Customer.objects.create(external_reference="CUS-2", name="Havnebyg ApS", type="DEALER", city="Esbjerg")
    csv_file = tmp_path / "customers.csv"
    csv_file.write_bytes(
        b"external_reference,name,city\r\nCUS-1,Fjordbyg A/S,Aarhus\r\nCUS-2,Havnebyg ApS,Esbjerg\r\n"
        b"CUS-3,Nybyg A/S,Vejle\r\n"
    )
    page.goto(f"{live_server.url}/admin/customers/customer/import/")
    page.set_input_files("#id_import_file", str(csv_file))
    page.click("input[type=submit]")

    preview = page.locator("#import-preview tbody tr")
    expect(preview).to_have_count(3)
    changed = preview.filter(has_text="CUS-1")
    expect(changed.locator(".import-before")).to_have_text("Odense")
    expect(changed.locator(".import-after")).to_have_text("Aarhus")

    page.click("#import-preview-filters button[data-action=update]")
    expect(preview.filter(has_text="CUS-1")).to_be_visible()
    expect(preview.filter(has_text="CUS-2")).to_be_hidden()
    expect(preview.filter(has_text="CUS-3")).to_be_hidden()

    page.click("#import-preview-filters button[data-action=new]")
    expect(preview.filter(has_text="CUS-3")).to_be_visible()
    expect(preview.filter(has_text="CUS-1")).to_be_hidden()

    page.click("#import-preview-filters button[data-action=all]")
    for reference in ("CUS-1", "CUS-2", "CUS-3"):
        expect(preview.filter(has_text=reference)).to_be_visible()
