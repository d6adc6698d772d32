"""Rental API: synchronize one asset with contracts and customers; list contract items.

Answers from developers.trackunit.com/reference/synchronize (200 matched, 202 stored, 404 with
X-Validate-Asset-Exists); field names from erp-rental-data-model.drawio, nesting and enum spellings [A].
"""

import copy

import pytest

from tests.sync.sandbox.helpers import fleet, foreign_asset, owned_asset, patch_asset, violated_fields

SYNC = "/rental/v1/synchronization"
ITEMS = "/rental/v1/contract-items"

# One contract item as decisions.md spells it (names: the drawio diagram; nesting and enums [A]).
ITEM = {
    "externalReference": "CI-1",
    "onRentDate": "2025-01-06T07:00:00Z",
    "offRentDate": "2999-01-31T16:00:00+01:00",
    "rentalRate": {"unitPrice": 125.5, "currency": "EUR", "period": "DAILY"},
    "contract": {
        "externalReference": "K-1",
        "contractStatus": "OPEN",
        "customer": {"externalReference": "C-1", "name": "Acme", "type": "CONTRACTOR"},
    },
}


def _item(reference="CI-1", **overrides):
    item = copy.deepcopy(ITEM)
    item["externalReference"] = reference
    item.update(overrides)
    return item


def _sync(sandbox, body, **headers):
    return sandbox.api("POST", SYNC, json=body, headers=headers)


def _depot(sandbox, reference="D-1"):
    # [A] site body (see test_sites.py).
    body = {"name": reference, "type": "DEPOT", "externalReference": reference, "address": {"city": "Vejle"}}
    return sandbox.api("POST", "/site/v1/sites", json=body).json()


def test_matched_asset_answers_200_and_creates_contract_and_customer(sandbox):
    asset = owned_asset(sandbox)
    depot = _depot(sandbox)
    body = {
        "identifierType": "ASSET_ID",
        "identifier": asset["id"],
        "externalReference": "ERP-A1",
        "rentalStatus": "ON_RENT",
        "owningDepot": {"externalReference": "D-1"},
        "contractItems": [_item()],
    }
    answer = _sync(sandbox, body)
    assert answer.status_code == 200
    record = answer.json()
    assert record["assetId"] == asset["id"]
    assert record["owningDepot"] == {"siteId": depot["id"]}
    state = sandbox.state()
    assert [c["externalReference"] for c in state["customers"]] == ["C-1"]
    assert [c["externalReference"] for c in state["contracts"]] == ["K-1"]
    assert next(a for a in state["assets"] if a["id"] == asset["id"])["externalReference"] == "ERP-A1"
    assert state["rental"] == [record]
    items = sandbox.api("GET", ITEMS, params={"contractId": record["contractItems"][0]["contractId"]})
    assert items.json()["content"][0]["rentalRate"] == {
        "unitPrice": 125.5,
        "currency": "EUR",
        "period": "DAILY",
    }


def test_match_by_serial_number_and_resync_replaces_items(sandbox):
    asset = owned_asset(sandbox, index=1)
    first = {
        "identifierType": "SERIAL_NUMBER",
        "identifier": asset["serialNumber"],
        "contractItems": [_item("CI-1"), _item("CI-2")],
    }
    assert _sync(sandbox, first).status_code == 200
    second = {
        "identifierType": "SERIAL_NUMBER",
        "identifier": asset["serialNumber"],
        "contractItems": [_item("CI-2")],
    }
    assert _sync(sandbox, second).status_code == 200
    state = sandbox.state()
    assert [i["externalReference"] for i in state["contract_items"]] == ["CI-2"]
    assert (len(state["rental"]), len(state["customers"])) == (1, 1)


def test_stored_202_is_matched_when_an_asset_gets_the_external_reference(sandbox):
    body = {"identifierType": "EXTERNAL_REFERENCE", "identifier": "ERP-NEW", "contractItems": [_item()]}
    answer = _sync(sandbox, body)
    assert answer.status_code == 202  # "stored for future matching when assets are updated or added"
    assert answer.json()["assetId"] is None
    asset = owned_asset(sandbox, index=2)
    patch_asset(sandbox, asset["id"], [{"op": "replace", "path": "/externalReference", "value": "ERP-NEW"}])
    record = sandbox.state()["rental"][0]
    assert (record["assetId"], record["matched"]) == (asset["id"], True)
    assert sandbox.state()["contract_items"][0]["assetId"] == asset["id"]


def test_stored_202_is_matched_when_an_asset_gets_the_serial_number(sandbox):
    body = {"identifierType": "SERIAL_NUMBER", "identifier": "SN-LATER", "externalReference": "ERP-SN"}
    assert _sync(sandbox, body).status_code == 202
    asset = owned_asset(sandbox, index=3)
    patch_asset(sandbox, asset["id"], [{"op": "replace", "path": "/serialNumber", "value": "SN-LATER"}])
    assert sandbox.state()["rental"][0]["assetId"] == asset["id"]
    # The stored externalReference reaches the asset once matched.
    assert sandbox.api("GET", f"/asset/v1/assets/{asset['id']}").json()["externalReference"] == "ERP-SN"


def test_validate_asset_exists_header_gives_404(sandbox):
    body = {"identifierType": "EXTERNAL_REFERENCE", "identifier": "NOPE"}
    answer = _sync(sandbox, body, **{"X-Validate-Asset-Exists": "true"})
    assert answer.status_code == 404
    assert sandbox.state()["rental"] == []


@pytest.mark.parametrize("identifier_type", ["ASSET_ID", "SERIAL_NUMBER"])
def test_shared_asset_is_403(sandbox, identifier_type):
    shared = foreign_asset(sandbox)
    identifier = shared["id"] if identifier_type == "ASSET_ID" else shared["serialNumber"]
    # rental-erp-api-intro.md: "Only assets owned by the account can be updated with data from the ERP".
    answer = _sync(
        sandbox, {"identifierType": identifier_type, "identifier": identifier, "contractItems": [_item()]}
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "only_owner_of_the_asset_can_edit_given_fields"
    assert sandbox.state()["rental"] == sandbox.state()["customers"] == []


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.update(rentalStatus="PARTY"), "rentalStatus"),
        (lambda b: b.update(identifierType="VIN"), "identifierType"),
        (
            lambda b: b["contractItems"][0]["contract"].update(contractStatus="MAYBE"),
            "contractItems[0].contract.contractStatus",
        ),
        (
            lambda b: b["contractItems"][0]["rentalRate"].update(period="YEARLY"),
            "contractItems[0].rentalRate.period",
        ),
        (
            lambda b: b["contractItems"][0]["rentalRate"].update(currency="euro"),
            "contractItems[0].rentalRate.currency",
        ),
        (
            lambda b: b["contractItems"][0]["contract"]["customer"].update(type="X"),
            "contractItems[0].contract.customer.type",
        ),
        (lambda b: b["contractItems"][0].update(onRentDate="2025-01-06"), "contractItems[0].onRentDate"),
        (lambda b: b["contractItems"].append(_item()), "contractItems[1].externalReference"),
        (lambda b: b.update(owningDepot={"externalReference": "NO-SUCH-DEPOT"}), "owningDepot"),
        (lambda b: b.update(owningDepot={"siteId": "a", "externalReference": "b"}), "owningDepot.siteId"),
        # Not in any Trackunit source: unknown fields, refused.
        (lambda b: b["contractItems"][0].update(orderNumber="PO-1"), "contractItems[0].orderNumber"),
        (lambda b: b["contractItems"][0].update(contractedHours=8), "contractItems[0].contractedHours"),
    ],
)
def test_synchronization_validation_changes_nothing(sandbox, mutate, field):
    asset = owned_asset(sandbox)
    body = {"identifierType": "ASSET_ID", "identifier": asset["id"], "contractItems": [_item()]}
    mutate(body)
    assert field in violated_fields(_sync(sandbox, body))
    assert sandbox.state()["customers"] == []


def test_contract_item_belongs_to_one_asset(sandbox):
    first, second = fleet(sandbox)[0][:2]
    _sync(sandbox, {"identifierType": "ASSET_ID", "identifier": first["id"], "contractItems": [_item()]})
    clash = _sync(
        sandbox, {"identifierType": "ASSET_ID", "identifier": second["id"], "contractItems": [_item()]}
    )
    assert violated_fields(clash) == ["contractItems[0].externalReference"]


def test_asset_external_reference_must_stay_unique(sandbox):
    first, second = fleet(sandbox)[0][:2]
    patch_asset(sandbox, first["id"], [{"op": "replace", "path": "/externalReference", "value": "TAKEN"}])
    body = {"identifierType": "ASSET_ID", "identifier": second["id"], "externalReference": "TAKEN"}
    assert violated_fields(_sync(sandbox, body)) == ["externalReference"]


def test_contract_items_filters(sandbox):
    asset = owned_asset(sandbox)
    past = _item("CI-OLD", onRentDate="2020-01-01T00:00:00Z", offRentDate="2020-02-01T00:00:00Z")
    body = {"identifierType": "ASSET_ID", "identifier": asset["id"], "contractItems": [_item(), past]}
    contract_id = _sync(sandbox, body).json()["contractItems"][0]["contractId"]
    # rental-api.json: contractId (uuid, required), active, start and end (date-times).
    active = sandbox.api("GET", ITEMS, params={"contractId": contract_id, "active": "true"}).json()
    assert [i["externalReference"] for i in active["content"]] == ["CI-1"]
    window = {"contractId": contract_id, "start": "2019-12-01T00:00:00Z", "end": "2020-03-01T00:00:00Z"}
    assert [i["externalReference"] for i in sandbox.api("GET", ITEMS, params=window).json()["content"]] == [
        "CI-OLD"
    ]
    assert violated_fields(sandbox.api("GET", ITEMS)) == ["contractId"]
    assert violated_fields(sandbox.api("GET", ITEMS, params={"contractId": "nope"})) == ["contractId"]
    unknown = sandbox.api("GET", ITEMS, params={"contractId": "00000000-0000-4000-8000-000000000000"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "contract_not_found")
