"""A record's timeline: the local change, the attempts it caused and (assets) the readings, newest first."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assets.models import AssetReading
from contracts.models import ContractItem
from customers.models import CustomerContact
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.history import recorded_as
from sync.models import SyncAttempt
from sync.records import records_of
from sync.timeline import timeline
from tests import factories
from tests.history.forms import change_form_data

pytestmark = pytest.mark.django_db


def edited_in_the_admin(obj, user, **changes) -> None:
    """A save as the admin's change form makes it: the history row names the user and the form."""
    for name, value in changes.items():
        setattr(obj, name, value)
    with recorded_as("admin form", user=user):
        obj.save()


def sent(kind: str, key: str, status: int, outcome: str = "success", error_code: str = "") -> SyncAttempt:
    return SyncAttempt.objects.create(
        kind=kind,
        key=key,
        action="update",
        method="PATCH",
        url=f"https://api.example/{key}",
        status_code=status,
        duration_ms=30.0,
        outcome=outcome,
        error_code=error_code,
        triggered_by="clerk",
    )


def test_an_asset_is_pushed_as_its_reference_its_rental_data_and_its_custom_field_values():
    asset = factories.asset(external_reference="FLT-4711")
    assert sorted(records_of(asset)) == [
        ("asset", "FLT-4711"),
        ("asset_reference", "FLT-4711"),
        ("custom_fields", "ASSET:FLT-4711"),
    ]
    contact = CustomerContact.objects.create(
        customer=factories.customer(external_reference="C-1"), name="Ida"
    )
    assert records_of(contact) == [("contact", "C-1/Ida")]


def test_the_timeline_interleaves_the_change_the_attempts_and_the_readings(back_office_user):
    asset = factories.asset(external_reference="FLT-4711", name="Volvo EC220E")
    other = factories.asset(external_reference="FLT-0001")
    edited_in_the_admin(asset, back_office_user, name="Volvo EC220E #4711", pin="YV1EC220E00004711")
    sent("asset_reference", "FLT-4711", 422, "http_error", "validation_error")
    sent("asset_reference", "FLT-0001", 200)
    AssetReading.objects.create(
        asset=asset, observed_at=datetime(2026, 11, 1, tzinfo=UTC), operating_hours=Decimal("1234.50")
    )
    events = timeline(asset)
    assert [event.source for event in events] == ["reading", "attempt", "change", "change"]
    reading, attempt, change, created = events
    assert change.title == "Changed by clerk"
    assert change.detail == "through admin form"
    assert change.changes == ("Name: Volvo EC220E → Volvo EC220E #4711", "PIN / VIN: — → YV1EC220E00004711")
    assert created.title.startswith("Created by")
    assert attempt.failed
    assert "validation_error" in attempt.detail
    assert "1234.50 h" in reading.detail
    assert [event.source for event in timeline(other)] == ["attempt", "change"], "its own story only"


def test_the_asset_page_shows_a_form_edit_before_the_attempt_to_an_auditor(
    client, auditor_user, back_office_user
):
    asset = factories.asset(external_reference="FLT-4711", rental_status="AVAILABLE")
    client.force_login(back_office_user)
    url = reverse("admin:assets_asset_change", args=[asset.pk])
    assert client.post(url, change_form_data(client, url, rental_status="ON_RENT")).status_code == 302
    attempt = sent("asset", "FLT-4711", 422, "http_error", "validation_error")

    client.force_login(auditor_user)
    page = client.get(url).content.decode()
    timeline_html = page[page.index('id="record-timeline"') :]
    assert f"/admin/sync/syncattempt/{attempt.pk}/change/" in timeline_html
    edit = asset.history.first()
    assert reverse("admin:assets_asset_simple_history", args=[asset.pk, edit.history_id]) in timeline_html
    assert timeline_html.index("PATCH to Trackunit: 422") < timeline_html.index("Changed by clerk")
    assert "through admin form" in timeline_html
    assert "Rental status: Available → On rent" in timeline_html


def test_a_customer_page_shows_its_timeline_too(admin_client_for, operator_user):
    customer = factories.customer(external_reference="C-77")
    sent("customer", "C-77", 201)
    page = admin_client_for(operator_user).get(f"/admin/customers/customer/{customer.pk}/change/")
    assert "PATCH to Trackunit: 201" in page.content.decode()


def test_a_contract_timeline_shows_its_items_and_custom_field_values(back_office_user):
    contract = factories.contract(external_reference="RC-7")
    item = ContractItem.objects.create(
        contract=contract, asset=factories.asset(), on_rent_date=date(2026, 3, 1), external_reference="RI-7"
    )
    edited_in_the_admin(
        item, back_office_user, rate_amount=Decimal("130.00"), rate_currency="EUR", rate_period="DAY"
    )
    definition = CustomFieldDefinition.objects.create(
        entity_type="RENTAL_CONTRACT", key="site", title="Site", type="STRING"
    )
    with recorded_as("import job #3 (values.csv)", user=back_office_user):
        CustomFieldValue.objects.create(definition=definition, record=contract, value="Harbour")

    changes = [(event.title, event.changes) for event in timeline(contract) if event.source == "change"]
    assert changes[0] == ("Created custom field Site by clerk", ("Value: — → Harbour",))
    assert changes[1] == (
        "Changed item RI-7 by clerk",
        ("Rental rate: — → 130.00", "Currency: — → EUR", "Per: — → per day"),
    )
