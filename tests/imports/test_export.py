"""The streaming export (issue 13, 2): rows read a chunk at a time with a query or two per chunk, the admin's
download streamed with its filters and search applied, XLSX cells of the right kinds, nothing formula-live."""

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from assets.resources import AssetResource
from contracts.resources import ContractItemResource
from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from rentalbridge.imports import export
from rentalbridge.imports.formulae import neutralise
from rentalbridge.imports.registry import resource_for
from tests import factories

pytestmark = pytest.mark.django_db
ASSET_EXPORT = reverse("admin:assets_asset_export")


def asset_export(client, query: str = "", file_format: str = "0"):
    fields = {f"assetresource_{name}": "on" for name in AssetResource().get_export_order()}
    return client.post(f"{ASSET_EXPORT}{query}", {"format": file_format, "resource": "0", **fields})


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def test_the_formula_check_skips_only_cells_neutralise_leaves_alone():
    # Every first character (Unicode's basic plane) before text neutralise() would change is one the
    # export still sends through it.
    for code in range(0x10000):
        first = chr(code)
        for rest in ("x", "=1", "1"):
            if neutralise(first + rest) != first + rest:
                assert first in export.FORMULA_STARTS, repr(first)


def test_the_admin_csv_export_streams_the_searched_rows(admin_client_for, back_office_user):
    factories.asset(name="Volvo EC220E", external_reference="FLT-1")
    factories.asset(name="CAT 320", external_reference="FLT-2")
    factories.asset(name="Volvo L60H", external_reference="FLT-3")
    response = asset_export(admin_client_for(back_office_user), "?q=Volvo")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="Asset-')
    rows = csv_rows(response)
    assert rows[0][:2] == ["external_reference", "name"]
    assert sorted(row[0] for row in rows[1:]) == ["FLT-1", "FLT-3"]


def test_the_admin_export_names_the_related_records_by_their_references(admin_client_for, back_office_user):
    depot = factories.depot(external_reference="DEP-AAR")
    factories.asset(external_reference="FLT-1", owning_depot=depot)
    factories.asset(external_reference="FLT-2")
    rows = csv_rows(asset_export(admin_client_for(back_office_user)))
    column = rows[0].index("owning_depot_reference")
    assert {row[0]: row[column] for row in rows[1:]} == {"FLT-1": "DEP-AAR", "FLT-2": ""}


def test_the_admin_xlsx_export_is_a_file_with_typed_cells_and_a_frozen_bold_header(
    admin_client_for, back_office_user
):
    factories.asset(
        external_reference="FLT-1",
        name="=1+1",
        operating_hours=Decimal("1234.50"),
        operating_hours_at=datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.now().astimezone().tzinfo),
    )
    response = asset_export(admin_client_for(back_office_user), file_format="1")
    assert isinstance(response, FileResponse)
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["external_reference", "name"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    row = {name: sheet.cell(row=2, column=index + 1) for index, name in enumerate(header)}
    assert row["name"].value == "'=1+1"
    assert row["name"].data_type == "s"
    assert row["operating_hours"].data_type == "n"
    assert row["operating_hours"].value == pytest.approx(1234.5)
    assert row["operating_hours_at"].is_date
    assert row["operating_hours_at"].value.date() == date(2026, 3, 4)


def test_contract_item_dates_are_date_cells_in_xlsx_and_iso_text_in_csv(tmp_path):
    item = factories.item(
        factories.contract(),
        factories.asset(),
        date(2026, 2, 1),
        None,
        rate_amount=Decimal("450.00"),
        rate_currency="EUR",
        rate_period="DAY",
    )
    with export.xlsx_file(ContractItemResource()) as workbook:
        (tmp_path / "items.xlsx").write_bytes(workbook.read())
    sheet = openpyxl.load_workbook(tmp_path / "items.xlsx").active
    header = [cell.value for cell in sheet[1]]
    on_rent = sheet.cell(row=2, column=header.index("on_rent_date") + 1)
    assert on_rent.is_date
    assert on_rent.value == datetime(2026, 2, 1)
    assert sheet.cell(row=2, column=header.index("off_rent_date") + 1).value is None
    text = "".join(export.csv_text(ContractItemResource()))
    header_line, line = text.splitlines()
    assert line.split(",")[header_line.split(",").index("on_rent_date")] == "2026-02-01"
    assert line.split(",")[0] == item.contract.external_reference


def test_each_chunk_costs_a_query_per_kind_of_record_however_many_rows(
    monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(export, "CHUNK_ROWS", 4)
    definition = CustomFieldDefinition.objects.create(
        key="colour", entity_type="ASSET", title="Colour", type="STRING"
    )
    assets = [factories.asset(external_reference=f"FLT-{n:02d}") for n in range(10)]
    for asset in assets:
        CustomFieldValue.objects.create(definition=definition, record=asset, value=f"red {asset.pk}")
    resource = resource_for("custom-field-values")
    # 10 rows in chunks of 4: the rows' query, then per chunk one for the assets' references.
    with django_assert_max_num_queries(1 + 3 + 1):
        chunks = list(export.export_rows(resource))
    assert [len(chunk) for chunk in chunks] == [4, 4, 2]
    rows = [row for chunk in chunks for row in chunk]
    assert sorted(rows) == sorted(["colour", "ASSET", a.external_reference, f"red {a.pk}"] for a in assets)


def test_amounts_written_differently_are_not_mixed_up_by_the_remembered_renderings():
    (column,) = [c for c in export.export_columns(ContractItemResource()) if c.header == "rate_amount"]
    assert column.render(Decimal("1.0")) != column.render(Decimal("1.00"))
    assert column.render(Decimal("1.00")) == column.render(Decimal("1.00"))


def test_the_xlsx_sheet_holds_no_formula_and_no_character_xml_cannot_carry(tmp_path):
    factories.customer(name="Kystbyg\x01 =ApS", external_reference="=CUS-1")
    with export.xlsx_file(resource_for("customers")) as workbook:
        data = workbook.read()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert b"<f>" not in package.read("xl/worksheets/sheet1.xml")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[2]][:2] == ["'=CUS-1", "Kystbyg =ApS"]
