"""Assets API: get, PATCH with limits, ownership and uniqueness."""

import pytest

from sync.trackunit import wire


def _owned_and_foreign(sandbox):
    assets = sandbox.api("GET", wire.ASSETS, params={"size": 1000}).json()["content"]
    owned = [a for a in assets if a["ownedByAccount"]]
    foreign = [a for a in assets if not a["ownedByAccount"]]
    return owned, foreign


def test_seeded_fleet_has_owned_and_foreign_assets(sandbox):
    owned, foreign = _owned_and_foreign(sandbox)
    assert len(owned) == 500
    assert len(foreign) == 20
    assert all(a["type"] in wire.ASSET_TYPES and a["brand"] and a["serialNumber"] for a in owned)


def test_get_and_patch_an_asset(sandbox):
    asset = _owned_and_foreign(sandbox)[0][0]
    assert sandbox.api("GET", wire.ASSET.format(asset_id=asset["id"])).json() == asset
    body = wire.asset_patch_body(name="Digger 7", external_reference="ERP-7", production_year=2020)
    answer = sandbox.api("PATCH", wire.ASSET.format(asset_id=asset["id"]), json=body)
    assert answer.status_code == 200
    assert answer.json()["externalReference"] == "ERP-7"
    assert answer.json()["brand"] == asset["brand"]
    stored = next(a for a in sandbox.state()["assets"] if a["id"] == asset["id"])
    assert stored == answer.json()


def test_clearing_a_field_with_null(sandbox):
    asset = _owned_and_foreign(sandbox)[0][0]
    path = wire.ASSET.format(asset_id=asset["id"])
    sandbox.api("PATCH", path, json=wire.asset_patch_body(external_reference="X"))
    cleared = sandbox.api("PATCH", path, json=wire.asset_patch_body(clear=["externalReference"]))
    assert cleared.json()["externalReference"] is None


def test_unknown_asset_is_404(sandbox):
    answer = sandbox.api("GET", wire.ASSET.format(asset_id="00000000-0000-4000-8000-000000000000"))
    assert answer.status_code == 404
    assert answer.json()["code"] == wire.ASSET_NOT_FOUND


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"externalReference": "x" * 101}, "externalReference"),
        ({"serialNumber": "x" * 101}, "serialNumber"),
        ({"name": "x" * 128}, "name"),
        ({"name": None}, "name"),
        ({"type": "SPACESHIP"}, "type"),
        ({"productionYear": 1800}, "productionYear"),
        ({"productionDate": "31/12/2020"}, "productionDate"),
        ({"external_reference": "snake"}, "external_reference"),
    ],
)
def test_patch_limits(sandbox, body, field):
    asset = _owned_and_foreign(sandbox)[0][0]
    answer = sandbox.api("PATCH", wire.ASSET.format(asset_id=asset["id"]), json=body)
    assert answer.status_code == 400
    assert answer.json()["code"] == wire.CONSTRAINT_VIOLATION
    assert field in [v["field"] for v in answer.json()["violations"]]


def test_unknown_enum_value_names_the_allowed_ones(sandbox):
    asset = _owned_and_foreign(sandbox)[0][0]
    answer = sandbox.api("PATCH", wire.ASSET.format(asset_id=asset["id"]), json={"type": "SPACESHIP"})
    assert "MACHINE" in answer.json()["violations"][0]["message"]


def test_external_reference_is_unique_across_assets(sandbox):
    first, second = _owned_and_foreign(sandbox)[0][:2]
    sandbox.api("PATCH", wire.ASSET.format(asset_id=first["id"]), json={"externalReference": "DUP"})
    answer = sandbox.api("PATCH", wire.ASSET.format(asset_id=second["id"]), json={"externalReference": "DUP"})
    assert answer.status_code == 400
    assert answer.json()["violations"][0]["field"] == "externalReference"


def test_only_the_owner_can_edit(sandbox):
    foreign = _owned_and_foreign(sandbox)[1][0]
    answer = sandbox.api("PATCH", wire.ASSET.format(asset_id=foreign["id"]), json={"name": "mine now"})
    assert answer.status_code == 403
    assert answer.json()["code"] == wire.ONLY_OWNER_CAN_EDIT


def test_gateway_type_cannot_be_changed(sandbox):
    asset = _owned_and_foreign(sandbox)[0][0]
    answer = sandbox.api("PATCH", wire.ASSET.format(asset_id=asset["id"]), json={"type": "GATEWAY"})
    assert answer.status_code == 400
    assert answer.json()["code"] == wire.ASSET_TYPE_CANNOT_BE_CHANGED


def test_body_must_be_json(sandbox):
    asset = _owned_and_foreign(sandbox)[0][0]
    answer = sandbox.api(
        "PATCH",
        wire.ASSET.format(asset_id=asset["id"]),
        data="{",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == wire.BAD_REQUEST


def test_unknown_path_and_method(sandbox):
    assert sandbox.api("GET", "/asset/v9/nothing").status_code == 404
    answer = sandbox.api("DELETE", wire.ASSETS)
    assert answer.status_code == 405
    assert "GET" in answer.headers["Allow"]
