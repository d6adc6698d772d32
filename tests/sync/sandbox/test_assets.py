"""Assets API: the documented asset object, JSON Patch with its limits, ownership, gateway and type rules.

Sources: api-docs/asset-api-introduction.md (asset object), developers.trackunit.com/reference/patchasset_v1
(JSON Patch body, limits, error codes), api-docs/intro-ownership-and-visibility.md (shared assets).
"""

import datetime

import pytest

from sync.sandbox.config import DEFAULT_ACCOUNT_ID
from tests.sync.sandbox.helpers import fleet, foreign_asset, owned_asset, patch_asset, violated_fields

# asset-api-introduction.md, "Example Asset Object": every field, nothing else (no pin).
ASSET_FIELDS = {
    "id",
    "assetType",
    "type",
    "name",
    "externalReference",
    "model",
    "brand",
    "serialNumber",
    "productionYear",
    "ownerAccountId",
    "createdAt",
    "permissions",
    "telematicsDevices",
}


def test_seeded_fleet_answers_the_documented_asset_object(sandbox):
    owned, shared = fleet(sandbox)
    assert (len(owned), len(shared)) == (500, 20)
    for asset in owned + shared:
        assert set(asset) == ASSET_FIELDS
        assert asset["assetType"] in {
            "MACHINE",
            "VEHICLE",
            "GATEWAY",
            "EQUIPMENT",
            "TOOL",
            "ATTACHMENT",
            "OTHER",
        }
        assert asset["externalReference"] == ""  # the docs' example shows an unset reference as ""
        assert [set(d) for d in asset["telematicsDevices"]] == [{"id", "serialNumber"}]
    assert {a["ownerAccountId"] for a in owned} == {DEFAULT_ACCOUNT_ID}
    assert all(a["createdAt"].endswith("Z") for a in owned)
    # Shared assets: another account's id, edit false, no createdAt (service-management-intro.md's example).
    assert all(a["ownerAccountId"] != DEFAULT_ACCOUNT_ID and a["createdAt"] is None for a in shared)
    assert {a["type"] for a in owned} >= {"Excavator", "Gateway"}  # free text, not the enum


def test_account_id_flag(sandbox_factory):
    account = "11111111-2222-4333-8444-555555555555"
    handle = sandbox_factory("--assets", "2", "--foreign-assets", "1", "--account-id", account)
    owners = [(a["ownerAccountId"], a["permissions"]["edit"]) for a in handle.state()["assets"]]
    assert owners[:2] == [(account, True), (account, True)]
    assert owners[2][0] != account


def test_get_one_and_filter_by_external_reference(sandbox):
    asset = owned_asset(sandbox)
    assert sandbox.api("GET", f"/asset/v1/assets/{asset['id']}").json() == asset
    # patchasset_v1: JSON Patch replace.
    patch_asset(sandbox, asset["id"], [{"op": "replace", "path": "/externalReference", "value": "EXC-001"}])
    found = sandbox.api("GET", "/asset/v1/assets", params={"externalReference": "EXC-001"}).json()
    assert [a["id"] for a in found["content"]] == [asset["id"]]


def test_json_patch_replace_add_and_remove(sandbox):
    asset = owned_asset(sandbox, "MACHINE")
    # decisions.md's example body (patchasset_v1: "JSON Patch defined in RFC 6902").
    answer = patch_asset(
        sandbox,
        asset["id"],
        [
            {"op": "replace", "path": "/externalReference", "value": "EXC-001"},
            {"op": "replace", "path": "/name", "value": "Digger"},
            {"op": "add", "path": "/type", "value": "AWP/Scissor lift"},
        ],
    )
    assert answer.status_code == 200
    patched = answer.json()
    assert (patched["externalReference"], patched["name"], patched["type"]) == (
        "EXC-001",
        "Digger",
        "AWP/Scissor lift",
    )
    assert patched["brand"] == asset["brand"]
    assert next(a for a in sandbox.state()["assets"] if a["id"] == asset["id"]) == patched
    # RFC 6902 remove clears the field; it reads back as "" like an unset reference.
    cleared = patch_asset(sandbox, asset["id"], [{"op": "remove", "path": "/externalReference"}])
    assert cleared.json()["externalReference"] == ""


def test_operations_apply_in_order(sandbox):
    asset = owned_asset(sandbox)
    # RFC 6902: operations are applied sequentially; the last one on a path wins.
    body = [
        {"op": "replace", "path": "/name", "value": "First"},
        {"op": "replace", "path": "/name", "value": "Second"},
    ]
    assert patch_asset(sandbox, asset["id"], body).json()["name"] == "Second"


@pytest.mark.parametrize("content_type", ["application/json-patch+json", "application/json"])
def test_patch_media_types(sandbox, content_type):
    asset = owned_asset(sandbox)
    # [A] RFC 6902's media type, and plain JSON (the reference page names none).
    body = [{"op": "replace", "path": "/name", "value": "Typed"}]
    answer = patch_asset(sandbox, asset["id"], body, headers={"Content-Type": content_type})
    assert answer.status_code == 200


def test_other_media_types_are_415(sandbox):
    asset = owned_asset(sandbox)
    answer = patch_asset(sandbox, asset["id"], [], headers={"Content-Type": "application/merge-patch+json"})
    assert answer.status_code == 415


THIS_YEAR = datetime.date.today().year


@pytest.mark.parametrize(
    ("operations", "field"),
    [
        # patchasset_v1 "length between 0 and ...".
        ([{"op": "replace", "path": "/externalReference", "value": "x" * 101}], "externalReference"),
        ([{"op": "replace", "path": "/serialNumber", "value": "x" * 101}], "serialNumber"),
        ([{"op": "replace", "path": "/name", "value": "x" * 128}], "name"),
        ([{"op": "replace", "path": "/brand", "value": "x" * 257}], "brand"),
        ([{"op": "replace", "path": "/model", "value": "x" * 257}], "model"),
        ([{"op": "replace", "path": "/type", "value": "x" * 51}], "type"),
        # "Minimum allowed production year is 1900. Maximum allowed production year is current year plus one."
        ([{"op": "replace", "path": "/productionYear", "value": 1899}], "productionYear"),
        ([{"op": "replace", "path": "/productionYear", "value": THIS_YEAR + 2}], "productionYear"),
        ([{"op": "replace", "path": "/productionDate", "value": "31/12/2020"}], "productionDate"),
        ([{"op": "replace", "path": "/productionDate", "value": "1899-12-31"}], "productionDate"),
        # assetType is an enum.
        ([{"op": "replace", "path": "/assetType", "value": "SPACESHIP"}], "assetType"),
        # [A] a name is required ("value '' was rejected: must not be empty", api-docs/errors.md).
        ([{"op": "replace", "path": "/name", "value": ""}], "name"),
        ([{"op": "remove", "path": "/name"}], "patch[0].path"),
        # [A] null is not a value: remove clears.
        ([{"op": "replace", "path": "/externalReference", "value": None}], "patch[0].value"),
        # Only the documented paths; RFC 6902's test, move and copy are refused [A].
        ([{"op": "replace", "path": "/pin", "value": "X"}], "patch[0].path"),
        ([{"op": "replace", "path": "/ownerAccountId", "value": DEFAULT_ACCOUNT_ID}], "patch[0].path"),
        ([{"op": "move", "from": "/name", "path": "/model"}], "patch[0].op"),
        ([{"op": "copy", "from": "/name", "path": "/model"}], "patch[0].op"),
        ([{"op": "test", "path": "/name", "value": "x"}], "patch[0].op"),
        ([{"op": "replace", "path": "/name", "value": "x", "extra": 1}], "patch[0].extra"),
        # A JSON merge-patch object is not a JSON Patch.
        ({"externalReference": "EXC-001"}, "body"),
        ([], "body"),
    ],
)
def test_patch_limits(sandbox, operations, field):
    asset = owned_asset(sandbox, "EQUIPMENT")
    assert field in violated_fields(patch_asset(sandbox, asset["id"], operations))
    assert sandbox.api("GET", f"/asset/v1/assets/{asset['id']}").json() == asset


def test_production_date_and_year(sandbox):
    asset = owned_asset(sandbox, "MACHINE")
    # patchasset_v1: productionYear "is derived if only productionDate is set".
    derived = patch_asset(
        sandbox, asset["id"], [{"op": "replace", "path": "/productionDate", "value": "2019-05-01"}]
    )
    assert derived.json()["productionYear"] == 2019
    assert "productionDate" not in derived.json()
    # "The year of Production Date must match Production Year if both are provided together."
    mismatch = [
        {"op": "replace", "path": "/productionDate", "value": "2019-05-01"},
        {"op": "replace", "path": "/productionYear", "value": 2020},
    ]
    assert violated_fields(patch_asset(sandbox, asset["id"], mismatch)) == ["productionDate"]
    # "Updating one while deleting the other is an error."
    half = [
        {"op": "replace", "path": "/productionDate", "value": "2019-05-01"},
        {"op": "remove", "path": "/productionYear"},
    ]
    assert violated_fields(patch_asset(sandbox, asset["id"], half)) == ["productionDate"]


def test_external_reference_is_unique_across_assets(sandbox):
    first, second = fleet(sandbox)[0][:2]
    body = [{"op": "replace", "path": "/externalReference", "value": "DUP"}]
    assert patch_asset(sandbox, first["id"], body).status_code == 200
    assert violated_fields(patch_asset(sandbox, second["id"], body)) == ["externalReference"]


@pytest.mark.parametrize(
    "operation",
    [
        # [A] every write to a shared asset is refused, name and externalReference included.
        {"op": "replace", "path": "/name", "value": "mine now"},
        {"op": "replace", "path": "/externalReference", "value": "EXC-9"},
        # patchasset_v1: owner-only fields.
        {"op": "replace", "path": "/serialNumber", "value": "SN-1"},
        {"op": "replace", "path": "/brand", "value": "Acme"},
    ],
)
def test_shared_assets_refuse_every_write(sandbox, operation):
    shared = foreign_asset(sandbox)
    answer = patch_asset(sandbox, shared["id"], [operation])
    assert answer.status_code == 403
    assert answer.json()["code"] == "only_owner_of_the_asset_can_edit_given_fields"
    assert sandbox.api("GET", f"/asset/v1/assets/{shared['id']}").json() == shared


@pytest.mark.parametrize(
    "path", ["/assetType", "/type", "/model", "/brand", "/productionYear", "/serialNumber"]
)
def test_gateway_fields_cannot_be_modified(sandbox, path):
    gateway = owned_asset(sandbox, "GATEWAY")
    value = {"/assetType": "TOOL", "/productionYear": 2020}.get(path, "changed")
    # patchasset_v1: gateway_asset_cannot_be_modified.
    answer = patch_asset(sandbox, gateway["id"], [{"op": "replace", "path": path, "value": value}])
    assert answer.status_code == 400
    assert answer.json()["code"] == "gateway_asset_cannot_be_modified"


def test_gateway_name_and_reference_can_change(sandbox):
    gateway = owned_asset(sandbox, "GATEWAY")
    body = [
        {"op": "replace", "path": "/name", "value": "Yard gateway"},
        {"op": "replace", "path": "/externalReference", "value": "GW-1"},
    ]
    assert patch_asset(sandbox, gateway["id"], body).status_code == 200


@pytest.mark.parametrize(
    ("current", "wanted", "status"),
    [
        # patchasset_v1: "For gateways and machines asset type cannot be changed" (v2 adds VEHICLE).
        ("MACHINE", "TOOL", 400),
        ("VEHICLE", "EQUIPMENT", 400),
        # "... can be changed to : OTHER, ATTACHMENT, EQUIPMENT, TOOL".
        ("EQUIPMENT", "TOOL", 200),
        ("TOOL", "ATTACHMENT", 200),
        ("EQUIPMENT", "MACHINE", 400),
        ("TOOL", "VEHICLE", 400),
    ],
)
def test_asset_type_changes(sandbox, current, wanted, status):
    asset = owned_asset(sandbox, current)
    answer = patch_asset(sandbox, asset["id"], [{"op": "replace", "path": "/assetType", "value": wanted}])
    assert answer.status_code == status
    if status == 400:
        assert answer.json()["code"] == "asset_type_cannot_be_changed"
    else:
        assert answer.json()["assetType"] == wanted


def test_unknown_asset_is_404(sandbox):
    missing = "00000000-0000-4000-8000-000000000000"
    assert sandbox.api("GET", f"/asset/v1/assets/{missing}").json()["code"] == "asset_not_found"
    answer = patch_asset(sandbox, missing, [{"op": "replace", "path": "/name", "value": "x"}])
    assert answer.status_code == 404
    assert answer.json()["code"] == "asset_not_found"


def test_body_must_be_json(sandbox):
    asset = owned_asset(sandbox)
    answer = patch_asset(sandbox, asset["id"], None, data="[", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "bad_request"


def test_unknown_path_and_method(sandbox):
    assert sandbox.api("GET", "/asset/v9/nothing").status_code == 404
    answer = sandbox.api("DELETE", "/asset/v1/assets")
    assert answer.status_code == 405
    assert "GET" in answer.headers["Allow"]
