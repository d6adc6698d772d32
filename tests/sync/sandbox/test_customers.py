"""Customer API: customers, contacts and asset assignments."""

import pytest

from sync.trackunit import wire


def _create(sandbox, **overrides):
    body = wire.customer_body(
        name="Acme Construction",
        type="CONTRACTOR",
        external_reference="C-1",
        email="ops@acme.example",
        address=wire.address_body(city="Odense", country="DK"),
    )
    body.update(overrides)
    return sandbox.api("POST", wire.CUSTOMERS, json=body)


def test_customer_crud(sandbox):
    created = _create(sandbox)
    assert created.status_code == 201
    customer = created.json()
    path = wire.CUSTOMER.format(customer_id=customer["id"])
    assert sandbox.api("GET", path).json() == customer
    patched = sandbox.api("PATCH", path, json=wire.customer_body(phone="+45 12 34 56 78")).json()
    assert patched["phone"] == "+45 12 34 56 78"
    assert patched["name"] == "Acme Construction"
    found = sandbox.api("GET", wire.CUSTOMERS, params={"externalReference": "C-1"}).json()["content"]
    assert [c["id"] for c in found] == [customer["id"]]
    assert sandbox.api("DELETE", path).status_code == 204
    gone = sandbox.api("GET", path)
    assert gone.status_code == 404
    assert gone.json()["code"] == wire.CUSTOMER_NOT_FOUND


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "FRIEND"}, "type"),
        ({"name": None}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"externalReference": "x" * 101}, "externalReference"),
        ({"address": {"country": "Denmark"}}, "address.country"),
    ],
)
def test_customer_validation(sandbox, overrides, field):
    answer = _create(sandbox, **overrides)
    assert answer.status_code == 400
    assert field in [v["field"] for v in answer.json()["violations"]]


def test_external_reference_unique_on_create_and_patch(sandbox):
    _create(sandbox)
    assert _create(sandbox).status_code == 400
    other = _create(sandbox, externalReference="C-2").json()
    clash = sandbox.api(
        "PATCH", wire.CUSTOMER.format(customer_id=other["id"]), json={"externalReference": "C-1"}
    )
    assert clash.status_code == 400
    assert clash.json()["code"] == wire.CONSTRAINT_VIOLATION


def test_contacts_crud(sandbox):
    customer = _create(sandbox).json()
    contacts = wire.CUSTOMER_CONTACTS.format(customer_id=customer["id"])
    created = sandbox.api("POST", contacts, json=wire.contact_body(name="Service desk", type="CALL_CENTRE"))
    assert created.status_code == 201
    contact = created.json()
    assert contact["customerId"] == customer["id"]
    path = wire.CUSTOMER_CONTACT.format(customer_id=customer["id"], contact_id=contact["id"])
    assert sandbox.api("PATCH", path, json={"phone": "+45 70 70 70 70"}).json()["phone"] == "+45 70 70 70 70"
    assert sandbox.api("GET", contacts).json()["totalElements"] == 1
    assert sandbox.api("DELETE", path).status_code == 204
    assert sandbox.api("GET", path).json()["code"] == wire.CONTACT_NOT_FOUND
    bad = sandbox.api("POST", contacts, json={"name": "x", "type": "ROBOT"})
    assert bad.json()["violations"][0]["field"] == "type"


def test_asset_assignments(sandbox):
    customer = _create(sandbox).json()
    assets = sandbox.api("GET", wire.ASSETS, params={"size": 1000}).json()["content"]
    owned = next(a for a in assets if a["ownedByAccount"])
    foreign = next(a for a in assets if not a["ownedByAccount"])
    path = wire.CUSTOMER_ASSETS.format(customer_id=customer["id"])
    assert sandbox.api("POST", path, json=wire.customer_asset_body(asset_id=owned["id"])).status_code == 201
    assert sandbox.api("POST", path, json=wire.customer_asset_body(asset_id=owned["id"])).status_code == 200
    assert sandbox.api("POST", path, json=wire.customer_asset_body(asset_id=foreign["id"])).status_code == 403
    assert sandbox.api("GET", path).json()["content"] == [
        {"customerId": customer["id"], "assetId": owned["id"]}
    ]
    one = wire.CUSTOMER_ASSET.format(customer_id=customer["id"], asset_id=owned["id"])
    assert sandbox.api("DELETE", one).status_code == 204
    assert sandbox.api("DELETE", one).status_code == 404
    assert sandbox.state()["customer_assets"] == []
