"""Assets API: list, get and PATCH, with Trackunit's ownership and uniqueness rules.

Assets are seeded (Trackunit creates them when a unit is installed); clients only name and label them.
A PATCH that gives an asset an identifier a pending rental record was waiting for matches that record.
"""

import datetime

from sync.sandbox import rental
from sync.sandbox.common import ensure_unique
from sync.sandbox.web import ApiError, Request, Response, Route, check, paginate
from sync.trackunit import wire


def find(app, asset_id: str) -> dict:
    asset = app.store.kind("assets").get(asset_id)
    if asset is None:
        raise ApiError(404, wire.ASSET_NOT_FOUND, f"no asset {asset_id}")
    return asset


def list_assets(app, request: Request) -> Response:
    with app.store.lock:
        records = list(app.store.kind("assets").values())
        external_reference = request.arg("externalReference")
        if external_reference is not None:
            records = [a for a in records if a["externalReference"] == external_reference]
        return paginate(request, records)


def get_asset(app, request: Request, asset_id: str) -> Response:
    with app.store.lock:
        return Response.json(200, find(app, asset_id))


def patch_asset(app, request: Request, asset_id: str) -> Response:
    body = request.json()
    check(wire.validate_asset_patch(body, this_year=datetime.date.today().year))
    with app.store.lock:
        asset = find(app, asset_id)
        if not asset["ownedByAccount"]:
            raise ApiError(
                403, wire.ONLY_OWNER_CAN_EDIT, "only the owner of the asset can edit the given fields"
            )
        # [A] a gateway is the telematics unit itself: it cannot become a machine, nor a machine a gateway.
        if "type" in body and body["type"] != asset["type"] and "GATEWAY" in (body["type"], asset["type"]):
            raise ApiError(400, wire.ASSET_TYPE_CANNOT_BE_CHANGED, "the asset type cannot be changed")
        ensure_unique(app.store.kind("assets").values(), body.get("externalReference"), asset_id, "asset")
        asset.update(body)
        rental.match_pending(app, asset)
        return Response.json(200, asset)


ROUTES = [
    Route("GET", wire.ASSETS, list_assets, "assets"),
    Route("GET", wire.ASSET, get_asset, "assets"),
    Route("PATCH", wire.ASSET, patch_asset, "assets"),
]
