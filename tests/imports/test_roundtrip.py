"""What export_csv writes, import_csv reads back unchanged: for every entity."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from contracts.models import ContractStatus
from customers.models import CustomerContact
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.imports.registry import ENTITIES
from tests import factories
from tests.imports.helpers import do_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(db):
    depot = factories.depot(
        name="Aarhus; Nord",
        latitude=Decimal("56.1"),
        longitude=Decimal("10.2"),
        country="DK",
        polygon=[[[10.1, 56.1], [10.2, 56.1], [10.2, 56.2], [10.1, 56.1]]],
    )
    customer = factories.customer(name='Kystbyg "Vest"', email="a@b.dk", web_address="https://kyst.dk")
    CustomerContact.objects.create(customer=customer, name="Site office", role="Dispatch\nnights")
    asset = factories.asset(
        owning_depot=depot,
        pin="PIN1",
        rental_status="SOME_NEW_TRACKUNIT_STATUS",
        operating_hours=Decimal("1234.50"),
        last_latitude=Decimal("56.1"),
    )
    contract = factories.contract(customer=customer, status=ContractStatus.OPEN, end_date=date(2026, 12, 31))
    factories.item(
        contract,
        asset,
        date(2026, 2, 1),
        date(2026, 2, 28),
        rate_amount=Decimal("450.00"),
        rate_currency="EUR",
        rate_period="DAY",
        hiring_depot=depot,
        delivery_address="Havnegade 1, Esbjerg",
    )
    values = {
        "fuel": (
            "DROPDOWN",
            {"options": ["Diesel", "HVO blend"], "multi_select": True},
            ["Diesel", "HVO blend"],
        ),
        "weight": ("NUMBER", {"minimum": Decimal("0")}, 3.5),
        "price": ("MONETARY", {"currency": "EUR"}, 12.5),
        "checked": ("BOOLEAN", {}, True),
        "since": ("DATE", {}, "2026-01-31"),
    }
    for key, (type_, settings, value) in values.items():
        definition = CustomFieldDefinition.objects.create(
            key=key, entity_type="ASSET", title=key, type=type_, **settings
        )
        CustomFieldValue.objects.create(definition=definition, record=asset, value=value)


@pytest.mark.parametrize("entity", ENTITIES)
def test_export_then_import_reports_everything_unchanged(everything, entity, tmp_path):
    path = tmp_path / f"{entity}.csv"
    call_command("export_csv", entity, str(path), stderr=StringIO())
    report = do_import(entity, path.read_bytes())
    assert not report.refused, [str(e) for e in report.errors] or report.message
    assert report.rows_total >= 1
    assert (report.new, report.updated, report.unchanged) == (0, 0, report.rows_total)


def test_asset_export_includes_the_latest_telematics_read_only(everything, tmp_path):
    out = StringIO()
    call_command("export_csv", "assets", stdout=out)
    header, row = out.getvalue().splitlines()[:2]
    assert "operating_hours,operating_hours_at,last_latitude,last_longitude" in header
    assert "1234.50" in row
