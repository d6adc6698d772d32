"""Sites API: depots with an address or a polygon, unique references, computed status."""

from sync.trackunit import wire


def _depot(**overrides):
    body = wire.site_body(
        name="Aarhus depot",
        type="DEPOT",
        external_reference="D-AAR",
        address=wire.address_body(street="Havnegade 1", postal_code="8000", city="Aarhus", country="DK"),
    )
    body.update(overrides)
    return body


def test_create_get_list_and_patch(sandbox):
    created = sandbox.api("POST", wire.SITES, json=_depot())
    assert created.status_code == 201
    site = created.json()
    assert site["status"] == "ACTIVE"
    assert sandbox.api("GET", wire.SITE.format(site_id=site["id"])).json() == site
    listed = sandbox.api("GET", wire.SITES, params={"type": "DEPOT"}).json()["content"]
    assert [s["id"] for s in listed] == [site["id"]]
    patched = sandbox.api("PATCH", wire.SITE.format(site_id=site["id"]), json={"name": "Aarhus North"})
    assert patched.json()["name"] == "Aarhus North"
    assert patched.json()["externalReference"] == "D-AAR"


def test_polygon_site_and_status_from_dates(sandbox):
    body = wire.site_body(
        name="Bridge job",
        type="CONSTRUCTION_SITE",
        polygon=[(10.0, 56.0), (10.1, 56.0), (10.1, 56.1)],
        start_date="2999-01-01",
    )
    assert body["geometry"]["coordinates"][0][-1] == [10.0, 56.0]
    site = sandbox.api("POST", wire.SITES, json=body).json()
    assert site["status"] == "PLANNED"
    archived = sandbox.api("PATCH", wire.SITE.format(site_id=site["id"]), json={"archived": True}).json()
    assert archived["status"] == "ARCHIVED"


def test_site_rules(sandbox):
    sandbox.api("POST", wire.SITES, json=_depot())
    duplicate = sandbox.api("POST", wire.SITES, json=_depot(name="Other"))
    assert duplicate.status_code == 400
    assert duplicate.json()["violations"][0]["field"] == "externalReference"
    no_place = sandbox.api("POST", wire.SITES, json={"name": "Nowhere", "type": "DEPOT"})
    assert no_place.json()["violations"][0]["field"] == "address"
    bad_type = sandbox.api("POST", wire.SITES, json=_depot(type="YARD", externalReference="D2"))
    assert bad_type.json()["violations"][0]["field"] == "type"
    bad_ring = sandbox.api(
        "POST",
        wire.SITES,
        json={"name": "x", "type": "AREA", "geometry": {"type": "Polygon", "coordinates": [[[0, 0]]]}},
    )
    assert bad_ring.json()["violations"][0]["field"] == "geometry.coordinates"
    assert sandbox.api("GET", wire.SITE.format(site_id="nope")).json()["code"] == wire.SITE_NOT_FOUND
