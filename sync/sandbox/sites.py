"""Sites API: depots and other sites. Status follows the dates; `archived` overrides them."""

import datetime

from sync.sandbox.common import ensure_unique, filtered, new_id, with_defaults
from sync.sandbox.web import ApiError, Request, Response, Route, check, paginate
from sync.trackunit import wire

FIELDS = ("name", "type", "externalReference", "address", "geometry", "startDate", "endDate", "archived")


def find(app, site_id: str) -> dict:
    site = app.store.kind("sites").get(site_id)
    if site is None:
        raise ApiError(404, wire.SITE_NOT_FOUND, f"no site {site_id}")
    return site


def resolve_depot(app, ref: dict, field: str) -> str:
    """The id of the DEPOT site a [A] depot reference ({siteId} or {externalReference}) points at."""
    sites = app.store.kind("sites")
    if ref.get("siteId") is not None:
        site = sites.get(ref["siteId"])
    else:
        site = next((s for s in sites.values() if s["externalReference"] == ref["externalReference"]), None)
    if site is None:
        raise ApiError(
            400, wire.CONSTRAINT_VIOLATION, "unknown depot", [wire.violation(field, f"no site matches {ref}")]
        )
    if site["type"] != "DEPOT":
        raise ApiError(
            400,
            wire.CONSTRAINT_VIOLATION,
            "not a depot",
            [wire.violation(field, "the site is not of type DEPOT")],
        )
    return site["id"]


def _status(site: dict) -> str:
    if site.get("archived"):
        return "ARCHIVED"
    today = datetime.date.today().isoformat()
    if site.get("startDate") and today < site["startDate"]:
        return "PLANNED"
    if site.get("endDate") and today > site["endDate"]:
        return "FINISHED"
    return "ACTIVE"


def list_sites(app, request: Request) -> Response:
    with app.store.lock:
        for site in app.store.kind("sites").values():
            site["status"] = _status(site)
        records = filtered(app.store.kind("sites").values(), request.arg, "type", "externalReference")
        return paginate(request, records)


def get_site(app, request: Request, site_id: str) -> Response:
    with app.store.lock:
        site = find(app, site_id)
        site["status"] = _status(site)
        return Response.json(200, site)


def create_site(app, request: Request) -> Response:
    body = request.json()
    check(wire.validate_site(body))
    with app.store.lock:
        sites = app.store.kind("sites")
        ensure_unique(sites.values(), body.get("externalReference"), None, "site")
        site = with_defaults(FIELDS, body, id=new_id())
        site["archived"] = bool(site["archived"])
        site["status"] = _status(site)
        sites[site["id"]] = site
        return Response.json(201, site)


def patch_site(app, request: Request, site_id: str) -> Response:
    """[A] Trackunit documents no site update; sync needs one to follow a depot's ERP changes."""
    body = request.json()
    check(wire.validate_site(body, partial=True))
    with app.store.lock:
        site = find(app, site_id)
        ensure_unique(app.store.kind("sites").values(), body.get("externalReference"), site_id, "site")
        merged = {**site, **body}
        if merged.get("address") is None and merged.get("geometry") is None:
            check([wire.violation("address", "an address or a geometry is required")])
        site.update(body)
        site["status"] = _status(site)
        return Response.json(200, site)


ROUTES = [
    Route("GET", wire.SITES, list_sites, "sites"),
    Route("POST", wire.SITES, create_site, "sites"),
    Route("GET", wire.SITE, get_site, "sites"),
    Route("PATCH", wire.SITE, patch_site, "sites"),
]
