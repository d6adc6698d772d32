"""A person in a real browser: log in, create a customer and a contract with one item, find them again."""

import pytest
from playwright.sync_api import Page, expect

from assets.models import Asset
from contracts.models import Contract

pytestmark = pytest.mark.browser


def choose_autocomplete(page: Page, field_id: str, search: str, option: str) -> None:
    """Drive the admin's select2 autocomplete widget as a user does."""
    page.click(f"#{field_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.click(f".select2-results__option:has-text('{option}')")


def test_staff_create_a_customer_and_a_contract_with_one_item(logged_in_page: Page, live_server):
    page = logged_in_page
    Asset.objects.create(name="Volvo EC220E #7", external_reference="FLT-00007", pin="YV1EC220E00000777")

    page.goto(f"{live_server.url}/admin/customers/customer/add/")
    page.fill("#id_name", "Kystbyg ApS")
    page.fill("#id_external_reference", "CUS-7001")
    page.select_option("#id_type", "CONTRACTOR")
    page.fill("#id_city", "Esbjerg")
    page.fill("#id_contacts-0-name", "Site office")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(f"{live_server.url}/admin/contracts/contract/add/")
    choose_autocomplete(page, "id_customer", "Kyst", "Kystbyg ApS")
    page.fill("#id_external_reference", "RC-7001")
    page.select_option("#id_status", "OPEN")
    page.fill("#id_start_date", "2026-03-01")
    page.click("#items-group .add-row a")
    page.fill("#id_items-0-external_reference", "01")
    choose_autocomplete(page, "id_items-0-asset", "EC220E", "Volvo EC220E #7")
    page.fill("#id_items-0-on_rent_date", "2026-03-02")
    page.fill("#id_items-0-rate_amount", "450")
    page.fill("#id_items-0-rate_currency", "EUR")
    page.select_option("#id_items-0-rate_period", "DAY")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(f"{live_server.url}/admin/customers/customer/?q=Kystbyg")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("CUS-7001")

    page.goto(f"{live_server.url}/admin/contracts/contract/?q=RC-7001")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Kystbyg ApS")
    expect(row.locator("td.field-item_count")).to_have_text("1")

    page.goto(f"{live_server.url}/admin/contracts/contractitem/?q=FLT-00007")
    expect(page.locator("#result_list")).to_contain_text("RC-7001")

    contract = Contract.objects.get(external_reference="RC-7001")
    item = contract.items.get()
    assert (contract.customer.name, item.asset.external_reference, str(item.rate_amount)) == (
        "Kystbyg ApS",
        "FLT-00007",
        "450.00",
    )
