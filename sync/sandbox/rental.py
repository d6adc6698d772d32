"""Rental API: one asset's rental data per synchronization, and contract items by contract.

developers.trackunit.com/reference/synchronize: 200 when the asset matched, 202 when the data "is stored
for future matching when assets are updated or added", 404 when X-Validate-Asset-Exists is 'true' and no
asset matches; api-docs/rental-erp-api-intro.md: "Only assets owned by the account can be updated" (403,
[A] with the assets API's code). The sandbox matches stored data when an asset PATCH gives an asset the
identifier a pending record names. The contract-items query comes from rental-api.json.
"""

import re
from datetime import UTC, datetime

from sync.sandbox import customers, rental_body, sites, spec
from sync.sandbox.common import new_id
from sync.sandbox.web import ApiError, Request, Response, Route, check, constraint_violation, paginate

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# What a stored contract item keeps as sent; its depot and contract are stored as references.
ITEM_FIELDS = tuple(f for f in rental_body.ITEM_FIELDS if f not in ("hiringDepot", "contract"))


def _match(app, identifier_type: str, identifier: str) -> dict | None:
    assets = app.store.kind("assets")
    if identifier_type == "ASSET_ID":
        return assets.get(identifier)
    field = "serialNumber" if identifier_type == "SERIAL_NUMBER" else "externalReference"
    return assets.first((field,), identifier)


def synchronize(app, request: Request) -> Response:
    body = request.json()
    check(rental_body.check_synchronization(body))
    with app.store.lock:
        asset = _match(app, body["identifierType"], body["identifier"])
        if asset is None and (request.header(spec.VALIDATE_ASSET_EXISTS_HEADER) or "").lower() == "true":
            raise ApiError(
                404, spec.ASSET_NOT_FOUND, f"no asset with {body['identifierType']} {body['identifier']}"
            )
        if asset is not None and not spec.owned_by_account(asset):
            raise ApiError(
                403, spec.ONLY_OWNER_CAN_EDIT, "only assets owned by the account can be updated with ERP data"
            )
        record = _record_for(app, body, asset)
        plan = _plan(app, body, record)
        if asset is not None and body.get("externalReference") is not None:
            _unique_asset_reference(app, body["externalReference"], asset["id"])
        _apply(app, body, record, asset, plan)
        return Response.json(200 if asset is not None else 202, record)


def _record_for(app, body: dict, asset: dict | None) -> dict:
    rentals = app.store.kind("rental")
    if asset is not None:
        record = rentals.first(("assetId",), asset["id"])
    else:
        same_identity = rentals.find(
            ("identifierType", "identifier"), body["identifierType"], body["identifier"]
        )
        record = next((r for r in same_identity if r["assetId"] is None), None)
    return record if record is not None else {"id": new_id(), "assetId": None, "matched": False}


def _plan(app, body: dict, record: dict) -> dict:
    """Resolve every reference and check every rule before anything is written, so a 400 changes nothing."""
    violations = []
    depots = {}
    if body.get("owningDepot") is not None:
        depots["owningDepot"] = sites.resolve_depot(app, body["owningDepot"], "owningDepot")
    contracts = app.store.kind("contracts")
    items = app.store.kind("contract_items")
    for index, item in enumerate(body.get("contractItems", [])):
        prefix = f"contractItems[{index}]"
        if item.get("hiringDepot") is not None:
            depots[f"{prefix}.hiringDepot"] = sites.resolve_depot(
                app, item["hiringDepot"], f"{prefix}.hiringDepot"
            )
        contract_body = item["contract"]
        if contract_body.get("hiringDepot") is not None:
            name = f"{prefix}.contract.hiringDepot"
            depots[name] = sites.resolve_depot(app, contract_body["hiringDepot"], name)
        contract = contracts.first(("externalReference",), contract_body["externalReference"])
        if contract is None:
            continue
        same_item = items.find(("contractId", "externalReference"), contract["id"], item["externalReference"])
        for existing in same_item:
            if existing["rentalId"] != record["id"]:
                violations.append(
                    spec.violation(
                        f"{prefix}.externalReference", "this contract item belongs to another asset"
                    )
                )
    if violations:
        raise constraint_violation(violations)
    return depots


def _unique_asset_reference(app, reference: str, asset_id: str) -> None:
    for other in app.store.kind("assets").find(("externalReference",), reference):
        if other["id"] != asset_id:
            raise constraint_violation(
                [spec.violation("externalReference", f"{reference!r} is already used by another asset")]
            )


def _apply(app, body: dict, record: dict, asset: dict | None, depots: dict) -> None:
    store = app.store
    record.update(
        {
            "assetId": asset["id"] if asset else None,
            "matched": asset is not None,
            "identifierType": body["identifierType"],
            "identifier": body["identifier"],
            "externalReference": body.get("externalReference"),
            "rentalStatus": body.get("rentalStatus"),
            "owningDepot": {"siteId": depots["owningDepot"]} if "owningDepot" in depots else None,
        }
    )
    if asset is not None and body.get("externalReference") is not None:
        store.kind("assets").update(asset["id"], {"externalReference": body["externalReference"]})
    items = store.kind("contract_items")
    kept = []
    for index, item_body in enumerate(body.get("contractItems", [])):
        prefix = f"contractItems[{index}]"
        contract = _upsert_contract(app, item_body["contract"], depots.get(f"{prefix}.contract.hiringDepot"))
        item = items.first(
            ("contractId", "externalReference"), contract["id"], item_body["externalReference"]
        )
        if item is None:
            item = {"id": new_id(), "contractId": contract["id"]}
        item.update({name: item_body.get(name) for name in ITEM_FIELDS})
        hiring = depots.get(f"{prefix}.hiringDepot")
        item.update(
            {
                "hiringDepot": {"siteId": hiring} if hiring else None,
                "rentalId": record["id"],
                "assetId": record["assetId"],
                "customerId": contract["customerId"],
            }
        )
        items[item["id"]] = item
        kept.append(item["id"])
    # [A] the list sent is the asset's whole current list: items it no longer names are removed.
    for item in items.find(("rentalId",), record["id"]):
        if item["id"] not in kept:
            del items[item["id"]]
    record["contractItems"] = [
        {
            "id": items[i]["id"],
            "externalReference": items[i]["externalReference"],
            "contractId": items[i]["contractId"],
            "customerId": items[i]["customerId"],
        }
        for i in kept
    ]
    store.kind("rental")[record["id"]] = record


def _upsert_contract(app, body: dict, hiring_depot: str | None) -> dict:
    customer = _upsert_customer(app, body["customer"])
    contracts = app.store.kind("contracts")
    contract = contracts.first(("externalReference",), body["externalReference"])
    if contract is None:
        contract = {"id": new_id(), "externalReference": body["externalReference"]}
        contracts[contract["id"]] = contract
    contract.update(
        {
            "contractStatus": body.get("contractStatus"),
            "startDate": body.get("startDate"),
            "endDate": body.get("endDate"),
            "hiringDepot": {"siteId": hiring_depot} if hiring_depot else None,
            "customerId": customer["id"],
        }
    )
    return contract


def _upsert_customer(app, body: dict) -> dict:
    """Trackunit creates customers it does not know; [A] a known one takes the name and type sent."""
    known = app.store.kind("customers").first(("externalReference",), body["externalReference"])
    if known is None:
        return customers.create_record(
            app,
            {
                "externalReference": body["externalReference"],
                "name": body.get("name") or body["externalReference"],
                "type": body.get("type") or "OTHER",
            },
        )
    known.update({k: body[k] for k in ("name", "type") if body.get(k) is not None})
    return known


def match_pending(app, asset: dict) -> None:
    """Match rental data stored before this asset could be found; called after an asset changes."""
    if not spec.owned_by_account(asset):
        return
    rentals, assets = app.store.kind("rental"), app.store.kind("assets")
    # The pending records that could name this asset, found by each identifier it has.
    named = {
        "ASSET_ID": asset["id"],
        "SERIAL_NUMBER": asset.get("serialNumber"),
        "EXTERNAL_REFERENCE": asset.get("externalReference"),
    }
    candidates = [
        record
        for identifier_type, identifier in named.items()
        for record in rentals.find(("identifierType", "identifier"), identifier_type, identifier)
    ]
    for record in rentals.in_table_order(candidates):
        if (
            record["assetId"] is not None
            or _match(app, record["identifierType"], record["identifier"]) is not asset
        ):
            continue
        if rentals.first(("assetId",), asset["id"]) is not None:
            return
        rentals.update(record["id"], {"assetId": asset["id"], "matched": True})
        for item in app.store.kind("contract_items").find(("rentalId",), record["id"]):
            item["assetId"] = asset["id"]
        reference = record.get("externalReference")
        if reference is not None and assets.first(("externalReference",), reference) is None:
            assets.update(asset["id"], {"externalReference": reference})
        return


def list_contract_items(app, request: Request) -> Response:
    """rental-api.json: `contractId` (required, uuid), `active`, `start` and `end` (date-times)."""
    query = {name: request.arg(name) for name in ("contractId", "active", "start", "end")}
    checker = spec.Checker(query)
    checker.matches("contractId", UUID, "a UUID", required=True)
    checker.enum("active", ("true", "false"))
    # None when not asked for; a bound given but unreadable is refused by check() below.
    start, end = checker.moment("start"), checker.moment("end")
    check(checker.violations)
    contract_id, active = query["contractId"], query["active"]
    with app.store.lock:
        if contract_id not in app.store.kind("contracts"):
            raise ApiError(404, spec.CONTRACT_NOT_FOUND, f"no contract {contract_id}")
        items = app.store.kind("contract_items").find(("contractId",), contract_id)
        now = datetime.now(UTC)
        result = []
        for item in items:
            on_rent = spec.parse_moment(item["onRentDate"])
            off_rent = spec.parse_moment(item["offRentDate"])
            is_active = (on_rent is None or on_rent <= now) and (off_rent is None or off_rent > now)
            if active is not None and is_active != (active == "true"):
                continue
            if start is not None and off_rent is not None and off_rent < start:
                continue
            if end is not None and on_rent is not None and on_rent > end:
                continue
            result.append(item)
        return paginate(request, result)


ROUTES = [
    Route("POST", spec.RENTAL_SYNCHRONIZATION, synchronize, "rental"),
    Route("GET", spec.RENTAL_CONTRACT_ITEMS, list_contract_items, "rental"),
]
