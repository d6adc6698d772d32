"""ISO 15143-3 export: the fleet snapshot in pages of 100 and the single-element snapshot by PIN.

Only the account's own assets appear. XML by default, JSON when the client asks for it; `Links` are built
from the sandbox's configured address, never from the request's Host header.
"""

import math
from datetime import UTC, datetime

from sync.sandbox import fleet, iso, spec
from sync.sandbox.web import AEMP_PREFIX, ApiError, Request, Response, Route

XML = "application/xml"


def equipment(app, asset: dict, at: float, with_metadata: bool) -> dict:
    """One equipment's element groups as Trackunit's export writes them."""
    unit = app.store.telematics[asset["id"]]
    groups: dict[str, dict] = {
        "EquipmentHeader": {
            "UnitInstallDateTime": unit["installedAt"],
            "OEMName": asset["brand"],
            "Model": asset["model"],
            "EquipmentID": unit["equipmentId"],
            "SerialNumber": asset["serialNumber"],
            "PIN": unit["pin"],
        }
    }
    readings = fleet.readings(app.store, asset["id"], at)
    if readings is not None:
        when = readings["at"]
        groups["Location"] = {
            "datetime": when,
            "Latitude": readings["latitude"],
            "Longitude": readings["longitude"],
            "Altitude": readings["altitude"],
            "AltitudeUnits": "metre",
        }
        groups["CumulativeOperatingHours"] = {"datetime": when, "Hour": readings["hours"]}
        groups["CumulativeIdleHours"] = {"datetime": when, "Hour": readings["idleHours"]}
        groups["FuelUsed"] = {
            "datetime": when,
            "FuelUnits": "litre",
            "FuelConsumed": readings["fuelUsedLitres"],
        }
        groups["FuelRemaining"] = {"datetime": when, "Percent": readings["fuelRemainingPercent"]}
        if readings["odometerKm"]:
            groups["Distance"] = {
                "datetime": when,
                "OdometerUnits": "kilometre",
                "Odometer": readings["odometerKm"],
            }
        groups["EngineStatus"] = {"datetime": when, "Running": readings["engineRunning"]}
    if with_metadata:
        groups["Metadata"] = {
            "TelematicSerialNumber": unit["telematicSerialNumber"],
            "MachineId": asset["id"],
            "UnitId": unit["unitId"],
            "ExternalReferenceNumber": asset["externalReference"] or None,
        }
    return groups


def _wants_json(request: Request) -> bool:
    return "application/json" in (request.header("Accept") or "").lower()


def _limit(app, request: Request, bucket: str) -> None:
    # The quota is counted per URL before the answer is known: a failed request uses it up too.
    url = request.path + (f"?{request.query_string}" if request.query_string else "")
    app.limits.hit_aemp(bucket, url, fleet.now(app.store))


def _owned(app) -> list[dict]:
    return [a for a in app.store.kind("assets").values() if spec.owned_by_account(a)]


def _snapshot_time(at: float) -> str:
    return datetime.fromtimestamp(int(at), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fleet_page(app, request: Request, page: str) -> Response:
    _limit(app, request, "aemp_fleet")
    if not page.isdigit() or int(page) < 1:
        raise ApiError(400, spec.BAD_REQUEST, "the first page is 1")
    number = int(page)
    with app.store.lock:
        assets = _owned(app)
        last = max(1, math.ceil(len(assets) / spec.AEMP_PAGE_SIZE))
        at = fleet.now(app.store)
        chosen = assets[(number - 1) * spec.AEMP_PAGE_SIZE : number * spec.AEMP_PAGE_SIZE]
        with_metadata = request.arg("addMetadata") == "true"
        items = [equipment(app, asset, at, with_metadata) for asset in chosen]
    base = f"{app.public_url}{AEMP_PREFIX}/Fleet/"
    query = f"?{request.query_string}" if request.query_string else ""
    links = {"self": f"{base}{number}{query}", "last": f"{base}{last}{query}"}
    if number > 1:
        links["prev"] = f"{base}{min(number - 1, last)}{query}"
    if number < last:
        links["next"] = f"{base}{number + 1}{query}"
    if _wants_json(request):
        return Response.json(200, iso.fleet_json(items, links, _snapshot_time(at)))
    return Response(200, iso.fleet_xml(items, links, _snapshot_time(at)), content_type=XML)


def single_equipment(app, request: Request, pin: str) -> Response:
    _limit(app, request, "aemp_equipment")
    with app.store.lock:
        asset = next((a for a in _owned(app) if app.store.telematics[a["id"]]["pin"] == pin), None)
        if asset is None:
            raise ApiError(404, spec.EQUIPMENT_NOT_FOUND, f"no equipment with PIN {pin}")
        item = equipment(app, asset, fleet.now(app.store), request.arg("addMetadata") == "true")
    if _wants_json(request):
        return Response.json(200, iso.equipment_json(item))
    return Response(200, iso.equipment_xml(item), content_type=XML)


ROUTES = [
    Route("GET", spec.AEMP_FLEET_PAGE, fleet_page, "aemp"),
    Route("GET", spec.AEMP_EQUIPMENT, single_equipment, "aemp"),
]
