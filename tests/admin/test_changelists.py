from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assets.models import Asset, RentalStatus
from tests import factories

pytestmark = pytest.mark.django_db


def make_assets(count: int, depot) -> None:
    Asset.objects.bulk_create(
        Asset(
            name=f"Loader {n}", external_reference=f"{depot.external_reference}-{n:06d}", owning_depot=depot
        )
        for n in range(count)
    )


def changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_asset_changelist_query_count_does_not_grow_with_the_fleet(client, superuser):
    client.force_login(superuser)
    depot = factories.depot()
    url = reverse("admin:assets_asset_changelist")
    make_assets(3, depot)
    small = changelist_queries(client, url)
    make_assets(2_000, factories.depot())
    large = changelist_queries(client, url)
    assert large == small
    assert large <= 12


def test_asset_changelist_shows_the_columns_staff_need(client, superuser):
    client.force_login(superuser)
    depot = factories.depot(name="Aarhus Nord")
    factories.asset(
        name="JCB 3CX #1", external_reference="FLT-00001", pin="JCB3CX00000001234", owning_depot=depot
    )
    content = client.get(reverse("admin:assets_asset_changelist")).content.decode()
    for text in ("JCB 3CX #1", "FLT-00001", "JCB3CX00000001234", "Aarhus Nord", "Available"):
        assert text in content


@pytest.mark.parametrize("term", ["JCB3CX00000001234", "SER-991", "FLT-00001", "3CX #1"])
def test_asset_search_finds_by_pin_serial_reference_and_name(client, superuser, term):
    client.force_login(superuser)
    factories.asset(
        name="JCB 3CX #1", external_reference="FLT-00001", pin="JCB3CX00000001234", serial_number="SER-991"
    )
    factories.asset(name="Volvo EC220E", external_reference="FLT-00002", pin="VOLVO000000000001")
    response = client.get(reverse("admin:assets_asset_changelist"), {"q": term})
    names = [asset.name for asset in response.context["cl"].result_list]
    assert names == ["JCB 3CX #1"]


def test_asset_filters_by_status_and_depot(client, superuser):
    client.force_login(superuser)
    north, south = factories.depot(name="North"), factories.depot(name="South")
    factories.asset(name="A", owning_depot=north, rental_status=RentalStatus.ON_RENT)
    factories.asset(name="B", owning_depot=north)
    factories.asset(name="C", owning_depot=south, rental_status=RentalStatus.ON_RENT)
    response = client.get(
        reverse("admin:assets_asset_changelist"),
        {"rental_status__exact": "ON_RENT", "owning_depot__id__exact": north.pk},
    )
    assert [a.name for a in response.context["cl"].result_list] == ["A"]


def test_contract_changelist_filters_by_customer_and_counts_items(client, superuser):
    client.force_login(superuser)
    acme, other = factories.customer(name="Acme"), factories.customer(name="Other")
    contract = factories.contract(customer=acme, external_reference="RC-ACME")
    factories.item(contract, factories.asset(), date(2026, 1, 1))
    factories.item(contract, factories.asset(), date(2026, 1, 1))
    factories.contract(customer=other, external_reference="RC-OTHER")
    response = client.get(reverse("admin:contracts_contract_changelist"), {"customer__id__exact": acme.pk})
    rows = response.context["cl"].result_list
    assert [(c.external_reference, c.item_count) for c in rows] == [("RC-ACME", 2)]


def test_customer_page_shows_contacts_and_custom_fields_inline(client, superuser):
    from django.contrib.contenttypes.models import ContentType

    from customers.models import CustomerContact
    from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue

    client.force_login(superuser)
    customer = factories.customer()
    CustomerContact.objects.create(customer=customer, name="Service desk", role="Call centre")
    segment = CustomFieldDefinition.objects.create(
        entity_type="CUSTOMER", key="segment", title="Segment", type="DROPDOWN", options=["Rail", "Road"]
    )
    CustomFieldDefinition.objects.create(entity_type="ASSET", key="plate", title="Plate", type="STRING")
    CustomFieldValue.objects.create(
        definition=segment,
        content_type=ContentType.objects.get_for_model(customer),
        object_id=customer.pk,
        value="Rail",
    )
    response = client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    content = response.content.decode()
    assert "Service desk" in content
    assert 'value="Rail"' in content
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.model is CustomFieldValue
    )
    offered = list(formset.formset.forms[0].fields["definition"].queryset.values_list("key", flat=True))
    assert offered == ["segment"]  # an asset field is not offered on a customer
