"""The sync attempt views an auditor works with: find, read, export; and no button he may not press."""

import csv
import io
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from customers.models import CustomerContact
from sync.models import SyncAttempt, SyncDrift, SyncOperation, SyncRun
from sync.records import record_urls
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:sync_syncattempt_changelist"
EXPORT = "admin:sync_syncattempt_export"


def attempt(at: datetime | None = None, **fields) -> SyncAttempt:
    values = {
        "method": "PUT",
        "url": "https://api.trackunit.test/assets/1/rental",
        "duration_ms": 12.5,
        "outcome": "success",
        "status_code": 200,
        "triggered_by": "operator",
        **fields,
    }
    with mock.patch("django.utils.timezone.now", return_value=at or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)):
        return SyncAttempt.objects.create(**values)


@pytest.fixture
def failed_attempt() -> SyncAttempt:
    """A refused rental-data push for the excavator with PIN YV1EC220E00004711, and a success for another."""
    factories.asset(external_reference="FLT-4711", pin="YV1EC220E00004711", serial_number="SN-889-01")
    factories.asset(external_reference="FLT-0002", pin="WNC0000000002")
    run = SyncRun.objects.create(trigger="admin")
    operation = SyncOperation.objects.create(
        run=run,
        phase=6,
        kind="asset",
        key="FLT-4711",
        action="update",
        fields={"rentalData": [{"status": "IDLE"}, {"status": "ON_RENT"}]},
    )
    attempt(kind="asset", key="FLT-0002", run=run, triggered_by="operator")
    return attempt(
        at=datetime(2026, 11, 23, 9, 15, 2, 345000, tzinfo=UTC),
        run=run,
        operation=operation,
        kind="asset",
        key="FLT-4711",
        action="update",
        request_body='{"status": "ON_RENT", "name": "Gravemaskine Ærø"}',
        status_code=422,
        response_body='{"error": "Ugyldig værdi for status"}',
        outcome="http_error",
        error_code="validation_error",
        error_message='=HYPERLINK("http://evil")',
        triggered_by="operator",
    )


def keys_listed(response) -> list[str]:
    return [a.key for a in response.context["cl"].result_list]


def test_an_auditor_finds_a_failed_attempt_by_external_reference_and_by_part_of_the_pin(
    admin_client_for, auditor_user, failed_attempt
):
    client = admin_client_for(auditor_user)
    by_reference = client.get(reverse(CHANGELIST), {"q": "FLT-4711"})
    by_pin = client.get(reverse(CHANGELIST), {"q": "E00004711", "outcome__exact": "http_error"})
    by_serial = client.get(reverse(CHANGELIST), {"q": "889-01"})
    assert keys_listed(by_reference) == ["FLT-4711"]
    assert keys_listed(by_pin) == ["FLT-4711"]
    assert keys_listed(by_serial) == ["FLT-4711"]
    assert keys_listed(client.get(reverse(CHANGELIST), {"q": "NOT-A-PIN"})) == []


def test_the_list_filters_by_date_range_status_error_code_actor_and_run(
    admin_client_for, auditor_user, failed_attempt
):
    attempt(at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), kind="depot", key="DEP-1", triggered_by="beat")
    client = admin_client_for(auditor_user)

    def listed(**params) -> list[str]:
        response = client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return sorted(keys_listed(response))

    assert listed(created_from="2026-11-21", created_to="2026-11-23") == ["FLT-0002", "FLT-4711"]
    assert listed(created_to="2026-11-20") == ["DEP-1"]
    assert listed(status_code__exact="422") == ["FLT-4711"]
    assert listed(error_code__exact="validation_error") == ["FLT-4711"]
    assert listed(triggered_by__exact="beat") == ["DEP-1"]
    assert listed(run__id__exact=str(failed_attempt.run_id)) == ["FLT-0002", "FLT-4711"]
    assert listed(kind__exact="depot") == ["DEP-1"]


def test_a_date_that_is_no_date_is_refused_not_ignored(admin_client_for, auditor_user, failed_attempt):
    response = admin_client_for(auditor_user).get(reverse(CHANGELIST), {"created_from": "23.11.2026"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_times_show_milliseconds_in_the_sites_zone_and_keys_link_to_the_record(
    admin_client_for, auditor_user, failed_attempt, settings
):
    settings.TIME_ZONE = "Europe/Copenhagen"
    asset_url = reverse("admin:assets_asset_change", args=[failed_attempt_asset_pk()])
    content = admin_client_for(auditor_user).get(reverse(CHANGELIST), {"q": "FLT-4711"}).content.decode()
    assert "2026-11-23 10:15:02.345" in content
    assert f'<a href="{asset_url}">FLT-4711</a>' in content
    run_url = reverse("admin:sync_syncrun_change", args=[failed_attempt.run_id])
    assert f'<a href="{run_url}">Sync run #{failed_attempt.run_id}</a>' in content


def failed_attempt_asset_pk() -> int:
    from assets.models import Asset

    return Asset.objects.get(external_reference="FLT-4711").pk


def test_the_detail_shows_the_operation_diff_and_request_and_response_as_text(
    admin_client_for, auditor_user, failed_attempt, settings
):
    settings.TIME_ZONE = "Europe/Copenhagen"
    page = admin_client_for(auditor_user).get(
        reverse("admin:sync_syncattempt_change", args=[failed_attempt.pk])
    )
    content = page.content.decode()
    assert page.status_code == 200
    assert "2026-11-23 10:15:02.345" in content
    assert "<code>rentalData.status</code></td><td>IDLE</td><td>→</td><td>ON_RENT" in content
    assert "&quot;error&quot;: &quot;Ugyldig værdi for status&quot;" in content
    assert "Gravemaskine Ærø" in content
    assert "\\u00e6" not in content
    assert content.index('id="operation-diff"') < content.index('id="request-body"')
    assert content.index('id="request-body"') < content.index('id="response-body"')


def test_an_auditor_exports_the_filtered_list_as_formula_safe_csv(
    admin_client_for, auditor_user, failed_attempt, settings
):
    settings.TIME_ZONE = "Europe/Copenhagen"
    changelist = admin_client_for(auditor_user).get(reverse(CHANGELIST), {"q": "E00004711"}).content.decode()
    assert f'href="{reverse(EXPORT)}?q=E00004711"' in changelist

    response = admin_client_for(auditor_user).get(reverse(EXPORT), {"q": "E00004711"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["time", "run", "kind", "key"]
    assert rows[1:] == [
        [
            "2026-11-23 10:15:02.345",
            str(failed_attempt.run_id),
            "asset",
            "FLT-4711",
            "update",
            "PUT",
            "https://api.trackunit.test/assets/1/rental",
            "422",
            "http_error",
            "validation_error",
            '\'=HYPERLINK("http://evil")',
            "12.5",
            "1",
            "operator",
        ]
    ]


def test_the_export_without_filters_holds_every_attempt(admin_client_for, auditor_user, failed_attempt):
    response = admin_client_for(auditor_user).get(reverse(EXPORT))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row[3] for row in rows[1:]) == ["FLT-0002", "FLT-4711"]


def test_staff_without_view_permission_may_not_export(admin_client_for, failed_attempt):
    nobody = User.objects.create_user("nobody", password="x-Y-z-123456", is_staff=True)
    assert admin_client_for(nobody).get(reverse(EXPORT)).status_code == 403


def test_an_auditor_sees_no_run_or_drift_actions_an_operator_does(
    admin_client_for, auditor_user, operator_user
):
    SyncRun.objects.create(trigger="admin")
    SyncDrift.objects.create(kind="customer", key="CUS-1", fields={"name": {"pushed": "A", "remote": "B"}})
    auditor = admin_client_for(auditor_user)
    for name in ("admin:sync_syncrun_changelist", "admin:sync_syncdrift_changelist"):
        assert 'name="action"' not in auditor.get(reverse(name)).content.decode()
    operator = admin_client_for(operator_user)
    assert "apply_selected" in operator.get(reverse("admin:sync_syncrun_changelist")).content.decode()
    drift_page = operator.get(reverse("admin:sync_syncdrift_changelist")).content.decode()
    assert "overwrite_remote" in drift_page
    assert "adopt_remote" in drift_page
    assert "<code>name</code></td><td>A</td><td>→</td><td>B" in drift_page


def test_a_refusal_is_a_styled_page_with_a_way_back(admin_client_for, auditor_user, settings):
    settings.DEBUG = False
    response = admin_client_for(auditor_user).get(reverse("admin:sync_syncattempt_add"))
    content = response.content.decode()
    assert response.status_code == 403
    assert "You may not do this" in content
    assert f'href="{reverse("admin:index")}"' in content
    assert 'id="site-name"' in content


def test_each_kind_of_key_resolves_to_its_local_records_admin_page():
    customer = factories.customer(external_reference="CUS/7")
    asset = factories.asset(external_reference="FLT-9")
    contact = CustomerContact.objects.create(customer=customer, name="Site office")
    urls = record_urls(
        [
            ("customer", "CUS/7"),
            ("asset_reference", "FLT-9"),
            ("asset", "FLT-9"),
            ("contact", "CUS/7/Site office"),
            ("customer_asset", "CUS/7/FLT-9"),
            ("custom_fields", "ASSET:FLT-9"),
            ("customer", "GONE"),
            ("unknown", "x"),
        ]
    )
    asset_url = reverse("admin:assets_asset_change", args=[asset.pk])
    assert urls == {
        ("customer", "CUS/7"): reverse("admin:customers_customer_change", args=[customer.pk]),
        ("asset_reference", "FLT-9"): asset_url,
        ("asset", "FLT-9"): asset_url,
        ("contact", "CUS/7/Site office"): reverse(
            "admin:customers_customercontact_change", args=[contact.pk]
        ),
        ("customer_asset", "CUS/7/FLT-9"): asset_url,
        ("custom_fields", "ASSET:FLT-9"): asset_url,
    }
