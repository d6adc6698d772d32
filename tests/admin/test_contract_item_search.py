"""The contract-item list finds an item by any part of its asset's PIN or serial number, as the asset list
does: staff read a fragment off a machine plate."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "term",
    [
        "JCB3CX00000001234",  # the whole PIN still finds it
        "3cx0000000",  # a fragment from the middle, in lower case
        "01234",  # the end of the PIN
        "SER-99",  # part of the serial number
    ],
)
def test_contract_item_search_finds_by_any_part_of_pin_or_serial(client, superuser, term):
    client.force_login(superuser)
    contract = factories.contract()
    jcb = factories.asset(name="JCB 3CX #1", pin="JCB3CX00000001234", serial_number="SER-991")
    volvo = factories.asset(name="Volvo EC220E", pin="VOLVO000000000001", serial_number="VS-12")
    factories.item(contract, jcb, on=date(2026, 2, 1))
    factories.item(contract, volvo, on=date(2026, 2, 1))

    response = client.get(reverse("admin:contracts_contractitem_changelist"), {"q": term})

    assert response.status_code == 200
    assert [item.asset.name for item in response.context["cl"].result_list] == ["JCB 3CX #1"]
