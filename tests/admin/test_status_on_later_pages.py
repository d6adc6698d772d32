"""A later page of a synced changelist shows the same sync status as its record has: the page's status is
read for the page's rows only (sync.admin_status.StatusOnPagePaginator), so it must land on the right row."""

import pytest
from django.urls import reverse

from assets.models import Asset
from sync import ledger
from sync.models import SyncStatus

pytestmark = pytest.mark.django_db


def test_the_second_page_shows_each_assets_own_sync_status(client, superuser):
    Asset.objects.bulk_create(
        Asset(name=f"Loader {n:03d}", external_reference=f"A-{n:03d}") for n in range(102)
    )
    ledger.record_failed("asset", "A-101", "constraint_violation: name")
    client.force_login(superuser)
    url = reverse("admin:assets_asset_changelist")

    second_page = client.get(url, {"p": "2"}).context["cl"].result_list  # 100 a page, ordered by name
    assert {a.external_reference: a.sync_status for a in second_page} == {
        "A-100": SyncStatus.PENDING,
        "A-101": SyncStatus.FAILED,
    }
    only_failed = client.get(url, {"sync_status": "failed"}).context["cl"].result_list
    assert [a.external_reference for a in only_failed] == ["A-101"]
