"""History in the admin is for reading: nobody, superusers included, changes, reverts or deletes it."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from assets.models import Asset
from tests import factories
from tests.history.test_recording import HISTORY_TRACKED

pytestmark = pytest.mark.django_db


def test_no_history_model_has_an_admin_of_its_own():
    registered = set(admin.site._registry)
    assert not {model.history.model for model in HISTORY_TRACKED} & registered
    assert set(HISTORY_TRACKED) <= registered


@pytest.mark.parametrize("model", HISTORY_TRACKED, ids=lambda model: model.__name__)
def test_every_record_page_has_its_history_view(model, admin_client_for, auditor_user):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[1])
    # Nothing with id 1 exists: the view is wired (404 from simple-history's view, not a missing URL).
    assert admin_client_for(auditor_user).get(url).status_code == 404


def test_the_auditor_reads_a_records_history_without_revert_buttons(admin_client_for, auditor_user):
    asset = factories.asset(name="Volvo EC220E")
    asset.name = "Volvo EC220E #4711"
    asset.save()
    client = admin_client_for(auditor_user)
    page = client.get(reverse("admin:assets_asset_history", args=[asset.pk])).content.decode()
    assert "Volvo EC220E #4711" in page
    version = asset.history.last()
    url = reverse("admin:assets_asset_simple_history", args=[asset.pk, version.history_id])
    page = client.get(url).content.decode()
    assert "Volvo EC220E" in page
    assert 'name="_save"' not in page
    assert "Revert" not in page


def test_a_superuser_cannot_revert_a_record_through_the_version_page(admin_client_for, superuser):
    customer = factories.customer(name="Nordbyg A/S", external_reference="C-1")
    customer.name = "Nordbyg Group A/S"
    customer.save()
    first = customer.history.last()
    client = admin_client_for(superuser)
    url = reverse("admin:customers_customer_simple_history", args=[customer.pk, first.history_id])
    page = client.get(url).content.decode()
    assert '<input type="submit"' not in page, "no button posts this page"
    response = client.post(url, {"name": "Nordbyg A/S", "external_reference": "C-1", "type": "CONTRACTOR"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Nordbyg Group A/S"
    assert customer.history.count() == 2


def test_the_version_page_shows_every_field_read_only(admin_client_for, superuser):
    asset = factories.asset(name="Volvo EC220E")
    version = asset.history.get()
    page = admin_client_for(superuser).get(
        reverse("admin:assets_asset_simple_history", args=[asset.pk, version.history_id])
    )
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields, "no field of the old version is editable"
    assert Asset.objects.get().name == "Volvo EC220E"


@pytest.mark.parametrize("model", HISTORY_TRACKED, ids=lambda model: model.__name__)
@pytest.mark.parametrize("view", ["change", "delete", "changelist"])
def test_history_rows_have_no_change_or_delete_url(model, view):
    name = f"admin:{model._meta.app_label}_{model.history.model._meta.model_name}_{view}"
    with pytest.raises(NoReverseMatch):
        reverse(name, args=[] if view == "changelist" else [1])


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "%00"])
def test_a_malformed_id_on_a_version_page_is_a_404(admin_client_for, superuser, value):
    asset = factories.asset()
    version = asset.history.get()
    client = admin_client_for(superuser)
    assert client.get(f"/admin/assets/asset/{value}/history/{version.history_id}/").status_code == 404
    assert client.get(f"/admin/assets/asset/{asset.pk}/history/{value}/").status_code == 404
