"""The admin: upload -> checked preview -> confirm, errors on the page, exports, templates, permissions."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from customers.resources import CustomerResource
from rentalbridge.imports.models import ImportJob, JobStatus

pytestmark = pytest.mark.django_db
IMPORT_URL = reverse("admin:customers_customer_import")


def upload(client, content: bytes, name: str = "customers.csv"):
    return client.post(
        IMPORT_URL, {"format": "0", "resource": "0", "import_file": SimpleUploadedFile(name, content)}
    )


def confirm(client, job: ImportJob, valid_only: bool = False):
    data = {"job": job.pk, **({"valid_only": "on"} if valid_only else {})}
    return client.post(reverse("admin:customers_customer_process_import"), data)


def test_upload_shows_a_preview_and_writes_only_after_confirmation(admin_client_for, back_office_user):
    client = admin_client_for(back_office_user)
    assert b"Download a template" in client.get(IMPORT_URL).content

    response = upload(client, b"external_reference;name\r\nC1;Alpha\r\nC2;Beta\r\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"/import/job/{job.pk}/")
    page = client.get(response.url).content.decode()
    assert job.status == JobStatus.PREVIEW
    assert "Confirm import" in page
    assert "C2" in page
    assert not Customer.objects.exists()

    response = confirm(client, job)
    assert response.status_code == 302
    assert response.url == reverse("admin:customers_customer_changelist")
    assert set(Customer.objects.values_list("external_reference", flat=True)) == {"C1", "C2"}
    assert "2 new" in client.get(response.url).content.decode()


def test_errors_are_listed_and_the_valid_rows_can_be_imported_alone(admin_client_for, back_office_user):
    client = admin_client_for(back_office_user)
    response = upload(client, b"external_reference,name,type\r\nC1,Alpha,\r\nC2,Beta,PIRATE\r\n")
    page = client.get(response.url).content.decode()
    job = ImportJob.objects.get()
    for text in (
        "<td>3</td>",
        "<td>type</td>",
        "<td>PIRATE</td>",
        "<td>choices</td>",
        "Import the 1 valid rows only",
    ):
        assert text in page
    assert "Confirm import" not in page

    response = confirm(client, job, valid_only=True)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert response.url.endswith(f"/import/job/{job.pk}/")
    assert list(Customer.objects.values_list("external_reference", flat=True)) == ["C1"]
    assert "Download the rejected rows" in client.get(response.url).content.decode()
    rejected = client.get(reverse("admin:customers_customer_import_rejected", args=[job.pk]))
    lines = rejected.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "external_reference,name,type,error"
    assert lines[1].startswith("C2,Beta,PIRATE,")
    assert "is not one of" in lines[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x00\x00", "This is an Excel workbook"),
        (b"", "The submitted file is empty."),
        (b"contract_reference,asset_reference\r\nA,B\r\n", "This is not a customers file"),
    ],
)
def test_an_unreadable_file_is_refused_on_the_form_not_with_a_500(
    admin_client_for, back_office_user, content, message
):
    response = upload(admin_client_for(back_office_user), content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_export_of_the_filtered_changelist_as_csv_and_xlsx(admin_client_for, back_office_user):
    Customer.objects.create(name="Alpha", external_reference="C1", type="DEALER")
    Customer.objects.create(name="Beta", external_reference="C2", type="OEM")
    client = admin_client_for(back_office_user)
    fields = {f"customerresource_{name}": "on" for name in CustomerResource().get_export_order()}
    url = reverse("admin:customers_customer_export") + "?type__exact=DEALER"

    csv_response = client.post(url, {"format": "0", "resource": "0", **fields})
    lines = csv_response.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("external_reference,name,type")
    assert len(lines) == 2
    assert "C1" in lines[1]

    xlsx_response = client.post(url, {"format": "1", "resource": "0", **fields})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.getvalue())).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["external_reference", "C1"]


def test_the_template_has_the_header_and_one_example_row(admin_client_for, back_office_user):
    response = admin_client_for(back_office_user).get(reverse("admin:assets_asset_import_template"))
    header, example = response.content.decode("utf-8-sig").splitlines()
    assert header.startswith("external_reference,name,")
    assert "operating_hours" not in header
    assert example.startswith("FLT-00001,")


def test_auditors_may_neither_import_nor_export(admin_client_for, auditor_user):
    client = admin_client_for(auditor_user)
    changelist = client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert "import_link" not in changelist
    assert "export_link" not in changelist
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(reverse("admin:customers_customer_export")).status_code == 403


def test_someone_elses_job_is_not_shown(admin_client_for, back_office_user, operator_user):
    upload(admin_client_for(back_office_user), b"external_reference,name\r\nC1,A\r\n")
    job = ImportJob.objects.get()
    other = admin_client_for(operator_user)
    assert other.get(reverse("admin:customers_customer_import_job", args=[job.pk])).status_code == 403
