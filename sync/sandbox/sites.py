"""Sites API: depots and other sites, with the status api-docs/sites-api-intro.md describes.

"Start and end date will affect the status of a site": PLANNED before the start, FINISHED after the end,
else ACTIVE, and "Setting the status to ARCHIVED overwrites this logic". So the only status a client writes
is ARCHIVED ([A] and null to un-archive); a stored ARCHIVED sticks, every other status is computed on read.
The docs print no paths or field names for sites: those are [A], spelled like the customer API's; only
the list, create and update are served (the docs link getsites and createsite, and name updates).
"""

import datetime
from typing import Any

from sync.sandbox import spec
from sync.sandbox.common import ensure_unique, filtered, new_id, with_defaults
from sync.sandbox.web import ApiError, Request, Response, Route, check, constraint_violation, paginate

FIELDS = ("name", "type", "externalReference", "address", "geometry", "startDate", "endDate")


def find(app, site_id: str) -> dict:
    site = app.store.kind("sites").get(site_id)
    if site is None:
        raise ApiError(404, spec.SITE_NOT_FOUND, f"no site {site_id}")
    return site


def resolve_depot(app, ref: dict, name: str) -> str:
    """The id of the DEPOT site an [A] depot reference ({siteId} or {externalReference}) points at."""
    sites = app.store.kind("sites")
    if ref.get("siteId") is not None:
        site = sites.get(ref["siteId"])
    else:
        site = sites.first(("externalReference",), ref["externalReference"])
    if site is None:
        raise constraint_violation([spec.violation(name, f"no site matches {ref}")])
    if site["type"] != "DEPOT":
        raise constraint_violation([spec.violation(name, "the site is not of type DEPOT")])
    return site["id"]


def _check_site(body: Any, *, partial: bool) -> list[spec.Violation]:
    if not isinstance(body, dict):
        return spec.object_body(body)
    checker = spec.Checker(body)
    checker.only((*FIELDS, "status") if partial else FIELDS)
    checker.text("name", required=not partial)
    if body.get("type") in spec.SITE_TYPES_CLASSIC:
        checker.fail("type", f"{body['type']} is only for sites migrated from Manager Classic")
    else:
        checker.enum("type", spec.SITE_TYPES, required=not partial)
    checker.text("externalReference", max_length=spec.EXTERNAL_REFERENCE_MAX)
    spec.check_address(checker.nested("address"))
    geometry = checker.nested("geometry")
    if geometry is not None:
        _check_polygon(geometry)
    start, end = checker.day("startDate"), checker.day("endDate")
    if start and end and end < start:
        checker.fail("endDate", "must not be before startDate")
    checker.enum("status", (spec.SITE_ARCHIVED,))
    for name in ("name", "type") if partial else ():
        if name in body and body[name] is None:
            checker.fail(name, "must not be null")
    return checker.violations


def _check_polygon(checker: spec.Checker) -> None:
    """A GeoJSON Polygon with one ring of [lon, lat(, alt)] points, "following the GeoJson format"."""
    checker.only(("type", "coordinates"))
    checker.enum("type", ("Polygon",), required=True)
    rings = checker.body.get("coordinates")
    if not (isinstance(rings, list) and len(rings) == 1 and isinstance(rings[0], list)):
        checker.fail("coordinates", "must hold exactly one ring of [lon, lat(, alt)] points")
        return
    ring = rings[0]
    if not all(_is_point(point) for point in ring):
        checker.fail("coordinates", "every point must be [lon, lat(, alt)] with -180<=lon<=180, -90<=lat<=90")
    elif len(ring) < 4 or ring[0] != ring[-1]:
        checker.fail("coordinates", "a ring needs at least 4 points and must end where it starts")


def _is_point(point: Any) -> bool:
    return (
        isinstance(point, list)
        and len(point) in (2, 3)
        and all(spec.is_number(c) for c in point)
        and -180 <= point[0] <= 180
        and -90 <= point[1] <= 90
    )


def _with_status(site: dict) -> dict:
    if site["status"] != spec.SITE_ARCHIVED:
        today = datetime.date.today().isoformat()
        if site["startDate"] and today < site["startDate"]:
            site["status"] = "PLANNED"
        elif site["endDate"] and today > site["endDate"]:
            site["status"] = "FINISHED"
        else:
            site["status"] = "ACTIVE"
    return site


def list_sites(app, request: Request) -> Response:
    with app.store.lock:
        sites = [_with_status(s) for s in app.store.kind("sites").values()]
        return paginate(request, filtered(sites, request.arg, "type", "externalReference"))


def create_site(app, request: Request) -> Response:
    body = request.json()
    violations = _check_site(body, partial=False)
    if not violations and body.get("address") is None and body.get("geometry") is None:
        # An omitted address "will be filled in based on a Google maps lookup on the center of the polygon".
        violations.append(spec.violation("address", "an address or a geometry is required"))
    check(violations)
    with app.store.lock:
        sites = app.store.kind("sites")
        ensure_unique(sites, body.get("externalReference"), None, "site")
        site = with_defaults(FIELDS, body, id=new_id())
        site["status"] = None
        sites[site["id"]] = _with_status(site)
        return Response.json(201, site)


def patch_site(app, request: Request, site_id: str) -> Response:
    """Fields given replace the stored ones, null clears; `status` ARCHIVED archives, null un-archives."""
    body = request.json()
    check(_check_site(body, partial=True))
    with app.store.lock:
        site = find(app, site_id)
        ensure_unique(app.store.kind("sites"), body.get("externalReference"), site_id, "site")
        merged = {**site, **body}
        if merged["address"] is None and merged["geometry"] is None:
            check([spec.violation("address", "an address or a geometry is required")])
        if merged["startDate"] and merged["endDate"] and merged["endDate"] < merged["startDate"]:
            check([spec.violation("endDate", "must not be before startDate")])
        app.store.kind("sites").update(site_id, body)
        return Response.json(200, _with_status(site))


ROUTES = [
    Route("GET", spec.SITES, list_sites, "sites"),
    Route("POST", spec.SITES, create_site, "sites"),
    Route("PATCH", spec.SITE, patch_site, "sites"),
]
