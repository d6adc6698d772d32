"""Assets API: list, get and JSON Patch, with Trackunit's ownership, gateway and assetType rules.

Sources: api-docs/asset-api-introduction.md (the asset object), changelogs/assets-api-stable-version-v1.md
(paths) and developers.trackunit.com/reference/patchasset_v1 (PATCH body, limits, error codes). Assets are
seeded (Trackunit creates them when a unit is installed); clients only name and label them. A PATCH that
gives an asset an identifier a pending rental record was waiting for matches that record.
"""

import datetime

from sync.sandbox import asset_patch, rental, spec
from sync.sandbox.common import ensure_unique
from sync.sandbox.web import ApiError, Request, Response, Route, check, paginate

# patchasset_v1: what only the owner may change and what a gateway never changes.
OWNER_ONLY = ("assetType", "type", "model", "brand", "productionYear", "serialNumber")
# [A] productionDate sets productionYear, so a gateway's is locked too.
GATEWAY_LOCKED = (*OWNER_ONLY, "productionDate")


def find(app, asset_id: str) -> dict:
    asset = app.store.kind("assets").get(asset_id)
    if asset is None:
        raise ApiError(404, spec.ASSET_NOT_FOUND, f"Asset was not found by given id: {asset_id}")
    return asset


def refuse_unless_owned(asset: dict, what: str) -> None:
    """[A] Every write to a shared asset is refused, since "Only assets owned by the account can be
    updated with data from the ERP system" (api-docs/rental-erp-api-intro.md)."""
    if not spec.owned_by_account(asset):
        raise ApiError(403, spec.ONLY_OWNER_CAN_EDIT, f"only the owner of the asset can {what}")


def list_assets(app, request: Request) -> Response:
    with app.store.lock:
        assets = app.store.kind("assets")
        external_reference = request.arg("externalReference")
        if external_reference is None:
            records = list(assets.values())
        else:
            records = assets.find(("externalReference",), external_reference)
        return paginate(request, records)


def get_asset(app, request: Request, asset_id: str) -> Response:
    with app.store.lock:
        return Response.json(200, find(app, asset_id))


def patch_asset(app, request: Request, asset_id: str) -> Response:
    patch = asset_patch.read_patch(request.json(asset_patch.MEDIA_TYPES), datetime.date.today().year)
    check(patch.violations)
    with app.store.lock:
        asset = find(app, asset_id)
        refuse_unless_owned(asset, "edit the given fields")
        changed = {k for k, v in patch.changes.items() if k == "productionDate" or asset.get(k) != v}
        if asset["assetType"] == "GATEWAY" and changed & set(GATEWAY_LOCKED):
            raise ApiError(
                400,
                spec.GATEWAY_CANNOT_BE_MODIFIED,
                f"a gateway's {', '.join(sorted(changed & set(GATEWAY_LOCKED)))} cannot be modified",
            )
        if "assetType" in changed:
            _check_asset_type_change(asset["assetType"], patch.changes["assetType"])
        ensure_unique(app.store.kind("assets"), patch.changes.get("externalReference"), asset_id, "asset")
        production_date = patch.changes.pop("productionDate", None)
        if production_date is not None and "productionYear" not in patch.changes:
            # patchasset_v1: productionYear "is derived if only productionDate is set" (for MACHINE;
            # [A] for every type, since the asset object has no productionDate to keep it in).
            patch.changes["productionYear"] = int(production_date[:4])
        app.store.kind("assets").update(asset_id, patch.changes)
        rental.match_pending(app, asset)
        return Response.json(200, asset)


def _check_asset_type_change(current: str, wanted: str) -> None:
    if current in spec.ASSET_TYPES_FIXED or wanted not in spec.ASSET_TYPES_CHANGEABLE_TO:
        raise ApiError(
            400,
            spec.ASSET_TYPE_CANNOT_BE_CHANGED,
            f"assetType {current} cannot be changed to {wanted}: gateways, machines and vehicles never "
            f"change, others only to {', '.join(spec.ASSET_TYPES_CHANGEABLE_TO)}",
        )


ROUTES = [
    Route("GET", spec.ASSETS, list_assets, "assets"),
    Route("GET", spec.ASSET, get_asset, "assets"),
    Route("PATCH", spec.ASSET, patch_asset, "assets"),
]
