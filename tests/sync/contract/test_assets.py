"""Assets: the documented asset object and PATCH, read by the client, built by it, served by the sandbox.

Sources: api-docs/asset-api-introduction.md ("Example Asset Object"), api-docs/service-management-intro.md
(a real asset list answer), the PATCH /v1/assets/:assetId reference (JSON Patch, RFC 6902; its limits and
error codes) and api-docs/intro-ownership-and-visibility.md (owner and permissions of shared assets).
"""

import pytest

from sync.trackunit import wire

# api-docs/asset-api-introduction.md, "Example Asset Object", literally.
DOCUMENTED_ASSET = {
    "assetType": "OTHER",
    "brand": "string",
    "createdAt": "2023-06-23T09:26:24.279Z",
    "externalReference": "string",
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "model": "string",
    "name": "string",
    "ownerAccountId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "permissions": {"edit": True},
    "productionYear": 0,
    "serialNumber": "string",
    "telematicsDevices": [{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "serialNumber": "string"}],
    "type": "string",
}
# api-docs/service-management-intro.md: an asset another account owns, as a list shows it.
DOCUMENTED_SHARED_ASSET = {
    "id": "00000000-0000-0000-0000-000001427023",
    "assetType": "MACHINE",
    "type": "AWP/Scissor lift",
    "name": "Asset #1",
    "externalReference": "",
    "model": "My model",
    "brand": "My brand",
    "serialNumber": "1234abc",
    "productionYear": 2021,
    "ownerAccountId": "7045120f-5ee7-4613-9977-7e2d8b01ce8c",
    "createdAt": None,
    "permissions": {"edit": False},
    "telematicsDevices": [{"id": "199214"}],
}
DOCUMENTED_ASSET_FIELDS = set(DOCUMENTED_ASSET)


def test_the_client_reads_the_documented_asset_object():
    asset = wire.read_asset(DOCUMENTED_ASSET)
    assert asset.id == "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert (asset.asset_type, asset.type) == ("OTHER", "string")
    assert asset.serial_number == "string"
    assert asset.owner_account_id == "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert asset.editable is True
    assert asset.created_at == "2023-06-23T09:26:24.279Z"


def test_the_client_reads_a_shared_asset_as_not_ours_and_an_empty_reference_as_none():
    asset = wire.read_asset(DOCUMENTED_SHARED_ASSET)
    assert asset.editable is False
    assert asset.external_reference is None  # Trackunit writes an unset reference as ""
    assert (asset.asset_type, asset.type) == ("MACHINE", "AWP/Scissor lift")
    assert asset.created_at is None


def test_the_client_builds_the_documented_json_patch():
    # PATCH /v1/assets/:assetId: "a partial update approach through the use of JSON Patch (RFC 6902)".
    expected = [
        {"op": "replace", "path": "/name", "value": "Excavator 7"},
        {"op": "replace", "path": "/externalReference", "value": "EXC-007"},
    ]
    assert wire.asset_patch_ops({"name": "Excavator 7", "externalReference": "EXC-007"}) == expected
    assert wire.asset_patch_ops({}, clear=["externalReference"]) == [
        {"op": "remove", "path": "/externalReference"}
    ]


def _own_and_shared(sandbox) -> tuple[dict, dict]:
    content = sandbox.api("GET", "/asset/v1/assets", params={"size": 1000}).json()["content"]
    own = next(a for a in content if a["permissions"]["edit"])
    shared = next(a for a in content if not a["permissions"]["edit"])
    return own, shared


def test_the_sandbox_answers_assets_with_exactly_the_documented_fields(sandbox):
    own, shared = _own_and_shared(sandbox)
    assert set(own) == DOCUMENTED_ASSET_FIELDS
    assert set(shared) == DOCUMENTED_ASSET_FIELDS
    assert own["ownerAccountId"] != shared["ownerAccountId"]
    assert own["assetType"] in ("MACHINE", "VEHICLE", "GATEWAY", "EQUIPMENT", "TOOL", "ATTACHMENT", "OTHER")
    assert own["externalReference"] == ""  # nothing set yet: "" as in the documented answer
    assert "pin" not in own


def test_the_sandbox_applies_the_documented_json_patch(sandbox):
    own, _ = _own_and_shared(sandbox)
    ops = [
        {"op": "replace", "path": "/name", "value": "Excavator 7"},
        {"op": "replace", "path": "/externalReference", "value": "EXC-007"},
    ]
    answer = sandbox.api(
        "PATCH",
        f"/asset/v1/assets/{own['id']}",
        json=ops,
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["name"], answer.json()["externalReference"]) == ("Excavator 7", "EXC-007")
    removed = sandbox.api(
        "PATCH",
        f"/asset/v1/assets/{own['id']}",
        json=[{"op": "remove", "path": "/externalReference"}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert removed.json()["externalReference"] == ""


@pytest.mark.parametrize(
    ("ops", "field"),
    [
        ([{"op": "replace", "path": "/name", "value": "x" * 128}], "name"),  # "length between 0 and 127"
        ([{"op": "replace", "path": "/externalReference", "value": "x" * 101}], "externalReference"),
        ([{"op": "replace", "path": "/type", "value": "x" * 51}], "type"),  # "length between 0 and 50"
        ([{"op": "replace", "path": "/productionYear", "value": 1899}], "productionYear"),  # min 1900
    ],
)
def test_the_sandbox_refuses_what_the_asset_reference_refuses(sandbox, ops, field):
    own, _ = _own_and_shared(sandbox)
    answer = sandbox.api(
        "PATCH",
        f"/asset/v1/assets/{own['id']}",
        json=ops,
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "constraint_violation"
    assert field in {v["field"] for v in answer.json()["violations"]}


def test_the_sandbox_refuses_writes_to_a_shared_asset_as_documented(sandbox):
    _, shared = _own_and_shared(sandbox)
    answer = sandbox.api(
        "PATCH",
        f"/asset/v1/assets/{shared['id']}",
        json=[{"op": "replace", "path": "/serialNumber", "value": "X"}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    # The PATCH reference: 403 only_owner_of_the_asset_can_edit_given_fields.
    assert answer.status_code == 403
    assert answer.json()["code"] == "only_owner_of_the_asset_can_edit_given_fields"


def test_an_unknown_asset_is_the_documented_404(sandbox):
    answer = sandbox.api(
        "PATCH",
        "/asset/v1/assets/00000000-0000-0000-0000-000000000000",
        json=[{"op": "replace", "path": "/name", "value": "x"}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert (answer.status_code, answer.json()["code"]) == (404, "asset_not_found")
