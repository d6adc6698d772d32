"""Imports never destroy what they don't hold: short rows, absent columns, refused files (issue 10, 1)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assets.models import Asset, RentalStatus
from rentalbridge.customfields.models import CustomFieldDefinition
from tests import factories
from tests.imports.helpers import csv_bytes, do_import, error_for

pytestmark = pytest.mark.django_db

ASSET_HEADER = (
    "external_reference,name,serial_number,pin,make,model,asset_type,rental_status,owning_depot_reference"
)
KEPT = ("name", "serial_number", "pin", "make", "model", "asset_type", "rental_status", "owning_depot_id")


@pytest.fixture
def fleet(db) -> list[Asset]:
    depot = factories.depot(external_reference="DEP-AAR")
    return [
        factories.asset(
            external_reference=f"FLT-{n}",
            name=f"Excavator {n}",
            serial_number=f"SN-{n}",
            pin=f"PIN-{n}",
            make="Volvo",
            model="EC220E",
            rental_status=RentalStatus.ON_RENT,
            owning_depot=depot,
        )
        for n in (1, 2, 3)
    ]


def stored(assets: list[Asset]) -> list[tuple]:
    return list(Asset.objects.filter(pk__in=[a.pk for a in assets]).order_by("pk").values_list(*KEPT))


def test_rows_cut_short_are_refused_naming_row_and_both_counts_and_nothing_changes(fleet):
    before = stored(fleet)
    data = csv_bytes(
        ASSET_HEADER,
        "FLT-1,Excavator 1 renamed,SN-1,PIN-1,Volvo,EC220E,MACHINE,ON_RENT,DEP-AAR",  # row 2: whole
        "FLT-2,Excavator 2",  # row 3: cut after two cells (a truncated download)
        "FLT-3,Excavator 3,SN-3,PIN-3",  # row 4: cut after four
    )
    report = do_import("assets", data)

    assert report.refused
    assert not report.written
    assert (report.updated, report.rejected) == (1, 2)
    short = error_for(report, 3, "")
    assert short.rule == "shape"
    assert short.message == "the row has 2 cells but the header has 9 columns"
    assert str(short).startswith("row 3,")
    assert "4 cells" in error_for(report, 4, "").message
    # The cut row is refused for its shape alone, not for the blanks the cut left behind.
    assert [e.rule for e in report.errors if e.line in (3, 4)] == ["shape", "shape"]
    assert stored(fleet) == before


def test_valid_rows_only_never_writes_a_row_cut_short(fleet):
    before = stored(fleet)
    data = csv_bytes(
        ASSET_HEADER,
        "FLT-1,Excavator 1 renamed,SN-1,PIN-1,Volvo,EC220E,MACHINE,ON_RENT,DEP-AAR",
        "FLT-2,Excavator 2",
    )
    report = do_import("assets", data, valid_only=True)
    assert report.written
    assert (report.updated, report.rejected_lines) == (1, [3])
    after = stored(fleet)
    assert after[0][0] == "Excavator 1 renamed"
    assert after[1:] == before[1:]


def test_a_row_with_more_cells_than_the_header_is_refused_even_when_they_are_empty(fleet):
    report = do_import("customers", csv_bytes("external_reference,name", "C1,Alpha,,", "C2,Beta"))
    error = error_for(report, 2, "")
    assert error.rule == "shape"
    assert error.message == "the row has 4 cells but the header has 2 columns"
    assert report.refused


def test_a_column_absent_from_the_file_never_touches_that_field(fleet):
    before = stored(fleet)
    report = do_import("assets", csv_bytes("external_reference,name", "FLT-1,New name", "FLT-2,Excavator 2"))
    assert report.written
    assert (report.updated, report.unchanged) == (1, 1)
    after = stored(fleet)
    assert after[0] == ("New name", *before[0][1:])
    assert after[1:] == before[1:]


def test_an_export_of_some_columns_imports_back_unchanged(fleet, admin_client_for, back_office_user):
    """The admin's export form lets staff untick columns; importing that file must keep the others."""
    before = stored(fleet)
    chosen = ["external_reference", "name", "make"]
    fields = {f"assetresource_{name}": "on" for name in chosen}
    response = admin_client_for(back_office_user).post(
        reverse("admin:assets_asset_export"), {"format": "0", "resource": "0", **fields}
    )
    content = response.getvalue()
    assert content.decode("utf-8-sig").splitlines()[0] == ",".join(chosen)
    report = do_import("assets", content)
    assert (report.unchanged, report.rejected) == (3, 0)
    assert stored(fleet) == before


def test_a_rule_across_columns_counts_the_stored_value_of_a_column_the_file_leaves_out(db):
    """One coordinate in the file: the depot's stored other coordinate decides, not a blank."""
    pinned = factories.depot(external_reference="DEP-1", latitude=Decimal("56.1"), longitude=Decimal("10.2"))
    unpinned = factories.depot(external_reference="DEP-2")
    header = "external_reference,name,latitude"
    report = do_import("depots", csv_bytes(header, "DEP-1,Aarhus,57.5", "DEP-2,Vejle,57.5"))
    error = error_for(report, 3, "latitude")
    assert error.rule == "point_incomplete"
    assert "the depot has no longitude" in error.message
    assert report.rejected_lines == [3]
    assert not report.written

    report = do_import("depots", csv_bytes(header, "DEP-1,Aarhus,57.5"))
    assert report.written
    pinned.refresh_from_db()
    unpinned.refresh_from_db()
    assert (pinned.latitude, pinned.longitude) == (Decimal("57.5"), Decimal("10.2"))
    assert (unpinned.latitude, unpinned.longitude) == (None, None)


def test_a_definition_file_without_the_options_column_keeps_the_options_and_passes_the_rules(db):
    CustomFieldDefinition.objects.create(
        key="fuel", entity_type="ASSET", title="Fuel", type="DROPDOWN", options=["Diesel", "HVO"]
    )
    report = do_import(
        "custom-field-definitions", csv_bytes("key,entity_type,title,type", "fuel,ASSET,Fuel type,DROPDOWN")
    )
    assert report.written, [str(e) for e in report.errors]
    definition = CustomFieldDefinition.objects.get()
    assert (definition.title, definition.options) == ("Fuel type", ["Diesel", "HVO"])
    # And a setting in the file that contradicts a stored one is refused, naming it.
    CustomFieldDefinition.objects.create(
        key="load", entity_type="ASSET", title="Load", type="NUMBER", maximum=5
    )
    report = do_import(
        "custom-field-definitions",
        csv_bytes("key,entity_type,title,type,minimum", "load,ASSET,Load,NUMBER,10"),
    )
    assert error_for(report, 2, "minimum").rule == "minimum"
