"""The sandbox's indexes (issue 13, 4): every lookup by reference, serial number, asset or contract answers
from an index kept up to date by each write, so a renamed or deleted record is never found under its old
values and a new one is found at once."""

from sync.sandbox.state import INDEXES, Store, Table
from tests.sync.sandbox.helpers import owned_asset, patch_asset

SYNC = "/rental/v1/synchronization"
REFERENCE = ("externalReference",)


def test_a_table_finds_records_by_their_current_values():
    table = Table(INDEXES["assets"])
    table["a"] = {"id": "a", "externalReference": "X", "serialNumber": "S1"}
    table["b"] = {"id": "b", "externalReference": "Y", "serialNumber": "S1"}
    assert [r["id"] for r in table.find(("serialNumber",), "S1")] == ["a", "b"]
    table.update("a", {"externalReference": "Z"})
    assert table.first(REFERENCE, "X") is None
    assert table.first(REFERENCE, "Z")["id"] == "a"
    # A handler that changed a stored record in place stores it again: its old entries go.
    record = table["b"]
    record["serialNumber"] = "S2"
    table["b"] = record
    assert [r["id"] for r in table.find(("serialNumber",), "S1")] == ["a"]
    assert table.find_keys(("serialNumber",), "S2") == ["b"]
    del table["a"]
    assert table.find(("serialNumber",), "S1") == []
    assert table.first(REFERENCE, "Z") is None
    assert len(table) == 1


def test_a_restored_state_is_indexed_again():
    store = Store()
    store.kind("customers")["c1"] = {"id": "c1", "externalReference": "CUS-1"}
    snapshot = store.snapshot()
    restored = Store()
    restored.restore(snapshot)
    assert restored.kind("customers").first(REFERENCE, "CUS-1")["id"] == "c1"
    # The snapshot is a copy: writes after it change neither side's index.
    restored.kind("customers").update("c1", {"externalReference": "CUS-2"})
    assert store.kind("customers").first(REFERENCE, "CUS-1")["id"] == "c1"


def test_a_renamed_asset_is_matched_by_its_new_reference_only(sandbox):
    asset = owned_asset(sandbox)
    patch_asset(sandbox, asset["id"], [{"op": "replace", "path": "/externalReference", "value": "OLD"}])
    patch_asset(sandbox, asset["id"], [{"op": "replace", "path": "/externalReference", "value": "NEW"}])
    by_new = {"identifierType": "EXTERNAL_REFERENCE", "identifier": "NEW", "rentalStatus": "ON_RENT"}
    by_old = {"identifierType": "EXTERNAL_REFERENCE", "identifier": "OLD", "rentalStatus": "ON_RENT"}
    assert sandbox.api("POST", SYNC, json=by_new).status_code == 200
    assert sandbox.api("POST", SYNC, json=by_old).status_code == 202
    # The old reference is free again for another asset.
    other = owned_asset(sandbox, index=1)
    answer = patch_asset(
        sandbox, other["id"], [{"op": "replace", "path": "/externalReference", "value": "OLD"}]
    )
    assert answer.status_code == 200, answer.text


def test_a_renamed_customer_is_found_by_the_rental_api_under_its_new_reference(sandbox):
    customer = sandbox.api(
        "POST", "/customer/v1/customers", json={"externalReference": "C-OLD", "name": "Acme", "type": "OEM"}
    ).json()
    sandbox.api("PATCH", f"/customer/v1/customers/{customer['id']}", json={"externalReference": "C-NEW"})
    item = {
        "externalReference": "01",
        "contract": {"externalReference": "K-1", "customer": {"externalReference": "C-NEW"}},
    }
    body = {"identifierType": "ASSET_ID", "identifier": owned_asset(sandbox)["id"], "contractItems": [item]}
    assert sandbox.api("POST", SYNC, json=body).status_code == 200
    listed = sandbox.api("GET", "/customer/v1/customers", params={"externalReference": "C-NEW"}).json()
    assert [c["id"] for c in listed["content"]] == [customer["id"]]
    assert (
        sandbox.api("GET", "/customer/v1/customers", params={"externalReference": "C-OLD"}).json()["content"]
        == []
    )
    assert [c["externalReference"] for c in sandbox.state()["customers"]] == ["C-NEW"]


def test_deleting_a_customer_removes_its_contacts_and_no_others(sandbox):
    def customer(reference):
        body = {"externalReference": reference, "name": reference, "type": "OEM"}
        return sandbox.api("POST", "/customer/v1/customers", json=body).json()["id"]

    gone, kept = customer("C-1"), customer("C-2")
    for owner in (gone, kept):
        sandbox.api("POST", f"/customer/v1/customers/{owner}/contacts", json={"name": "Office"})
    sandbox.api("DELETE", f"/customer/v1/customers/{gone}")
    contacts = sandbox.api("GET", f"/customer/v1/customers/{kept}/contacts").json()["content"]
    assert [c["customerId"] for c in contacts] == [kept]
    assert sandbox.api("GET", f"/customer/v1/customers/{gone}/contacts").status_code == 404
