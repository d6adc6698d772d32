"""A record's timeline: the local change, the attempts it caused and (assets) the readings, newest first."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from assets.models import AssetReading
from customers.models import CustomerContact
from sync.models import SyncAttempt
from sync.records import records_of
from sync.timeline import timeline
from tests import factories

pytestmark = pytest.mark.django_db


def edited_in_the_admin(obj, user, fields: list[str]) -> None:
    """What the admin's change form logs for a save (Django's own JSON change message)."""
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": fields}}]),
    )


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
    asset = factories.asset(external_reference="FLT-4711")
    other = factories.asset(external_reference="FLT-0001")
    edited_in_the_admin(asset, back_office_user, ["Name", "PIN"])
    sent("asset_reference", "FLT-4711", 422, "http_error", "validation_error")
    sent("asset_reference", "FLT-0001", 200)
    AssetReading.objects.create(
        asset=asset, observed_at=datetime(2026, 11, 1, tzinfo=UTC), operating_hours=Decimal("1234.50")
    )
    events = timeline(asset)
    assert [event.source for event in events] == ["reading", "attempt", "change"]
    reading, attempt, change = events
    assert change.title == "Changed by clerk"
    assert "Name" in change.detail
    assert "PIN" in change.detail
    assert attempt.failed
    assert "validation_error" in attempt.detail
    assert "1234.50 h" in reading.detail
    assert len(timeline(other)) == 1, "another asset's attempt is on its own timeline only"


def test_the_asset_page_shows_the_timeline_to_an_auditor(admin_client_for, auditor_user, back_office_user):
    asset = factories.asset(external_reference="FLT-4711")
    edited_in_the_admin(asset, back_office_user, ["Rental status"])
    attempt = sent("asset", "FLT-4711", 422, "http_error", "validation_error")
    page = admin_client_for(auditor_user).get(f"/admin/assets/asset/{asset.pk}/change/").content.decode()
    timeline_html = page[page.index('id="record-timeline"') :]
    assert f"/admin/sync/syncattempt/{attempt.pk}/change/" in timeline_html
    assert timeline_html.index("PATCH to Trackunit: 422") < timeline_html.index("Changed by clerk")


def test_a_customer_page_shows_its_timeline_too(admin_client_for, operator_user):
    customer = factories.customer(external_reference="C-77")
    sent("customer", "C-77", 201)
    page = admin_client_for(operator_user).get(f"/admin/customers/customer/{customer.pk}/change/")
    assert "PATCH to Trackunit: 201" in page.content.decode()
