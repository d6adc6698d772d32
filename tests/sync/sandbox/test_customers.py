"""Customer API: customers, contacts and asset assignments (paths: changelogs/customer-api-v1.md).

The bodies are [A]: the docs name only id, name, type and externalReference.
"""

import pytest

from tests.sync.sandbox.helpers import foreign_asset, owned_asset, violated_fields


def _create(sandbox, **overrides):
    # [A] customer body; type CONTRACTOR from the ERP guide's "Contractor".
    body = {
        "name": "Acme Construction",
        "type": "CONTRACTOR",
        "externalReference": "C-1",
        "email": "ops@acme.example",
        "address": {"city": "Odense", "country": "DK"},
    }
    body.update(overrides)
    return sandbox.api("POST", "/customer/v1/customers", json=body)


def test_customer_crud(sandbox):
    created = _create(sandbox)
    assert created.status_code == 201
    customer = created.json()
    path = f"/customer/v1/customers/{customer['id']}"
    assert sandbox.api("GET", path).json() == customer
    patched = sandbox.api("PATCH", path, json={"phone": "+45 12 34 56 78"}).json()
    assert (patched["phone"], patched["name"]) == ("+45 12 34 56 78", "Acme Construction")
    found = sandbox.api("GET", "/customer/v1/customers", params={"externalReference": "C-1"}).json()
    assert [c["id"] for c in found["content"]] == [customer["id"]]
    assert sandbox.api("DELETE", path).status_code == 204
    gone = sandbox.api("GET", path)
    assert (gone.status_code, gone.json()["code"]) == (404, "customer_not_found")


def test_type_defaults_to_other(sandbox):
    # Help centre: "If you don't make a selection, the type will automatically default to Other".
    answer = sandbox.api("POST", "/customer/v1/customers", json={"name": "Walk-in"})
    assert answer.status_code == 201
    assert answer.json()["type"] == "OTHER"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "FRIEND"}, "type"),
        ({"type": "Contractor"}, "type"),  # the guide's title case is prose, not the wire spelling [A]
        ({"name": None}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"webAddress": "www.acme.example"}, "webAddress"),
        ({"externalReference": "x" * 101}, "externalReference"),
        ({"address": {"country": "Denmark"}}, "address.country"),
        ({"vatNumber": "DK1"}, "vatNumber"),
    ],
)
def test_customer_validation(sandbox, overrides, field):
    assert field in violated_fields(_create(sandbox, **overrides))


def test_patch_cannot_clear_name_or_type(sandbox):
    path = f"/customer/v1/customers/{_create(sandbox).json()['id']}"
    assert violated_fields(sandbox.api("PATCH", path, json={"name": None, "type": None})) == ["name", "type"]


def test_external_reference_unique_on_create_and_patch(sandbox):
    _create(sandbox)
    assert violated_fields(_create(sandbox)) == ["externalReference"]
    other = _create(sandbox, externalReference="C-2").json()
    clash = sandbox.api("PATCH", f"/customer/v1/customers/{other['id']}", json={"externalReference": "C-1"})
    assert violated_fields(clash) == ["externalReference"]


def test_contacts_crud(sandbox):
    customer = _create(sandbox).json()
    contacts = f"/customer/v1/customers/{customer['id']}/contacts"
    # [A] contact body; "It is not necessarily a person, as it can also be a call center or a department".
    created = sandbox.api("POST", contacts, json={"name": "Service desk", "type": "CALL_CENTRE"})
    assert created.status_code == 201
    contact = created.json()
    assert contact["customerId"] == customer["id"]
    path = f"{contacts}/{contact['id']}"
    assert sandbox.api("PATCH", path, json={"phone": "+45 70 70 70 70"}).json()["phone"] == "+45 70 70 70 70"
    assert sandbox.api("GET", contacts).json()["totalElements"] == 1
    assert sandbox.api("DELETE", path).status_code == 204
    assert sandbox.api("GET", path).json()["code"] == "contact_not_found"
    assert violated_fields(sandbox.api("POST", contacts, json={"name": "x", "type": "ROBOT"})) == ["type"]
    person = sandbox.api("POST", contacts, json={"name": "Jens"}).json()
    assert person["type"] == "PERSON"


def test_asset_assignments(sandbox):
    customer = _create(sandbox).json()
    owned = owned_asset(sandbox)
    path = f"/customer/v1/customers/{customer['id']}/assets"
    # [A] assignment body {"assetId"} for "Update assets".
    assert sandbox.api("POST", path, json={"assetId": owned["id"]}).status_code == 201
    assert sandbox.api("POST", path, json={"assetId": owned["id"]}).status_code == 200
    assert sandbox.api("GET", path).json()["content"] == [
        {"customerId": customer["id"], "assetId": owned["id"]}
    ]
    unknown = sandbox.api("POST", path, json={"assetId": "00000000-0000-4000-8000-000000000000"})
    assert unknown.json()["code"] == "asset_not_found"
    assert violated_fields(sandbox.api("POST", path, json={"assetId": owned["id"], "role": "x"})) == ["role"]


def test_shared_asset_cannot_be_assigned(sandbox):
    customer = _create(sandbox).json()
    shared = foreign_asset(sandbox)
    # [A] 403 like the assets API: only the owner acts on an asset.
    answer = sandbox.api(
        "POST", f"/customer/v1/customers/{customer['id']}/assets", json={"assetId": shared["id"]}
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "only_owner_of_the_asset_can_edit_given_fields"
    assert sandbox.state()["customer_assets"] == []


def test_no_delete_of_an_assignment(sandbox):
    customer = _create(sandbox).json()
    owned = owned_asset(sandbox)
    sandbox.api("POST", f"/customer/v1/customers/{customer['id']}/assets", json={"assetId": owned["id"]})
    # customer-api-v1.md documents GET and POST on .../assets only.
    one = sandbox.api("DELETE", f"/customer/v1/customers/{customer['id']}/assets/{owned['id']}")
    assert one.status_code == 404
    assert sandbox.api("DELETE", f"/customer/v1/customers/{customer['id']}/assets").status_code == 405
    assert len(sandbox.state()["customer_assets"]) == 1


def test_deleting_a_customer_removes_its_contacts_and_assignments(sandbox):
    customer = _create(sandbox).json()
    sandbox.api("POST", f"/customer/v1/customers/{customer['id']}/contacts", json={"name": "Jens"})
    sandbox.api(
        "POST",
        f"/customer/v1/customers/{customer['id']}/assets",
        json={"assetId": owned_asset(sandbox)["id"]},
    )
    sandbox.api("DELETE", f"/customer/v1/customers/{customer['id']}")
    state = sandbox.state()
    assert state["contacts"] == state["customer_assets"] == []
