"""Property-based tests of CSV cells and rows: never a traceback or a 500, always a message (issue 10, 10).

Hypothesis writes files the way users' tools might (any entity, any subset of its columns and unknown
ones, rows too short or too long, formula-like cells, references that exist and that do not, in every
encoding and delimiter the importer reads) and raw bytes no tool would write. Whatever comes in, the import
answers with a report that accounts for every row and names each error's row, column and rule, or with a
message refusing the file. The checks must also catch everything the database would refuse: "the
database refused the import" is a check that is missing, so it fails these tests too.

Examples are bounded (the *_EXAMPLES counts per test) and each has a deadline far above its usual
10-50 ms, so a loaded 2-core CI machine does not trip it; every example runs in a savepoint, rolled back.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import ContractItem
from rentalbridge.customfields.models import CustomFieldDefinition
from rentalbridge.imports.decoding import FileRefused, read_table
from rentalbridge.imports.engine import ImportReport, run_import
from rentalbridge.imports.registry import ENTITIES, resource_for
from tests import factories

pytestmark = pytest.mark.django_db

ROWS_EXAMPLES = 300
BYTES_EXAMPLES = 300
ADMIN_EXAMPLES = 60
FUZZ = settings(
    database=None,  # no example database in the working tree; failures print their reproduction blob
    print_blob=True,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COLUMNS = {
    entity: [spec.name for spec in resource_for(entity).bulk_columns() if not spec.readonly]
    for entity in ENTITIES
}
# Cells that mean something to some column, and cells that are meant to hurt.
MEANINGFUL = [
    *("CUS-1001", "DEP-AAR", "FLT-00001", "RC-2026-0001", "00", "01", "NEW-1", "weight", "code", "ASSET"),
    *("2026-03-01", "31/12/2026", "46387", "31/02/2026", "1.234,50", "-12.5", "450.00", "1e400", "NaN"),
    *("EUR", "DAY", "OPEN", "COMPLETED", "MACHINE", "ON_RENT", "DROPDOWN", "NUMBER", "STRING", "yes", "x"),
    *("Diesel", "Diesel|HVO", '{"a": [1, 2]}', "[[[10, 56], [11, 56], [11, 57], [10, 56]]]", "[[1]]"),
    *('=HYPERLINK("https://evil.example")', "'=1+1", "+45 75 12 34 56", "@SUM(A1)", "\t", "\r\n"),
    *("", " ", '"', ";", ",", "\x00", "é" * 200, "9" * 40, "a@b.dk", "https://kyst.dk"),
]
# Any text but control characters, which make a file binary (MEANINGFUL has a NUL and a tab for that).
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16"]


@pytest.fixture
def records(db) -> None:
    """The records the resources' example rows refer to, so most rows resolve and reach the deep checks."""
    depot = factories.depot(external_reference="DEP-AAR")
    customer = factories.customer(external_reference="CUS-1001")
    asset = factories.asset(external_reference="FLT-00001", pin="YV1EC220E00000001", owning_depot=depot)
    contract = factories.contract(external_reference="RC-2026-0001", customer=customer)
    ContractItem.objects.create(
        contract=contract, asset=asset, on_rent_date=date(2026, 3, 1), external_reference="00"
    )
    CustomFieldDefinition.objects.create(
        key="fuel_type", entity_type="ASSET", title="Fuel", type="DROPDOWN", options=["Diesel", "HVO"]
    )
    CustomFieldDefinition.objects.create(
        key="weight", entity_type="ASSET", title="Weight", type="NUMBER", minimum=0, maximum=500
    )
    CustomFieldDefinition.objects.create(
        key="code", entity_type="CUSTOMER", title="Code", type="STRING", pattern="^[A-Z]{3}$"
    )


def cells_of(entity: str, column: str) -> st.SearchStrategy[str]:
    """Mostly the column's example value (so rows get far), else a meaningful or an arbitrary cell."""
    example = st.just(resource_for(entity).example_row.get(column, ""))
    return st.one_of(example, example, example, st.sampled_from(MEANINGFUL), TEXT)


@st.composite
def csv_files(draw) -> tuple[str, bytes, int]:
    """(entity, file bytes, number of data rows written) for a file a user's tool might produce."""
    entity = draw(st.sampled_from(ENTITIES))
    columns, required = COLUMNS[entity], list(resource_for(entity).required_columns)
    optional = [name for name in columns if name not in required]
    chosen = draw(st.lists(st.sampled_from(optional), unique=True)) if optional else []
    header = draw(st.permutations(required + chosen))
    if draw(st.integers(0, 9)) == 0:  # now and then a header the importer must refuse
        header = [*header[1:], draw(st.sampled_from(["colour", "error", "", "NAME", header[0]]))]
    known = [cells_of(entity, name) if name in columns else TEXT for name in header]
    # Now and then a row with a cell too few (a cut download) or too many (a stray delimiter).
    shapes = {"whole": known, "cut": known[:-1], "stray": [*known, st.sampled_from(MEANINGFUL)]}
    rows = [
        draw(st.tuples(*shapes[draw(st.sampled_from(["whole"] * 8 + ["cut", "stray"]))]))
        for _ in range(draw(st.integers(1, 8)))
    ]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"])), lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    return entity, out.getvalue().encode(encoding, errors="replace"), len(rows)


def assert_answered(report: ImportReport, rows_written: int) -> None:
    """The report accounts for every row and names each error; or a message says why the file is refused."""
    assert report.summary()
    if report.message:
        assert not report.message.startswith("The database refused"), report.message
        assert not report.written
        return
    assert 1 <= report.rows_total <= rows_written
    assert report.new + report.updated + report.unchanged + report.rejected == report.rows_total
    for error in report.errors:
        assert 2 <= error.line <= rows_written + 1  # Excel's row numbers: a quoted newline is still one row
        assert error.rule
        assert error.message
        assert str(error).startswith(f"row {error.line}")
    assert report.written == (not report.refused and not report.dry_run)


def test_any_rows_of_any_entity_get_a_report_never_a_traceback(records):
    examples = []

    @settings(FUZZ, max_examples=ROWS_EXAMPLES)
    @given(csv_files(), st.booleans(), st.booleans())
    def check(file, valid_only, dry_run):
        entity, data, rows_written = file
        examples.append(entity)
        with transaction.atomic():
            report = run_import(
                resource_for(entity), data, valid_only=valid_only, dry_run=dry_run, actor="fuzz"
            )
            assert_answered(report, rows_written)
            transaction.set_rollback(True)

    check()
    print(f"hypothesis: {len(examples)} CSV files imported, {len(set(examples))} entities")
    assert len(examples) >= ROWS_EXAMPLES


def test_any_bytes_are_read_or_refused_with_a_message(records):
    examples = []

    @settings(FUZZ, max_examples=BYTES_EXAMPLES)
    @given(
        st.one_of(
            st.binary(max_size=400),
            st.binary(max_size=200).map(lambda tail: b"external_reference,name\r\n" + tail),
            st.text(max_size=200).map(lambda tail: ("external_reference;name\n" + tail).encode("utf-16")),
        )
    )
    def check(data):
        examples.append(data)
        try:
            table = read_table(data)
        except FileRefused as refused:
            reason = str(refused)
        else:
            reason = ""
            assert table.header
            assert len(table.rows) == len(table.lines)
        assert reason or table
        with transaction.atomic():
            report = run_import(resource_for("customers"), data, actor="fuzz")
            assert report.summary()
            assert report.message or report.rows_total
            transaction.set_rollback(True)

    check()
    print(f"hypothesis: {len(examples)} byte strings read")
    assert len(examples) >= BYTES_EXAMPLES


def test_any_upload_in_the_admin_is_answered_with_a_page_never_a_500(records, admin_client_for, superuser):
    client = admin_client_for(superuser)
    examples = []

    @settings(FUZZ, max_examples=ADMIN_EXAMPLES, deadline=timedelta(seconds=5))
    @given(csv_files(), st.booleans())
    def check(file, confirm):
        entity, data, _rows = file
        examples.append(entity)
        model = resource_for(entity)._meta.model._meta
        prefix = f"admin:{model.app_label}_{model.model_name}"
        with transaction.atomic():
            upload = io.BytesIO(data)
            upload.name = "fuzz.csv"
            response = client.post(
                reverse(f"{prefix}_import"), {"format": "0", "resource": "0", "import_file": upload}
            )
            assert response.status_code in (200, 302)
            if response.status_code == 302:
                page = client.get(response.url)
                assert page.status_code == 200
                job = page.context["job"]
                assert job.status in ("PREVIEW", "REJECTED")
                if confirm and job.status == "PREVIEW":
                    confirmed = client.post(
                        reverse(f"{prefix}_process_import"), {"job": job.pk, "valid_only": "on"}
                    )
                    assert confirmed.status_code == 302
                    job.refresh_from_db()
                    assert job.status in ("DONE", "REJECTED")
                    assert not job.message.startswith("The database refused"), job.message
            transaction.set_rollback(True)

    check()
    print(f"hypothesis: {len(examples)} uploads through the admin")
    assert len(examples) >= ADMIN_EXAMPLES
