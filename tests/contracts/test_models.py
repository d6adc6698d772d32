from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.models import Contract, ContractItem, ContractStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_contract_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError, match="contract_end_not_before_start"), transaction.atomic():
        factories.contract(start_date=date(2026, 3, 1), end_date=date(2026, 2, 1))


def test_contract_form_validation_names_the_rule():
    contract = Contract(
        customer=factories.customer(),
        external_reference="RC-1",
        start_date=date(2026, 3, 1),
        end_date=date(2026, 2, 1),
    )
    with pytest.raises(ValidationError, match="end date cannot be before the start date"):
        contract.full_clean()


def test_item_cannot_go_off_rent_before_on_rent():
    contract, asset = factories.contract(), factories.asset()
    with pytest.raises(IntegrityError, match="item_off_rent_not_before_on_rent"), transaction.atomic():
        factories.item(contract, asset, date(2026, 5, 2), date(2026, 5, 1))


def test_item_reference_is_unique_within_its_contract_only():
    first, second, asset = factories.contract(), factories.contract(), factories.asset()
    ContractItem.objects.create(
        contract=first, asset=asset, on_rent_date=date(2026, 1, 1), external_reference="01"
    )
    ContractItem.objects.create(
        contract=second, asset=factories.asset(), on_rent_date=date(2026, 1, 1), external_reference="01"
    )
    with pytest.raises(IntegrityError, match="item_unique_reference_per_contract"):
        ContractItem.objects.create(
            contract=first, asset=factories.asset(), on_rent_date=date(2026, 1, 1), external_reference="01"
        )


def test_rate_needs_currency_and_period():
    contract, asset = factories.contract(), factories.asset()
    with pytest.raises(IntegrityError, match="item_rate_has_currency_and_period"), transaction.atomic():
        factories.item(contract, asset, date(2026, 1, 1), rate_amount=100)
    factories.item(contract, asset, date(2026, 1, 1), rate_amount=100, rate_currency="EUR", rate_period="DAY")


def _candidate(contract, asset, on, off=None) -> ContractItem:
    return ContractItem(
        contract=contract, asset=asset, on_rent_date=on, off_rent_date=off, external_reference="N1"
    )


def test_overlapping_open_rentals_of_one_asset_are_refused_naming_both_contracts():
    asset = factories.asset(name="Volvo EC220E", external_reference="FLT-9")
    first = factories.contract(external_reference="RC-FIRST")
    factories.item(first, asset, date(2026, 1, 1), date(2026, 1, 31))
    second = factories.contract(external_reference="RC-SECOND")

    with pytest.raises(ValidationError) as caught:
        _candidate(second, asset, date(2026, 1, 20), date(2026, 2, 10)).full_clean()
    message = str(caught.value)
    assert "RC-FIRST" in message
    assert "RC-SECOND" in message
    assert "Volvo EC220E (FLT-9)" in message


@pytest.mark.parametrize(
    ("on", "off", "clashes"),
    [
        (date(2026, 1, 31), None, False),  # same-day turnaround: the first rental ends that day
        (date(2025, 12, 1), date(2026, 1, 1), False),  # ends the day the first begins
        (date(2025, 12, 1), date(2026, 1, 2), True),
        (date(2025, 12, 1), None, True),  # open-ended, starting before
        (date(2026, 1, 10), date(2026, 1, 11), True),  # inside
    ],
)
def test_rental_periods_are_half_open(on, off, clashes):
    asset = factories.asset()
    factories.item(factories.contract(), asset, date(2026, 1, 1), date(2026, 1, 31))
    candidate = _candidate(factories.contract(), asset, on, off)
    if clashes:
        with pytest.raises(ValidationError, match="overlapping"):
            candidate.full_clean()
    else:
        candidate.full_clean()


def test_open_ended_rental_blocks_every_later_rental():
    asset = factories.asset()
    factories.item(factories.contract(), asset, date(2026, 1, 1))
    with pytest.raises(ValidationError, match="open end"):
        _candidate(factories.contract(), asset, date(2027, 6, 1)).full_clean()


@pytest.mark.parametrize(
    "status", [ContractStatus.COMPLETED, ContractStatus.CANCELLED, ContractStatus.RESERVED]
)
def test_only_open_contracts_take_part_in_the_overlap_rule(status):
    asset = factories.asset()
    factories.item(factories.contract(status=status), asset, date(2026, 1, 1), date(2026, 1, 31))
    _candidate(factories.contract(), asset, date(2026, 1, 10)).full_clean()
    _candidate(factories.contract(status=status), asset, date(2026, 1, 10)).full_clean()


def test_reopening_a_contract_checks_its_items_again():
    asset = factories.asset()
    factories.item(factories.contract(external_reference="RC-LIVE"), asset, date(2026, 1, 1))
    reserved = factories.contract(external_reference="RC-HELD", status=ContractStatus.RESERVED)
    factories.item(reserved, asset, date(2026, 2, 1))
    reserved.status = ContractStatus.OPEN
    with pytest.raises(ValidationError, match=r"RC-LIVE.*RC-HELD|RC-HELD.*RC-LIVE"):
        reserved.full_clean()


def test_editing_an_item_does_not_clash_with_itself():
    asset = factories.asset()
    existing = factories.item(factories.contract(), asset, date(2026, 1, 1), date(2026, 1, 31))
    existing.off_rent_date = date(2026, 2, 28)
    existing.full_clean()
