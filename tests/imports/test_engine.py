"""The bulk engine: every rule names row, column, value and rule; all or nothing; re-imports update."""

import gc
import sqlite3
from datetime import date

import pytest

from assets.models import Asset
from contracts.models import ContractItem, ContractStatus
from customers.models import Customer
from rentalbridge import db_statistics
from rentalbridge.changes import records_changed
from rentalbridge.customfields.models import CustomFieldDefinition
from tests import factories
from tests.imports.helpers import csv_bytes, do_import, error_for
from tests.statistics import table_rows_counted

pytestmark = pytest.mark.django_db

ITEM_HEADER = (
    "contract_reference,external_reference,asset_reference,on_rent_date,off_rent_date,"
    "rate_amount,rate_currency,rate_period"
)


@pytest.fixture
def rental(db):
    """An open contract and two assets, one of them already out on another open contract in March."""
    free = factories.asset(name="Free loader", external_reference="FLT-1")
    busy = factories.asset(name="Busy digger", external_reference="FLT-2")
    other = factories.contract(external_reference="RC-OLD", status=ContractStatus.OPEN)
    factories.item(other, busy, date(2026, 3, 1), date(2026, 3, 31))
    return factories.contract(external_reference="RC-1", status=ContractStatus.OPEN), free, busy


def test_each_broken_rule_names_row_column_value_and_rule(rental):
    data = csv_bytes(
        ITEM_HEADER,
        "RC-1,01,FLT-1,31/02/2026,,,,",  # row 2: bad date
        "RC-1,02,FLT-1,2026-05-10,2026-05-01,,,",  # row 3: off-rent before on-rent
        "RC-1,03,FLT-1,2026-06-01,,10,EUR,DECADE",  # row 4: unknown enum value
        "RC-X,04,FLT-1,2026-07-01,,,,",  # row 5: unknown contract
        "RC-1,05,FLT-9,2026-07-01,,,,",  # row 6: unknown asset
        "RC-1,06,FLT-2,2026-03-15,2026-03-20,,,",  # row 7: overlaps the stored rental
        "RC-1,07,FLT-1,2026-08-01,2026-08-10,,,",  # row 8: fine
        "RC-1,07,FLT-1,2026-09-01,2026-09-10,,,",  # row 9: duplicate reference in the file
        "RC-1,08,FLT-1,2026-08-05,,,,",  # row 10: overlaps row 8
    )
    report = do_import("contract-items", data)

    assert report.refused
    assert not report.written
    assert ContractItem.objects.filter(contract__external_reference="RC-1").count() == 0
    cases = {
        (2, "on_rent_date"): ("31/02/2026", "bad_date", "not a valid date"),
        (3, "off_rent_date"): ("2026-05-01", "off_rent_before_on_rent", "before the on-rent date"),
        (4, "rate_period"): ("DECADE", "choices", "is not one of: HOUR, DAY, WEEK, MONTH, FIXED"),
        (5, "contract_reference"): ("RC-X", "unknown_reference", "no contract has the reference 'RC-X'"),
        (6, "asset_reference"): ("FLT-9", "unknown_reference", "no asset has the reference 'FLT-9'"),
        (7, "asset_reference"): (
            "FLT-2",
            "overlapping_rental",
            "Busy digger (FLT-2) would be on two overlapping",
        ),
        (9, "external_reference"): ("07", "duplicate", "already in row 8 of this file"),
        (10, "asset_reference"): ("FLT-1", "overlapping_rental", "contract RC-1 (item 07"),
    }
    for (line, column), (value, rule, text) in cases.items():
        error = error_for(report, line, column)
        assert (error.value, error.rule) == (value, rule)
        assert text in error.message
        assert f"row {line}, column {column!r}, value {value!r}" in str(error)
    assert 8 not in report.rejected_lines
    assert report.new == 1


def test_an_overlap_names_the_asset_and_both_contracts(rental):
    report = do_import("contract-items", csv_bytes(ITEM_HEADER, "RC-1,01,FLT-2,2026-03-10,,,,"))
    message = error_for(report, 2, "asset_reference").message
    assert "Busy digger (FLT-2)" in message
    assert "RC-OLD" in message
    assert "RC-1" in message


def test_a_failing_row_writes_nothing(rental):
    before = ContractItem.objects.count()
    data = csv_bytes(ITEM_HEADER, "RC-1,01,FLT-1,2026-04-01,,,,", "RC-1,02,FLT-1,not a date,,,,")
    report = do_import("contract-items", data)
    assert report.refused
    assert report.new == 1
    assert report.rejected == 1
    assert ContractItem.objects.count() == before


def test_valid_rows_only_writes_them_and_returns_the_rejected_rows_with_an_error_column(rental):
    data = csv_bytes(ITEM_HEADER, "RC-1,01,FLT-1,2026-04-01,2026-04-30,,,", "RC-1,02,FLT-9,2026-04-01,,,,")
    report = do_import("contract-items", data, valid_only=True)
    assert report.written
    assert (report.new, report.rejected) == (1, 1)
    assert ContractItem.objects.filter(contract__external_reference="RC-1").count() == 1
    rejected = report.rejected_csv.decode("utf-8-sig").splitlines()
    assert rejected[0] == ITEM_HEADER + ",error"
    assert rejected[1].startswith("RC-1,02,FLT-9,")
    assert "asset_reference: no asset has the reference 'FLT-9'" in rejected[1]
    # The fixed file, error column and all, imports again.
    fixed = report.rejected_csv.replace(b"FLT-9", b"FLT-1").replace(b"2026-04-01", b"2026-06-01")
    again = do_import("contract-items", fixed)
    assert again.written, [str(e) for e in again.errors]
    assert again.new == 1


def test_a_reimport_updates_instead_of_duplicating_and_counts_unchanged_rows(db):
    header = "external_reference,name,type"
    do_import("customers", csv_bytes(header, "C1,Alpha,CONTRACTOR", "C2,Beta,DEALER"))
    report = do_import(
        "customers", csv_bytes(header, "C1,Alpha,CONTRACTOR", "C2,Beta ApS,dealer", "C3,Gamma,")
    )
    assert (report.new, report.updated, report.unchanged) == (1, 1, 1)
    assert Customer.objects.count() == 3
    assert Customer.objects.get(external_reference="C2").name == "Beta ApS"
    assert Customer.objects.get(external_reference="C3").type == "CONTRACTOR"  # blank cell: the default


def test_changes_are_announced_once_per_model_and_import_after_commit(django_capture_on_commit_callbacks):
    announced = []

    def listen(sender, pks, actor, **kwargs):
        announced.append((sender, sorted(pks), actor))

    records_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            do_import("customers", csv_bytes("external_reference,name", "C1,Alpha", "C2,Beta"))
    finally:
        records_changed.disconnect(listen)
    ((_sender, pks, actor),) = [entry for entry in announced if entry[0] is Customer]
    assert sorted(pks) == sorted(Customer.objects.values_list("pk", flat=True))
    assert actor == "test"


def test_assets_without_a_reference_are_found_by_pin_then_by_serial(db):
    factories.asset(external_reference="FLT-1", pin="PIN-1", serial_number="SN-1", name="Old 1")
    factories.asset(external_reference="FLT-2", serial_number="SN-2", name="Old 2")
    factories.asset(external_reference="FLT-3", pin="SHARED", name="Twin a")
    factories.asset(external_reference="FLT-4", pin="SHARED", name="Twin b")
    data = csv_bytes(
        "external_reference,name,pin,serial_number",
        ",New 1,PIN-1,",
        ",New 2,,SN-2",
        ",Twin,SHARED,",
        ",Nobody,PIN-404,",
        ",Nothing,,",
    )
    report = do_import("assets", data, valid_only=True)
    assert Asset.objects.get(external_reference="FLT-1").name == "New 1"
    assert Asset.objects.get(external_reference="FLT-2").name == "New 2"
    assert error_for(report, 4, "pin").rule == "ambiguous"
    assert "FLT-3, FLT-4" in error_for(report, 4, "pin").message
    assert error_for(report, 5, "pin").rule == "unknown_asset"
    assert error_for(report, 6, "external_reference").rule == "required"
    assert Asset.objects.count() == 4


def test_a_custom_field_value_breaking_its_definition_is_rejected(db):
    CustomFieldDefinition.objects.create(
        key="weight", entity_type="ASSET", title="Weight", type="NUMBER", maximum=500
    )
    factories.asset(external_reference="FLT-1")
    factories.customer(external_reference="CUS-1")
    data = csv_bytes(
        "definition_key,entity_type,record_reference,value",
        "weight,ASSET,FLT-1,750",
        "weight,ASSET,FLT-1,heavy",
        "weight,CUSTOMER,CUS-1,10",
        "weight,ASSET,FLT-404,10",
        "colour,ASSET,FLT-1,red",
    )
    report = do_import("custom-field-values", data)
    assert error_for(report, 2, "value").rule == "custom_field_maximum"
    assert "Weight: 750 is above the maximum 500" in error_for(report, 2, "value").message
    assert error_for(report, 3, "value").rule == "custom_field_type"
    assert error_for(report, 4, "entity_type").rule == "entity_type"
    assert error_for(report, 5, "record_reference").rule == "unknown_reference"
    assert error_for(report, 6, "definition_key").rule == "unknown_reference"


def test_a_custom_field_type_cannot_change_through_an_import(db):
    CustomFieldDefinition.objects.create(key="weight", entity_type="ASSET", title="Weight", type="NUMBER")
    report = do_import(
        "custom-field-definitions", csv_bytes("key,entity_type,title,type", "weight,ASSET,W,STRING")
    )
    assert error_for(report, 2, "type").rule == "type_change"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("external_reference,name,colour", "'colour' is not one of its columns"),
        ("name,type", "the required column external_reference is missing"),
        ("contract_reference,asset_reference", "This is not a customers file"),
        ("name,name,external_reference", "appears twice"),
    ],
)
def test_a_wrong_header_refuses_the_file(db, header, message):
    report = do_import("customers", csv_bytes(header, "a,b,c"))
    assert report.refused
    assert message in report.message
    assert "Its columns are: external_reference, name" in report.message or "appears twice" in message


def test_dry_run_checks_but_writes_nothing(db):
    report = do_import("customers", csv_bytes("external_reference,name", "C1,Alpha"), dry_run=True)
    assert report.new == 1
    assert not report.written
    assert not Customer.objects.exists()


def test_a_rejected_rows_file_imported_again_keeps_a_single_error_column(db):
    first = do_import(
        "customers", csv_bytes("external_reference,name,type", "C1,Alpha,PIRATE"), valid_only=True
    )
    second = do_import("customers", first.rejected_csv, valid_only=True)
    assert second.rejected_csv.decode("utf-8-sig").splitlines()[0] == "external_reference,name,type,error"


def test_reopening_a_contract_whose_items_would_overlap_is_rejected(db):
    asset = factories.asset(name="Crane", external_reference="FLT-1")
    factories.item(factories.contract(external_reference="RC-A"), asset, date(2026, 3, 1))
    closed = factories.contract(external_reference="RC-B", status=ContractStatus.COMPLETED)
    factories.item(closed, asset, date(2026, 3, 10))
    header = "external_reference,customer_reference,status,start_date"
    report = do_import(
        "contracts", csv_bytes(header, f"RC-B,{closed.customer.external_reference},OPEN,2026-01-01")
    )
    error = error_for(report, 2, "status")
    assert error.rule == "overlapping_rental"
    assert "RC-A" in error.message


def test_a_large_import_leaves_postgresql_statistics_that_count_its_rows(db, monkeypatch):
    """Queries right after a bulk import (the plan it triggers) are planned by these statistics; a table
    never analysed reads as -1 rows (reltuples) until autovacuum comes by."""
    monkeypatch.setattr(db_statistics, "ANALYZE_AFTER_ROWS", 3)
    report = do_import("customers", csv_bytes("external_reference,name", "C1,Alpha", "C2,Beta", "C3,Gamma"))
    assert report.new == 3
    assert table_rows_counted(Customer) == 3


def test_a_large_import_on_sqlite_leaves_statistics_for_every_table(sqlite_project):
    """SQLite gathers none by itself; without them it read the plan's contract items through every open
    contract. A table the import did not touch (the depots here) is analysed too: its rows came from
    elsewhere (the admin, an older import) and would otherwise still have none."""
    script = """
from assets.models import Depot
from rentalbridge import db_statistics
from rentalbridge.imports import engine
from rentalbridge.imports.registry import resource_for

db_statistics.ANALYZE_AFTER_ROWS = 3
Depot.objects.create(name="North", external_reference="DEP-N")
data = b"external_reference,name\\nC1,Alpha\\nC2,Beta\\nC3,Gamma\\n"
report = engine.run_import(resource_for("customers"), data)
assert report.new == 3, report.message
"""
    sqlite_project.manage("shell", "-c", script)
    with sqlite3.connect(sqlite_project.database) as db:
        counts = dict(db.execute("SELECT tbl, stat FROM sqlite_stat1 WHERE idx IS NOT NULL GROUP BY tbl"))
    # Each index's statistics start with the table's row count.
    assert counts["customers_customer"].split()[0] == "3"
    assert counts["assets_depot"].split()[0] == "1"


def test_an_import_leaves_the_objects_its_process_held_out_of_garbage_collections(db):
    frozen_while_importing: list[int] = []
    data = csv_bytes("external_reference,name", "CUS-1,Nordbyg A/S")
    report = do_import(
        "customers", data, progress=lambda *_: frozen_while_importing.append(gc.get_freeze_count())
    )
    assert report.new == 1
    assert frozen_while_importing
    assert min(frozen_while_importing) > 1000
    assert gc.get_freeze_count() == 0
