"""Look-ups the sandbox tests share. Request bodies stay in the tests, written out with their doc source."""

from typing import Any

JSON_PATCH = {"Content-Type": "application/json-patch+json"}


def fleet(sandbox) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(owned, shared) assets as the asset list answers them; shared ones have permissions.edit false."""
    assets = sandbox.api("GET", "/asset/v1/assets", params={"size": 1000}).json()["content"]
    return [a for a in assets if a["permissions"]["edit"]], [
        a for a in assets if not a["permissions"]["edit"]
    ]


def owned_asset(sandbox, asset_type: str | None = None, index: int = 0) -> dict[str, Any]:
    owned = fleet(sandbox)[0]
    return [a for a in owned if asset_type in (None, a["assetType"])][index]


def foreign_asset(sandbox) -> dict[str, Any]:
    return fleet(sandbox)[1][0]


def patch_asset(sandbox, asset_id: str, operations: Any, **kwargs: Any):
    """PATCH /asset/v1/assets/{assetId} with a JSON Patch body (patchasset_v1)."""
    kwargs.setdefault("headers", JSON_PATCH)
    return sandbox.api("PATCH", f"/asset/v1/assets/{asset_id}", json=operations, **kwargs)


def violated_fields(answer) -> list[str]:
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "constraint_violation"
    return [v["field"] for v in answer.json()["violations"]]
