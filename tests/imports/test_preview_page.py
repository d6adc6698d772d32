"""The import pages as issue 14 asks: before -> after for changed cells, row filters, the columns kept on a
refused file, date formats shown, CSV chosen on the export form, and refusals that read naturally."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import ContractItem
from customers.models import Customer
from rentalbridge.imports.models import ImportJob
from tests import factories

pytestmark = pytest.mark.django_db


def upload(client, url: str, content: bytes, name: str = "file.csv"):
    return client.post(
        url, {"format": "0", "resource": "0", "import_file": SimpleUploadedFile(name, content)}
    )


def test_the_preview_shows_before_and_after_of_each_changed_cell(admin_client_for, back_office_user):
    Customer.objects.create(external_reference="C1", name="Alpha", type="DEALER", city="Odense")
    Customer.objects.create(external_reference="C2", name="Beta", type="OEM")
    client = admin_client_for(back_office_user)
    response = upload(
        client,
        reverse("admin:customers_customer_import"),
        b"external_reference,name,type,city\r\nC1,Alpha,DEALER,Aarhus\r\nC2,Beta,OEM,\r\nC3,Gamma,OEM,\r\n"
        b"C4,Delta,PIRATE,\r\n",
    )
    page = client.get(response.url)
    rows = {row["line"]: row for row in page.context["preview_rows"]}
    assert [(c["column"], c["before"], c["after"]) for c in rows[2]["changes"]] == [
        ("city", "Odense", "Aarhus")
    ]
    assert rows[3]["changes"] == []
    assert rows[3]["action"] == "unchanged"
    assert rows[4]["action"] == "new"
    assert rows[5]["action"] == "rejected"
    assert "type:" in rows[5]["errors"][0]
    content = page.content.decode()
    assert '<del class="import-before">Odense</del>' in content
    assert '<ins class="import-after">Aarhus</ins>' in content
    buttons = {f["action"]: (f["label"], f["count"]) for f in page.context["preview_filters"]}
    assert buttons == {
        "new": ("New", 1),
        "update": ("Changed", 1),
        "unchanged": ("Unchanged", 1),
        "rejected": ("Rejected", 1),
    }


def test_a_reference_column_shows_the_other_records_reference_before_and_after(
    admin_client_for, back_office_user
):
    old = factories.depot(external_reference="DEP-OLD")
    factories.depot(external_reference="DEP-NEW")
    factories.asset(external_reference="FLT-1", owning_depot=old)
    client = admin_client_for(back_office_user)
    response = upload(
        client,
        reverse("admin:assets_asset_import"),
        b"external_reference,name,owning_depot_reference\r\nFLT-1,Excavator 1,DEP-NEW\r\n",
    )
    job = ImportJob.objects.get()
    # The asset's name differs too (the factory numbers it): only real differences are listed.
    changes = {c["column"]: (c["before"], c["after"]) for c in job.preview[0]["changes"]}
    assert changes["owning_depot_reference"] == ("DEP-OLD", "DEP-NEW")
    # The page shows what the job keeps: the file is not read again.
    job.source = None
    job.save(update_fields=["source"])
    page_changes = client.get(response.url).context["preview_rows"][0]["changes"]
    assert {c["column"]: (c["before"], c["after"]) for c in page_changes} == changes


def test_a_refused_file_keeps_the_expected_columns_listed_with_the_date_format(
    admin_client_for, back_office_user
):
    client = admin_client_for(back_office_user)
    url = reverse("admin:contracts_contractitem_import")
    response = upload(client, url, b"name,colour\r\nA,red\r\n")
    assert response.status_code == 200
    content = response.content.decode()
    assert "This is not a contract items file" in content
    assert "Its columns are: " in content
    columns = {column.name: column for column in response.context["expected_columns"]}
    assert {"contract_reference", "external_reference", "asset_reference", "on_rent_date"} <= set(columns)
    assert columns["on_rent_date"].hint.startswith("YYYY-MM-DD")
    assert columns["rate_amount"].hint == ""
    assert 'id="import-columns"' in content
    assert "<code>on_rent_date</code>" in content
    assert "date: YYYY-MM-DD" in content
    # The same list on the empty form.
    assert "date: YYYY-MM-DD" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("entity_url", "expected"),
    [
        ("admin:assets_asset_import", "This is not an assets file"),
        ("admin:contracts_contractitem_import", "This is not a contract items file"),
    ],
)
def test_refusals_name_the_entity_as_people_say_it(admin_client_for, back_office_user, entity_url, expected):
    response = upload(admin_client_for(back_office_user), reverse(entity_url), b"colour\r\nred\r\n")
    assert expected in response.content.decode()
    assert "is not one of its columns" in response.content.decode()


def test_the_preview_names_the_date_columns_and_their_format(admin_client_for, back_office_user):
    contract = factories.contract(external_reference="RC-1")
    asset = factories.asset(external_reference="FLT-1")
    ContractItem.objects.create(
        contract=contract, asset=asset, on_rent_date=date(2026, 3, 1), external_reference="01"
    )
    client = admin_client_for(back_office_user)
    response = upload(
        client,
        reverse("admin:contracts_contractitem_import"),
        b"contract_reference,external_reference,asset_reference,on_rent_date,off_rent_date\r\n"
        b"RC-1,01,FLT-1,2026-03-02,\r\n",
    )
    page = client.get(response.url)
    content = page.content.decode()
    assert 'id="import-date-hint"' in content
    assert "<code>on_rent_date</code>" in content
    changes = page.context["preview_rows"][0]["changes"]
    assert [(c["column"], c["before"], c["after"]) for c in changes] == [
        ("on_rent_date", "2026-03-01", "2026-03-02")
    ]


def test_the_export_form_has_csv_chosen(admin_client_for, back_office_user):
    response = admin_client_for(back_office_user).get(reverse("admin:customers_customer_export"))
    field = response.context["form"]["format"]
    assert field.value() == "0"
    assert [label for _, label in field.field.choices] == ["csv", "xlsx"]
    assert '<option value="0" selected>csv</option>' in response.content.decode()
