"""Rental API: synchronize one asset with contracts and customers; list contract items."""

import pytest

from sync.trackunit import wire


def _assets(sandbox):
    assets = sandbox.api("GET", wire.ASSETS, params={"size": 1000}).json()["content"]
    return [a for a in assets if a["ownedByAccount"]], [a for a in assets if not a["ownedByAccount"]]


def _depot(sandbox, reference="D-1"):
    body = wire.site_body(
        name=reference, type="DEPOT", external_reference=reference, address=wire.address_body(city="Vejle")
    )
    return sandbox.api("POST", wire.SITES, json=body).json()


def _item(reference="CI-1", contract="K-1", customer="C-1", **kw):
    return wire.contract_item_body(
        external_reference=reference,
        on_rent_date="2025-01-06T07:00:00Z",
        off_rent_date="2999-01-31T16:00:00+01:00",
        rental_rate=wire.rental_rate_body(unit_price="125.50", currency="EUR", period="DAILY"),
        contract=wire.contract_body(
            external_reference=contract,
            status="OPEN",
            customer=wire.rental_customer_body(external_reference=customer, name="Acme", type="CONTRACTOR"),
        ),
        **kw,
    )


def _sync(sandbox, body, **headers):
    return sandbox.api("POST", wire.RENTAL_SYNCHRONIZATION, json=body, headers=headers)


def test_matched_asset_answers_200_and_creates_contract_and_customer(sandbox):
    asset = _assets(sandbox)[0][0]
    depot = _depot(sandbox)
    body = wire.synchronization_body(
        identifier_type="ASSET_ID",
        identifier=asset["id"],
        external_reference="ERP-A1",
        rental_status="ON_RENT",
        owning_depot=wire.depot_ref(external_reference="D-1"),
        contract_items=[_item()],
    )
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
    items = sandbox.api(
        "GET", wire.RENTAL_CONTRACT_ITEMS, params={"contractId": record["contractItems"][0]["contractId"]}
    )
    assert items.json()["content"][0]["rentalRate"] == {
        "unitPrice": 125.5,
        "currency": "EUR",
        "period": "DAILY",
    }


def test_match_by_serial_number_and_resync_replaces_items(sandbox):
    asset = _assets(sandbox)[0][1]
    first = wire.synchronization_body(
        identifier_type="SERIAL_NUMBER",
        identifier=asset["serialNumber"],
        contract_items=[_item("CI-1"), _item("CI-2")],
    )
    assert _sync(sandbox, first).status_code == 200
    second = wire.synchronization_body(
        identifier_type="SERIAL_NUMBER", identifier=asset["serialNumber"], contract_items=[_item("CI-2")]
    )
    assert _sync(sandbox, second).status_code == 200
    state = sandbox.state()
    assert [i["externalReference"] for i in state["contract_items"]] == ["CI-2"]
    assert len(state["rental"]) == 1
    assert len(state["customers"]) == 1


def test_unknown_asset_is_stored_202_and_matched_when_it_appears(sandbox):
    body = wire.synchronization_body(
        identifier_type="EXTERNAL_REFERENCE", identifier="ERP-NEW", contract_items=[_item()]
    )
    answer = _sync(sandbox, body)
    assert answer.status_code == 202
    assert answer.json()["assetId"] is None
    asset = _assets(sandbox)[0][2]
    sandbox.api("PATCH", wire.ASSET.format(asset_id=asset["id"]), json={"externalReference": "ERP-NEW"})
    record = sandbox.state()["rental"][0]
    assert record["assetId"] == asset["id"]
    assert record["matched"] is True


def test_validate_asset_exists_header_gives_404(sandbox):
    body = wire.synchronization_body(identifier_type="EXTERNAL_REFERENCE", identifier="NOPE")
    answer = _sync(sandbox, body, **{wire.VALIDATE_ASSET_EXISTS_HEADER: "true"})
    assert answer.status_code == 404
    assert sandbox.state()["rental"] == []


def test_foreign_asset_is_403(sandbox):
    foreign = _assets(sandbox)[1][0]
    answer = _sync(sandbox, wire.synchronization_body(identifier_type="ASSET_ID", identifier=foreign["id"]))
    assert answer.status_code == 403
    assert answer.json()["code"] == wire.ONLY_OWNER_CAN_EDIT


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
            lambda b: b["contractItems"][0]["contract"]["customer"].update(type="X"),
            "contractItems[0].contract.customer.type",
        ),
        (lambda b: b["contractItems"][0].update(onRentDate="2025-01-06"), "contractItems[0].onRentDate"),
        (lambda b: b["contractItems"].append(_item()), "contractItems[1].externalReference"),
        (lambda b: b.update(owningDepot={"externalReference": "NO-SUCH-DEPOT"}), "owningDepot"),
    ],
)
def test_synchronization_validation_changes_nothing(sandbox, mutate, field):
    asset = _assets(sandbox)[0][0]
    body = wire.synchronization_body(
        identifier_type="ASSET_ID", identifier=asset["id"], contract_items=[_item()]
    )
    mutate(body)
    answer = _sync(sandbox, body)
    assert answer.status_code == 400
    assert answer.json()["code"] == wire.CONSTRAINT_VIOLATION
    assert field in [v["field"] for v in answer.json()["violations"]]
    assert sandbox.state()["customers"] == []


def test_contract_item_belongs_to_one_asset(sandbox):
    first, second = _assets(sandbox)[0][:2]
    _sync(
        sandbox,
        wire.synchronization_body(
            identifier_type="ASSET_ID", identifier=first["id"], contract_items=[_item()]
        ),
    )
    clash = _sync(
        sandbox,
        wire.synchronization_body(
            identifier_type="ASSET_ID", identifier=second["id"], contract_items=[_item()]
        ),
    )
    assert clash.status_code == 400


def test_asset_external_reference_must_stay_unique(sandbox):
    first, second = _assets(sandbox)[0][:2]
    sandbox.api("PATCH", wire.ASSET.format(asset_id=first["id"]), json={"externalReference": "TAKEN"})
    body = wire.synchronization_body(
        identifier_type="ASSET_ID", identifier=second["id"], external_reference="TAKEN"
    )
    assert _sync(sandbox, body).status_code == 400


def test_contract_items_filters(sandbox):
    asset = _assets(sandbox)[0][0]
    past = _item("CI-OLD")
    past.update(onRentDate="2020-01-01T00:00:00Z", offRentDate="2020-02-01T00:00:00Z")
    record = _sync(
        sandbox,
        wire.synchronization_body(
            identifier_type="ASSET_ID", identifier=asset["id"], contract_items=[_item(), past]
        ),
    ).json()
    contract_id = record["contractItems"][0]["contractId"]
    active = sandbox.api(
        "GET", wire.RENTAL_CONTRACT_ITEMS, params={"contractId": contract_id, "active": "true"}
    ).json()
    assert [i["externalReference"] for i in active["content"]] == ["CI-1"]
    window = {"contractId": contract_id, "start": "2019-12-01T00:00:00Z", "end": "2020-03-01T00:00:00Z"}
    assert [
        i["externalReference"]
        for i in sandbox.api("GET", wire.RENTAL_CONTRACT_ITEMS, params=window).json()["content"]
    ] == ["CI-OLD"]
    assert sandbox.api("GET", wire.RENTAL_CONTRACT_ITEMS).status_code == 400
    assert sandbox.api("GET", wire.RENTAL_CONTRACT_ITEMS, params={"contractId": "nope"}).status_code == 404
