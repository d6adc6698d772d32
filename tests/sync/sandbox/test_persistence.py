"""`--state-file`: the sandbox's data outlives a restart."""

import json

from tests.sync.sandbox.helpers import patch_asset


def test_state_survives_a_restart(sandbox_factory, tmp_path):
    path = tmp_path / "sandbox.json"
    first = sandbox_factory("--assets", "5", "--state-file", str(path))
    # [A] customer body (test_customers.py).
    customer = first.api("POST", "/customer/v1/customers", json={"name": "Kept", "type": "RENTAL"}).json()
    first.advance_clock(3600)
    patch_asset(
        first, first.state()["assets"][0]["id"], [{"op": "replace", "path": "/name", "value": "Renamed"}]
    )
    expected = first.state()
    first.stop()
    assert path.exists()
    second = sandbox_factory("--assets", "5", "--state-file", str(path))
    assert second.state() == expected
    assert second.api("GET", f"/customer/v1/customers/{customer['id']}").json()["name"] == "Kept"


def test_reset_goes_back_to_the_seed_not_the_file(sandbox_factory, tmp_path):
    path = tmp_path / "sandbox.json"
    handle = sandbox_factory("--assets", "5", "--state-file", str(path))
    handle.api("POST", "/customer/v1/customers", json={"name": "Gone", "type": "RENTAL"})
    handle.reset()
    assert handle.state()["customers"] == []


def test_a_state_file_of_an_older_sandbox_is_not_replayed(sandbox_factory, tmp_path):
    path = tmp_path / "sandbox.json"
    old_asset = {"id": "a1", "name": "Old", "ownedByAccount": True}
    path.write_text(json.dumps({"records": {"assets": {"a1": old_asset}}, "telematics": {}, "epoch": 0}))
    handle = sandbox_factory("--assets", "3", "--foreign-assets", "0", "--state-file", str(path))
    assets = handle.state()["assets"]
    assert len(assets) == 3
    assert all(a["permissions"]["edit"] for a in assets)
