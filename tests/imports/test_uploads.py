"""Uploads are bounded before they are read; a large one is parsed by the worker (issue 10, part 3)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler
from django.core.management import CommandError, call_command
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from customers.models import Customer
from rentalbridge.imports import engine, tasks
from rentalbridge.imports.models import ImportJob, JobStatus
from rentalbridge.imports.uploads import LimitedUploadHandler

pytestmark = pytest.mark.django_db
IMPORT_URL = reverse("admin:customers_customer_import")
LIMIT = 10_000


def customers_csv(rows: int) -> bytes:
    return ("external_reference,name\r\n" + "".join(f"C{n},Customer {n}\r\n" for n in range(rows))).encode()


class Recorder(FileUploadHandler):
    """Stands for Django's memory/temporary-file handlers: counts the bytes that reach them."""

    received = 0

    def receive_data_chunk(self, raw_data, start):
        Recorder.received += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def test_the_bytes_past_the_limit_never_reach_the_handlers_that_store_them():
    limit = 200_000  # three of the parser's 64 KiB chunks pass, the fourth crosses the limit
    body = encode_multipart(BOUNDARY, {"import_file": SimpleUploadedFile("big.csv", customers_csv(50_000))})
    assert len(body) > 5 * limit
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    limited = LimitedUploadHandler(limit=limit)
    Recorder.received = 0
    handlers = [limited, Recorder(), MemoryFileUploadHandler()]
    _post, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    assert limited.exceeded
    assert "import_file" not in files
    assert 0 < Recorder.received <= limit


def test_the_admin_refuses_a_file_over_the_limit_with_the_reason(
    admin_client_for, back_office_user, settings
):
    settings.IMPORTS_MAX_FILE_BYTES = LIMIT
    response = admin_client_for(back_office_user).post(
        IMPORT_URL,
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("big.csv", customers_csv(2_000))},
    )
    assert response.status_code == 200
    assert "The file is larger than the limit of 10,000 bytes" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_admin_upload_still_checks_csrf(client, back_office_user):
    client.handler.enforce_csrf_checks = True
    client.force_login(back_office_user)
    response = client.post(
        IMPORT_URL,
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("c.csv", customers_csv(1))},
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_import_csv_stops_reading_an_endless_stream_at_the_limit(settings):
    settings.IMPORTS_MAX_FILE_BYTES = 2**20
    with pytest.raises(CommandError, match="larger than the limit of 1 MB"):
        call_command("import_csv", "customers", "/dev/zero")


def test_import_csv_refuses_a_file_over_the_limit_and_writes_nothing(tmp_path: Path, settings):
    settings.IMPORTS_MAX_FILE_BYTES = LIMIT
    path = tmp_path / "customers.csv"
    path.write_bytes(customers_csv(2_000))
    with pytest.raises(CommandError, match="larger than the limit"):
        call_command("import_csv", "customers", str(path))
    assert not Customer.objects.exists()


def test_a_large_upload_is_queued_for_the_worker_without_being_parsed_in_the_request(
    admin_client_for, back_office_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORTS_ASYNC_THRESHOLD_ROWS = 10
    queued = []

    def parsed_in_the_request(data):
        raise AssertionError("the web request parsed the whole file")

    monkeypatch.setattr(engine, "read_table", parsed_in_the_request)
    monkeypatch.setattr(tasks.run_import_job, "delay", queued.append)
    content = customers_csv(50) + b'C99,"a quote never closed\r\n'
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_for(back_office_user).post(
            IMPORT_URL,
            {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("big.csv", content)},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.run_async, job.status, bytes(job.source)) == (True, JobStatus.QUEUED, content)
    assert queued == [job.pk]


def test_a_small_upload_is_still_checked_in_the_request(admin_client_for, back_office_user):
    response = admin_client_for(back_office_user).post(
        IMPORT_URL,
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("c.csv", customers_csv(3))},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.run_async, job.status, job.rows_new) == (False, JobStatus.PREVIEW, 3)
