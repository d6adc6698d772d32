"""`--state-file`: the sandbox's data outlives a restart."""

from sync.trackunit import wire


def test_state_survives_a_restart(sandbox_factory, tmp_path):
    path = tmp_path / "sandbox.json"
    first = sandbox_factory("--assets", "5", "--state-file", str(path))
    customer = first.api("POST", wire.CUSTOMERS, json=wire.customer_body(name="Kept", type="RENTAL")).json()
    first.advance_clock(3600)
    first.api("PATCH", wire.ASSET.format(asset_id=first.state()["assets"][0]["id"]), json={"name": "Renamed"})
    expected = first.state()
    first.stop()
    assert path.exists()
    second = sandbox_factory("--assets", "5", "--state-file", str(path))
    assert second.state() == expected
    assert second.api("GET", wire.CUSTOMER.format(customer_id=customer["id"])).json()["name"] == "Kept"


def test_reset_goes_back_to_the_seed_not_the_file(sandbox_factory, tmp_path):
    path = tmp_path / "sandbox.json"
    handle = sandbox_factory("--assets", "5", "--state-file", str(path))
    handle.api("POST", wire.CUSTOMERS, json=wire.customer_body(name="Gone", type="RENTAL"))
    handle.reset()
    assert handle.state()["customers"] == []
