"""The overlap error at the top of the contract form, naming the other contract with a link (issue 14)."""

from datetime import date

import pytest
from django.urls import reverse

from contracts.models import Contract, ContractItem
from tests import factories
from tests.admin.test_contract_form import contract_form

pytestmark = pytest.mark.django_db


def top_of_form(content: str) -> str:
    """What comes before the first fieldset: the banner and whatever is put beside it."""
    return content[content.index('id="contract_form"') : content.index('<fieldset class="module aligned')]


def test_an_overlap_with_another_contract_is_named_at_the_top_with_a_link(client, superuser):
    client.force_login(superuser)
    asset = factories.asset(name="Volvo EC220E", external_reference="FLT-22")
    existing = factories.contract(external_reference="RC-EXISTING")
    ContractItem.objects.create(
        contract=existing, asset=asset, on_rent_date=date(2026, 2, 1), external_reference="07"
    )
    response = client.post(
        reverse("admin:contracts_contract_add"),
        contract_form(
            factories.customer(),
            [{"external_reference": "01", "asset": asset.pk, "on_rent_date": "2026-03-01"}],
        ),
    )
    assert response.status_code == 200
    top = top_of_form(response.content.decode())
    assert 'id="overlap-errors"' in top
    link = reverse("admin:contracts_contract_change", args=[existing.pk])
    assert f'<a href="{link}" class="overlap-other-contract">contract RC-EXISTING</a>' in top
    assert "Volvo EC220E (FLT-22)" in top
    assert "item 07, 2026-02-01 to open end" in top
    assert not Contract.objects.filter(external_reference="RC-NEW").exists()


def test_two_overlapping_items_of_the_same_form_are_named_at_the_top_without_a_link(client, superuser):
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
    top = top_of_form(response.content.decode())
    assert "contract RC-NEW" in top
    assert "overlap-other-contract" not in top


def test_other_errors_put_nothing_at_the_top(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:contracts_contract_add"),
        contract_form(factories.customer(), [], start_date="not a date"),
    )
    assert response.status_code == 200
    assert 'id="overlap-errors"' not in response.content.decode()
