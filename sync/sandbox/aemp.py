"""ISO 15143-3 export: the fleet snapshot in pages of 100 and the single-element snapshot by PIN.

Only the account's own assets appear. Rendering lives in sync.trackunit.aemp so the sandbox speaks the
same format the parser reads; XML by default, JSON when the client asks for it.
"""

import math
from datetime import UTC, datetime

from sync.sandbox import fleet
from sync.sandbox.web import AEMP_PREFIX, ApiError, Request, Response, Route
from sync.trackunit import aemp, wire

XML = "application/xml"


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def equipment(app, asset: dict, at: float, with_metadata: bool) -> aemp.Equipment:
    unit = app.store.telematics[asset["id"]]
    readings = fleet.readings(app.store, asset["id"], at)
    metadata = None
    if with_metadata:
        metadata = aemp.Metadata(
            telematic_serial_number=unit["telematicSerialNumber"],
            machine_id=asset["id"],
            unit_id=unit["unitId"],
            external_reference_number=asset["externalReference"],
        )
    header = {
        "oem_name": asset["brand"],
        "model": asset["model"],
        "equipment_id": unit["equipmentId"],
        "serial_number": asset["serialNumber"],
        "pin": unit["pin"],
        "unit_install_at": _moment(unit["installedAt"]),
        "metadata": metadata,
    }
    if readings is None:
        return aemp.Equipment(**header)
    when = _moment(readings["at"])
    return aemp.Equipment(
        **header,
        location=aemp.Location(
            readings["latitude"], readings["longitude"], readings["altitude"], "metre", when
        ),
        operating_hours=aemp.Hours(readings["hours"], when),
        idle_hours=aemp.Hours(readings["idleHours"], when),
        fuel_used=aemp.FuelUsed(readings["fuelUsedLitres"], "litre", when),
        fuel_remaining=aemp.FuelRemaining(readings["fuelRemainingPercent"], when),
        distance=aemp.Distance(readings["odometerKm"], "kilometre", when) if readings["odometerKm"] else None,
        engine_status=aemp.EngineStatus(readings["engineRunning"], None, when),
    )


def _wants_json(request: Request) -> bool:
    return "application/json" in (request.header("Accept") or "").lower()


def _limit(app, request: Request, bucket: str) -> None:
    # The quota is counted per URL before the answer is known: a failed request uses it up too.
    url = request.path + (f"?{request.query_string}" if request.query_string else "")
    app.limits.hit_aemp(bucket, url, fleet.now(app.store))


def _owned(app) -> list[dict]:
    return [a for a in app.store.kind("assets").values() if a["ownedByAccount"]]


def fleet_page(app, request: Request, page: str) -> Response:
    _limit(app, request, "aemp_fleet")
    if not page.isdigit() or int(page) < 1:
        raise ApiError(400, wire.BAD_REQUEST, "the first page is 1")
    number = int(page)
    with app.store.lock:
        assets = _owned(app)
        last = max(1, math.ceil(len(assets) / wire.AEMP_PAGE_SIZE))
        at = fleet.now(app.store)
        chosen = assets[(number - 1) * wire.AEMP_PAGE_SIZE : number * wire.AEMP_PAGE_SIZE]
        with_metadata = request.arg("addMetadata") == "true"
        items = tuple(equipment(app, asset, at, with_metadata) for asset in chosen)
    base = f"http://{request.header('Host')}{AEMP_PREFIX}/Fleet/"
    query = f"?{request.query_string}" if request.query_string else ""
    links = {"self": f"{base}{number}{query}", "last": f"{base}{last}{query}"}
    if number > 1:
        links["prev"] = f"{base}{min(number - 1, last)}{query}"
    if number < last:
        links["next"] = f"{base}{number + 1}{query}"
    snapshot = aemp.FleetPage(items, links)
    if _wants_json(request):
        return Response.json(200, aemp.render_fleet_json(snapshot))
    return Response(200, aemp.render_fleet_xml(snapshot), content_type=XML)


def single_equipment(app, request: Request, pin: str) -> Response:
    _limit(app, request, "aemp_equipment")
    with app.store.lock:
        asset = next((a for a in _owned(app) if app.store.telematics[a["id"]]["pin"] == pin), None)
        if asset is None:
            raise ApiError(404, wire.EQUIPMENT_NOT_FOUND, f"no equipment with PIN {pin}")
        item = equipment(app, asset, fleet.now(app.store), request.arg("addMetadata") == "true")
    if _wants_json(request):
        return Response.json(200, aemp.equipment_json(item))
    return Response(200, aemp.render_equipment_xml(item), content_type=XML)


ROUTES = [
    Route("GET", wire.AEMP_FLEET_PAGE, fleet_page, "aemp"),
    Route("GET", wire.AEMP_EQUIPMENT, single_equipment, "aemp"),
]
