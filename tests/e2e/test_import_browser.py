"""A clerk in a real browser: upload a CSV, look at the preview, confirm, find the rows in the list."""

import pytest
from playwright.sync_api import Page, expect

from customers.models import Customer

pytestmark = pytest.mark.browser


def test_staff_import_customers_from_a_csv(logged_in_page: Page, live_server, tmp_path):
    page = logged_in_page
    csv_file = tmp_path / "customers.csv"
    csv_file.write_bytes("external_reference;name;city\r\nCUS-9001;Fjordbyg A/S;Ålborg\r\n".encode("cp1252"))

    page.goto(f"{live_server.url}/admin/customers/customer/")
    page.click("a.import_link")
    page.set_input_files("#id_import_file", str(csv_file))
    page.click("input[type=submit]")

    expect(page.locator("#import-status")).to_contain_text("waiting for confirmation")
    expect(page.locator("#import-preview")).to_contain_text("CUS-9001")
    assert not Customer.objects.exists()
    page.click("input[name=confirm]")

    expect(page.locator(".messagelist")).to_contain_text("1 new")
    expect(page.locator("#result_list")).to_contain_text("Fjordbyg A/S")
    assert Customer.objects.get(external_reference="CUS-9001").city == "Ålborg"
