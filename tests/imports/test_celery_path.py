"""Large files go to a real Celery worker: the request returns at once, the page polls progress."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from rentalbridge.imports.models import ImportJob, JobStatus

pytestmark = pytest.mark.e2e


def test_a_large_file_is_checked_and_written_by_the_worker(transactional_db, celery_worker, client, settings):
    settings.IMPORTS_ASYNC_THRESHOLD_ROWS = 10
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-123456789"))
    rows = "".join(f"C{n},Customer {n}\r\n" for n in range(50))
    content = ("external_reference,name\r\n" + rows).encode()

    response = client.post(
        reverse("admin:customers_customer_import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("big.csv", content)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.run_async
    status_url = reverse("admin:customers_customer_import_status", args=[job.pk])

    celery_worker.wait_for(lambda: client.get(status_url).json()["status"] == JobStatus.PREVIEW)
    assert client.get(status_url).json()["rows_new"] == 50
    assert not Customer.objects.exists()

    client.post(reverse("admin:customers_customer_process_import"), {"job": job.pk})
    celery_worker.wait_for(lambda: client.get(status_url).json()["finished"])
    state = client.get(status_url).json()
    assert (state["status"], state["percent"], state["rows_new"]) == (JobStatus.DONE, 100, 50)
    assert Customer.objects.count() == 50
