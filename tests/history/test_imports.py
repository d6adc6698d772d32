"""CSV imports write history in bulk: a row per created or updated record, naming the job and its user."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from assets.models import Asset
from customers.models import Customer
from rentalbridge.imports import jobs
from rentalbridge.imports.models import ImportJob, JobStatus
from tests import factories
from tests.imports.helpers import csv_bytes

pytestmark = pytest.mark.django_db


def test_an_admin_upload_records_the_job_and_the_uploader_with_old_to_new(client, back_office_user):
    factories.customer(external_reference="C-1", name="Nordbyg A/S")
    factories.customer(external_reference="C-2", name="Unchanged ApS")
    client.force_login(back_office_user)
    content = csv_bytes(
        "external_reference,name", "C-1,Nordbyg Group A/S", "C-2,Unchanged ApS", "C-3,Ny Kunde"
    )
    client.post(
        reverse("admin:customers_customer_import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("customers.csv", content)},
    )
    job = ImportJob.objects.get()
    client.post(reverse("admin:customers_customer_process_import"), {"job": job.pk})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    reason = f"import job #{job.pk} (customers.csv)"

    imported = Customer.history.filter(history_change_reason=reason)
    assert sorted(imported.values_list("external_reference", "history_type", "name")) == [
        ("C-1", "~", "Nordbyg Group A/S"),
        ("C-3", "+", "Ny Kunde"),
    ], "the unchanged row writes no history"
    assert {row.history_user for row in imported} == {back_office_user}
    changed = imported.get(external_reference="C-1")
    assert [(c.field, c.old, c.new) for c in changed.diff_against(changed.prev_record).changes] == [
        ("name", "Nordbyg A/S", "Nordbyg Group A/S")
    ]


def test_a_large_job_writes_its_history_batch_by_batch_on_postgresql(settings, back_office_user):
    assert connection.vendor == "postgresql", "the bulk path under test is COPY, PostgreSQL's"
    settings.IMPORTS_ASYNC_THRESHOLD_ROWS = 3
    settings.IMPORTS_BATCH_SIZE = 2
    depot = factories.depot(external_reference="DEP-1", name="North")
    factories.asset(external_reference="FLT-1", name="Old name", rental_status="AVAILABLE")
    rows = [f"FLT-{n},Excavator {n},ON_RENT,DEP-1" for n in range(1, 8)]
    data = csv_bytes("external_reference,name,rental_status,owning_depot_reference", *rows)
    job = jobs.create_job("assets", data, "fleet.csv", back_office_user)
    assert job.run_async
    jobs.run_job(job.pk)  # the preview, as the Celery task runs it
    job.refresh_from_db()
    job.confirmed = True
    job.status = JobStatus.QUEUED
    job.save()
    jobs.run_job(job.pk)  # the write
    job.refresh_from_db()
    assert (job.status, job.rows_new, job.rows_updated) == (JobStatus.DONE, 6, 1)

    imported = Asset.history.filter(history_change_reason=f"import job #{job.pk} (fleet.csv)")
    assert imported.count() == 7
    assert set(imported.values_list("history_user", flat=True)) == {back_office_user.pk}
    new = imported.get(external_reference="FLT-5")
    assert (new.history_type, new.name, new.rental_status, new.owning_depot_id) == (
        "+",
        "Excavator 5",
        "ON_RENT",
        depot.pk,
    )
    updated = imported.get(external_reference="FLT-1")
    changes = {c.field: (c.old, c.new) for c in updated.diff_against(updated.prev_record).changes}
    assert changes == {
        "name": ("Old name", "Excavator 1"),
        "rental_status": ("AVAILABLE", "ON_RENT"),
        "owning_depot": (None, depot.pk),
    }


def test_a_refused_import_writes_no_history(back_office_user):
    data = csv_bytes("external_reference,name", "C-1,Nordbyg", "C-2,")
    job = jobs.create_job("customers", data, "broken.csv", back_office_user)
    jobs.start(job, confirmed=True)
    job.refresh_from_db()
    assert job.status == JobStatus.REJECTED
    assert not Customer.history.exists()


def test_a_command_import_names_the_import(tmp_path):
    from django.core.management import call_command

    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes("external_reference,name", "C-1,Nordbyg"))
    call_command("import_csv", "customers", str(path))
    row = Customer.history.get()
    assert row.history_change_reason.startswith("import of customers")
    assert row.history_user is None
