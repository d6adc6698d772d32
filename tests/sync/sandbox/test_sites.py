"""Sites API: depots with an address or a polygon, unique references, status from dates, archiving.

api-docs/sites-api-intro.md describes types, status and geometry in prose; paths and field names are [A].
"""

import pytest

from tests.sync.sandbox.helpers import violated_fields


def _depot(**overrides):
    # [A] body: name, type, externalReference, address {streetAddress, postalCode, city, country}.
    body = {
        "name": "Aarhus depot",
        "type": "DEPOT",
        "externalReference": "D-AAR",
        "address": {"streetAddress": "Havnegade 1", "postalCode": "8000", "city": "Aarhus", "country": "DK"},
    }
    body.update(overrides)
    return body


def test_create_list_and_patch(sandbox):
    created = sandbox.api("POST", "/site/v1/sites", json=_depot())
    assert created.status_code == 201
    site = created.json()
    assert site["status"] == "ACTIVE"
    # [A] the list filters by type and externalReference.
    listed = sandbox.api("GET", "/site/v1/sites", params={"type": "DEPOT"}).json()["content"]
    assert listed == [site]
    by_reference = sandbox.api("GET", "/site/v1/sites", params={"externalReference": "D-AAR"}).json()
    assert by_reference["content"] == [site]
    # No GET of one site is documented.
    assert sandbox.api("GET", f"/site/v1/sites/{site['id']}").status_code == 405
    patched = sandbox.api("PATCH", f"/site/v1/sites/{site['id']}", json={"name": "Aarhus North"}).json()
    assert (patched["name"], patched["externalReference"]) == ("Aarhus North", "D-AAR")


def test_polygon_site_and_status_from_dates(sandbox):
    # sites-api-intro.md: points are [longitude, latitude(, altitude)], GeoJSON; [A] a Polygon object.
    body = {
        "name": "Bridge job",
        "type": "CONSTRUCTION_SITE",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[10.0, 56.0], [10.1, 56.0], [10.1, 56.1], [10.0, 56.0]]],
        },
        "startDate": "2999-01-01",
    }
    planned = sandbox.api("POST", "/site/v1/sites", json=body).json()
    assert planned["status"] == "PLANNED"  # "If the start date is set in the future"
    finished = sandbox.api(
        "POST", "/site/v1/sites", json={**body, "startDate": "2020-01-01", "endDate": "2020-12-31"}
    ).json()
    assert finished["status"] == "FINISHED"  # "If the end date is in the past"


def test_archiving_overrides_the_dates_and_can_be_undone(sandbox):
    site = sandbox.api("POST", "/site/v1/sites", json=_depot(startDate="2999-01-01")).json()
    path = f"/site/v1/sites/{site['id']}"
    # sites-api-intro.md: "Setting the status to ARCHIVED overwrites this logic".
    archived = sandbox.api("PATCH", path, json={"status": "ARCHIVED"}).json()
    assert archived["status"] == "ARCHIVED"
    assert sandbox.api("PATCH", path, json={"name": "Still archived"}).json()["status"] == "ARCHIVED"
    assert sandbox.api("GET", "/site/v1/sites").json()["content"][0]["status"] == "ARCHIVED"
    # [A] null hands the status back to the dates.
    assert sandbox.api("PATCH", path, json={"status": None}).json()["status"] == "PLANNED"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        # Only ARCHIVED may be written; the other statuses are computed.
        ({"status": "ACTIVE"}, "status"),
        # No `archived` boolean is documented.
        ({"archived": True}, "archived"),
        ({"name": None}, "name"),
        ({"type": "YARD"}, "type"),
        ({"endDate": "1999-01-01"}, "endDate"),
    ],
)
def test_patch_rules(sandbox, body, field):
    site = sandbox.api("POST", "/site/v1/sites", json=_depot(startDate="2000-01-01")).json()
    assert field in violated_fields(sandbox.api("PATCH", f"/site/v1/sites/{site['id']}", json=body))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        # "The types 'Classic Point' and 'Classic Zone' ... cannot be provided when creating new sites."
        ({"type": "CLASSIC_POINT"}, "type"),
        ({"type": "CLASSIC_ZONE"}, "type"),
        ({"type": "YARD"}, "type"),
        ({"status": "ARCHIVED"}, "status"),
        ({"archived": False}, "archived"),
        ({"address": None}, "address"),
        ({"address": {"country": "Denmark"}}, "address.country"),
        ({"startDate": "01/02/2025"}, "startDate"),
        ({"externalReference": "x" * 101}, "externalReference"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[0, 0]]]}}, "geometry.coordinates"),
        (
            {"geometry": {"type": "Polygon", "coordinates": [[[0, 95], [1, 0], [1, 1], [0, 95]]]}},
            "geometry.coordinates",
        ),
    ],
)
def test_create_rules(sandbox, overrides, field):
    assert field in violated_fields(sandbox.api("POST", "/site/v1/sites", json=_depot(**overrides)))
    assert sandbox.state()["sites"] == []


def test_external_reference_is_unique_and_unknown_site_is_404(sandbox):
    sandbox.api("POST", "/site/v1/sites", json=_depot())
    assert violated_fields(sandbox.api("POST", "/site/v1/sites", json=_depot(name="Other"))) == [
        "externalReference"
    ]
    unknown = sandbox.api("PATCH", "/site/v1/sites/nope", json={"name": "x"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "site_not_found")
