from datetime import date

import pytest
from django.urls import reverse

from contracts.models import Contract
from tests import factories

pytestmark = pytest.mark.django_db

ITEMS = "items"
CUSTOM = "customfields-customfieldvalue-content_type-object_id"


def contract_form(customer, items: list[dict], **fields) -> dict:
    data = {
        "customer": customer.pk,
        "external_reference": "RC-NEW",
        "status": "OPEN",
        "start_date": "2026-03-01",
        f"{ITEMS}-TOTAL_FORMS": str(len(items)),
        f"{ITEMS}-INITIAL_FORMS": "0",
        f"{CUSTOM}-TOTAL_FORMS": "0",
        f"{CUSTOM}-INITIAL_FORMS": "0",
        **fields,
    }
    for index, item in enumerate(items):
        data.update({f"{ITEMS}-{index}-{key}": value for key, value in item.items()})
    return data


def test_contract_with_an_item_is_saved_from_the_admin(client, superuser):
    client.force_login(superuser)
    customer, asset = factories.customer(), factories.asset()
    response = client.post(
        reverse("admin:contracts_contract_add"),
        contract_form(
            customer, [{"external_reference": "01", "asset": asset.pk, "on_rent_date": "2026-03-01"}]
        ),
    )
    assert response.status_code == 302
    contract = Contract.objects.get(external_reference="RC-NEW")
    assert list(contract.items.values_list("asset__external_reference", flat=True)) == [
        asset.external_reference
    ]


def test_overlap_with_another_contract_is_shown_on_the_item_naming_both_contracts(client, superuser):
    client.force_login(superuser)
    asset = factories.asset()
    factories.item(factories.contract(external_reference="RC-EXISTING"), asset, date(2026, 2, 1))
    response = client.post(
        reverse("admin:contracts_contract_add"),
        contract_form(
            factories.customer(),
            [{"external_reference": "01", "asset": asset.pk, "on_rent_date": "2026-03-01"}],
        ),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "RC-EXISTING" in content
    assert "contract RC-NEW" in content
    assert not Contract.objects.filter(external_reference="RC-NEW").exists()


def test_two_overlapping_items_in_one_submission_are_refused(client, superuser):
    client.force_login(superuser)
    asset = factories.asset()
    response = client.post(
        reverse("admin:contracts_contract_add"),
        contract_form(
            factories.customer(),
            [
                {"external_reference": "01", "asset": asset.pk, "on_rent_date": "2026-03-01"},
                {"external_reference": "02", "asset": asset.pk, "on_rent_date": "2026-03-05"},
            ],
        ),
    )
    assert response.status_code == 200
    assert "item 01" in response.content.decode()
    assert "item 02" in response.content.decode()
    assert not Contract.objects.filter(external_reference="RC-NEW").exists()


def test_off_rent_before_on_rent_is_refused_with_its_rule(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:contracts_contract_add"),
        contract_form(
            factories.customer(),
            [
                {
                    "external_reference": "01",
                    "asset": factories.asset().pk,
                    "on_rent_date": "2026-03-05",
                    "off_rent_date": "2026-03-01",
                }
            ],
        ),
    )
    assert "off-rent date cannot be before the on-rent date" in response.content.decode()
