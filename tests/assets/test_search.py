"""Finding an asset by any part of its PIN or serial number, served by trigram indexes on PostgreSQL."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from assets.models import Asset
from tests import factories

pytestmark = pytest.mark.django_db


def search(term: str):
    request = RequestFactory().get("/admin/assets/asset/", {"q": term})
    model_admin = admin.site._registry[Asset]
    found, _ = model_admin.get_search_results(request, Asset.objects.all(), term)
    return found


def test_part_of_a_pin_or_serial_number_finds_the_asset(admin_client_for, back_office_user):
    factories.asset(name="Volvo #1", pin="YV1EC220E00004711", serial_number="VCE-0471")
    factories.asset(name="Volvo #2", pin="YV1EC220E00004712", serial_number="VCE-0472")
    assert [a.name for a in search("04711")] == ["Volvo #1"]
    assert sorted(a.name for a in search("vce-047")) == ["Volvo #1", "Volvo #2"]
    response = admin_client_for(back_office_user).get(
        reverse("admin:assets_asset_changelist"), {"q": "e00004712"}
    )
    assert [a.name for a in response.context["cl"].result_list] == ["Volvo #2"]


def test_the_admin_search_is_served_by_the_trigram_indexes():
    """The suite runs on PostgreSQL (make test), where migration 0004 built the indexes."""
    factories.asset(pin="YV1EC220E00004711")
    with connection.cursor() as cursor:
        # Without sequential scans on the table, a plan that still reads it means no index serves the search;
        # unordered, so a handful of rows is not walked in the name index's order instead.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search("04711").order_by().explain()
    for index in ("asset_name_trgm", "asset_reference_trgm", "asset_pin_trgm", "asset_serial_trgm"):
        assert index in plan
    assert "Seq Scan" not in plan
