"""Rental: the synchronization body and answers, built by the client and served by the sandbox.

Sources: the Rental API reference (POST /v1/synchronization on https://iris.trackunit.com/api/rental, its
answers 200/202/404 and the X-Validate-Asset-Exists header; GET /v1/contract-items and its parameters),
guides/integrations-connectors/erp-rental-data-model.drawio (field names: identifier, identifierType,
externalReference, rentalStatus, owningDepot, contractItems, contract, onRentDate, offRentDate,
rentalRate {currency, unitPrice}, customer, hiringDepot, contractStatus) and custom-erp-integration-guide.md
(the status lists). The JSON nesting is not published: the body below is marked [A] where it assumes.
"""

from datetime import UTC, datetime
from decimal import Decimal

from sync.trackunit import wire

# [A] nesting and identifierType spelling; [V] every field name but the delivery/pickup and period keys.
SYNCHRONIZATION = {
    "identifierType": "SERIAL_NUMBER",
    "identifier": "PIN-0001",
    "externalReference": "EXC-001",
    "rentalStatus": "ON_RENT",
    "owningDepot": {"externalReference": "DEP-AAR"},
    "contractItems": [
        {
            "externalReference": "CI-1",
            "onRentDate": "2025-01-06T00:00:00+00:00",
            "offRentDate": "2025-02-03T00:00:00+00:00",
            "rentalRate": {"unitPrice": 99.95, "currency": "DKK", "period": "WEEKLY"},
            "contract": {
                "externalReference": "K-1",
                "contractStatus": "OPEN",
                "customer": {"externalReference": "C-1", "name": "Nordbyg", "type": "CONTRACTOR"},
            },
        }
    ],
}


def test_the_client_builds_the_synchronization_body():
    built = wire.synchronization_body(
        identifier_type="SERIAL_NUMBER",
        identifier="PIN-0001",
        external_reference="EXC-001",
        rental_status="ON_RENT",
        owning_depot=wire.depot_ref(external_reference="DEP-AAR"),
        contract_items=[
            wire.contract_item_body(
                external_reference="CI-1",
                on_rent_date=datetime(2025, 1, 6, tzinfo=UTC),
                off_rent_date=datetime(2025, 2, 3, tzinfo=UTC),
                rental_rate=wire.rental_rate_body(
                    unit_price=Decimal("99.95"), currency="DKK", period="WEEKLY"
                ),
                contract=wire.contract_body(
                    external_reference="K-1",
                    status="OPEN",
                    customer=wire.rental_customer_body(
                        external_reference="C-1", name="Nordbyg", type="CONTRACTOR"
                    ),
                ),
            )
        ],
    )
    assert built == SYNCHRONIZATION


def _depot(sandbox) -> None:
    site = {"name": "Aarhus", "type": "DEPOT", "externalReference": "DEP-AAR", "address": {"city": "Aarhus"}}
    assert sandbox.api("POST", "/site/v1/sites", json=site).status_code == 201


def _assets(sandbox) -> tuple[dict, dict]:
    content = sandbox.api("GET", "/asset/v1/assets", params={"size": 1000}).json()["content"]
    return (
        next(a for a in content if a["permissions"]["edit"]),
        next(a for a in content if not a["permissions"]["edit"]),
    )


def test_a_matched_asset_answers_200_and_an_unknown_one_202(sandbox):
    _depot(sandbox)
    own, _ = _assets(sandbox)
    matched = sandbox.api(
        "POST", "/rental/v1/synchronization", json={**SYNCHRONIZATION, "identifier": own["serialNumber"]}
    )
    assert matched.status_code == 200, matched.text
    # "Data accepted. Asset was not matched with existing assets, but data is stored for future matching".
    stored = sandbox.api(
        "POST",
        "/rental/v1/synchronization",
        json={**SYNCHRONIZATION, "externalReference": "EXC-9", "contractItems": []},
    )
    assert stored.status_code == 202, stored.text
    contract_ids = [i for i in wire.contract_ids_of(matched.json()) if i]
    assert contract_ids
    items = sandbox.api("GET", "/rental/v1/contract-items", params={"contractId": contract_ids[0]}).json()
    # The contract-items list is a page (api-docs/pagination.md).
    assert {"totalPages", "totalElements", "number", "size", "numberOfElements", "content"} <= set(items)
    assert [item["externalReference"] for item in items["content"]] == ["CI-1"]


def test_validate_asset_exists_answers_404(sandbox):
    _depot(sandbox)
    answer = sandbox.api(
        "POST",
        "/rental/v1/synchronization",
        json=SYNCHRONIZATION,
        headers={"X-Validate-Asset-Exists": "true"},
    )
    assert answer.status_code == 404


def test_rental_data_for_a_shared_asset_is_refused(sandbox):
    # "Only assets owned by the account can can be updated with data from the ERP system."
    _depot(sandbox)
    _, shared = _assets(sandbox)
    body = {**SYNCHRONIZATION, "identifierType": "ASSET_ID", "identifier": shared["id"]}
    assert sandbox.api("POST", "/rental/v1/synchronization", json=body).status_code == 403


def test_undocumented_item_fields_are_refused(sandbox):
    _depot(sandbox)
    item = {**SYNCHRONIZATION["contractItems"][0], "orderNumber": "PO-1"}
    answer = sandbox.api(
        "POST", "/rental/v1/synchronization", json={**SYNCHRONIZATION, "contractItems": [item]}
    )
    assert answer.status_code == 400
    assert "contractItems[0].orderNumber" in {v["field"] for v in answer.json()["violations"]}
