"""The sync status on contracts, contract items and contacts (column and filter), and the "Trackunit" box
on a record's page with its last attempt and a link to all its attempts (issue 14, findability)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerContact
from sync.models import SyncAttempt, SyncState, SyncStatus
from tests import factories

LATER = timedelta(hours=1)


def ledger(kind: str, key: str, status: str, version=None, error: str = "") -> SyncState:
    return SyncState.objects.create(
        kind=kind,
        key=key,
        status=status,
        source_version=version or timezone.now() + LATER,
        last_error=error,
        synced_at=timezone.now(),
    )


def attempt(kind: str, key: str, status_code: int, created_at, error_code: str = "") -> SyncAttempt:
    return SyncAttempt.objects.create(
        kind=kind,
        key=key,
        action="update",
        method="POST",
        url=f"https://api.trackunit.test/{kind}/{key}",
        request_body="{}",
        status_code=status_code,
        response_body="{}",
        duration_ms=10,
        outcome="success" if status_code < 400 else "http_error",
        error_code=error_code,
        created_at=created_at,
        triggered_by="test",
    )


def status_cells(response) -> dict[str, str]:
    """First column text -> the sync column's text, for each changelist row."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.cell, self.row = [], None, None

        def handle_starttag(self, tag, attrs):
            classes = dict(attrs).get("class") or ""
            if tag == "tr":
                self.row = []
            elif tag in ("td", "th") and self.row is not None:
                self.cell = {"class": classes, "text": ""}

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.row.append(self.cell)
                self.cell = None
            elif tag == "tr" and self.row:
                self.rows.append(self.row)
                self.row = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell["text"] += data

    parser = Rows()
    parser.feed(response.content.decode())
    found = {}
    for row in parser.rows:
        first = next((c["text"].strip() for c in row if "field-" in c["class"]), None)
        sync = next((c["text"].strip() for c in row if "field-sync_status" in c["class"]), None)
        if first and sync:
            found[first] = sync.lstrip("● ")
    return found


@pytest.fixture
def rented(db):
    """Three open contracts: one whose asset Trackunit accepted, one whose asset failed, one edited since."""
    in_sync, failed, edited = (factories.asset(external_reference=ref) for ref in ("FLT-A", "FLT-B", "FLT-C"))
    contracts = {}
    for reference, asset in (("RC-OK", in_sync), ("RC-FAIL", failed), ("RC-EDIT", edited)):
        contracts[reference] = factories.contract(external_reference=reference)
        factories.item(contracts[reference], asset, date(2026, 3, 1))
    factories.contract(external_reference="RC-EMPTY")
    ledger("asset", "FLT-A", SyncStatus.IN_SYNC)
    ledger("asset", "FLT-B", SyncStatus.FAILED, error="422 validation_error: status")
    ledger("asset", "FLT-C", SyncStatus.IN_SYNC, version=timezone.now() - LATER)
    return contracts


def test_contracts_show_the_worst_status_of_their_assets_rental_data(admin_client_for, superuser, rented):
    client = admin_client_for(superuser)
    shown = status_cells(client.get(reverse("admin:contracts_contract_changelist")))
    assert shown == {
        "RC-OK": "In sync",
        "RC-FAIL": "Failed",
        "RC-EDIT": "Pending",
        "RC-EMPTY": "Nothing to send",
    }
    failed = status_cells(
        client.get(reverse("admin:contracts_contract_changelist"), {"sync_status": "failed"})
    )
    assert list(failed) == ["RC-FAIL"]


def test_contract_items_show_their_assets_rental_data_status(admin_client_for, superuser, rented):
    client = admin_client_for(superuser)
    response = client.get(reverse("admin:contracts_contractitem_changelist"), {"o": "2"})
    rows = status_cells(response)
    assert sorted(rows.values()) == ["Failed", "In sync", "Pending"]
    pending = client.get(reverse("admin:contracts_contractitem_changelist"), {"sync_status": "pending"})
    assert "RC-EDIT" in pending.content.decode()
    assert "RC-OK" not in pending.content.decode()


def test_a_contract_edited_after_the_push_makes_its_items_pending(admin_client_for, superuser, rented):
    contract = rented["RC-OK"]
    contract.end_date = date(2026, 12, 31)
    contract.save()
    SyncState.objects.filter(key="FLT-A").update(source_version=contract.updated_at - LATER)
    client = admin_client_for(superuser)
    shown = status_cells(client.get(reverse("admin:contracts_contract_changelist")))
    assert shown["RC-OK"] == "Pending"


def test_contacts_show_their_ledger_status(admin_client_for, superuser, db):
    customer = factories.customer(external_reference="CUS-7")
    CustomerContact.objects.create(customer=customer, name="Ops desk")
    CustomerContact.objects.create(customer=customer, name="Billing")
    ledger("contact", "CUS-7/Ops desk", SyncStatus.DRIFT)
    client = admin_client_for(superuser)
    shown = status_cells(client.get(reverse("admin:customers_customercontact_changelist")))
    assert shown == {"Billing": "Pending", "Ops desk": "Drift"}


def test_the_sync_column_stands_beside_the_rental_status(admin_client_for, superuser, db):
    client = admin_client_for(superuser)
    for name, before in [
        ("assets_asset", "rental_status"),
        ("contracts_contract", "status"),
        ("contracts_contractitem", "contract_status"),
        ("customers_customer", "type"),
    ]:
        response = client.get(reverse(f"admin:{name}_changelist"))
        columns = list(response.context["cl"].list_display)
        assert columns[columns.index(before) + 1] == "sync_status", name


def test_the_asset_page_shows_its_status_last_attempt_and_links_to_its_attempts(
    admin_client_for, auditor_user, db
):
    asset = factories.asset(external_reference="FLT-9", pin="PIN0009")
    other = factories.asset(external_reference="FLT-10")
    ledger("asset", "FLT-9", SyncStatus.FAILED, error="422 validation_error: status")
    now = timezone.now()
    attempt("asset_reference", "FLT-9", 200, now - 2 * LATER)
    newest = attempt("asset", "FLT-9", 422, now - LATER, error_code="validation_error")
    attempt("asset", "FLT-10", 200, now)
    client = admin_client_for(auditor_user)
    page = client.get(reverse("admin:assets_asset_change", args=[asset.pk])).content.decode()
    assert 'id="record-sync"' in page
    assert "● Failed" in page
    assert "422 validation_error: status" in page
    assert reverse("admin:sync_syncattempt_change", args=[newest.pk]) in page

    sync = client.get(reverse("admin:assets_asset_change", args=[asset.pk])).context["sync"]
    listed = client.get(sync.attempts_url)
    assert listed.status_code == 200
    keys = sorted((a.kind, a.key) for a in listed.context["cl"].result_list)
    assert keys == [("asset", "FLT-9"), ("asset_reference", "FLT-9")]
    assert other.external_reference not in [key for _, key in keys]


def test_a_contracts_attempts_are_those_of_the_assets_on_its_items(admin_client_for, superuser, rented):
    now = timezone.now()
    attempt("asset", "FLT-A", 200, now)
    attempt("asset", "FLT-B", 422, now)
    client = admin_client_for(superuser)
    page = client.get(reverse("admin:contracts_contract_change", args=[rented["RC-OK"].pk]))
    assert "● In sync" in page.content.decode()
    listed = client.get(page.context["sync"].attempts_url)
    assert [(a.kind, a.key) for a in listed.context["cl"].result_list] == [("asset", "FLT-A")]
