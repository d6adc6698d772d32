"""The sandbox's ISO 15143-3 export: pages, formats, metadata, single element and moving telematics.

api-docs/export-iso-15143-3-aemp-20-api-intro.md: pages of 100, the first page is 1, Links self/next/prev/
last, addMetadata=true, XML by default and JSON on Accept: application/json. Read here with ElementTree.
"""

import xml.etree.ElementTree as ET

ISO = "{http://standards.iso.org/iso/15143/-3}"  # [A] the standard's namespace: Trackunit prints none


def _links(root):
    return {link.find(f"{ISO}rel").text: link.find(f"{ISO}href").text for link in root.findall(f"{ISO}Links")}


def _json(sandbox, path, **params):
    return sandbox.aemp(path, headers={"Accept": "application/json"}, params=params)


def test_fleet_pages_of_100_with_links_in_xml(sandbox):
    answer = sandbox.aemp("/Fleet/1")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(answer.content)
    assert root.tag == f"{ISO}Fleet"
    assert len(root.findall(f"{ISO}Equipment")) == 100
    links = _links(root)
    assert links["self"] == f"{sandbox.aemp_url}/Fleet/1"
    assert links["next"].endswith("/Fleet/2")
    assert links["last"].endswith("/Fleet/5")
    assert "prev" not in links
    last = _links(ET.fromstring(sandbox.aemp("/Fleet/5").content))
    assert "next" not in last
    assert last["prev"].endswith("/Fleet/4")


def test_every_owned_asset_once_in_json_with_metadata(sandbox):
    seen = []
    for number in range(1, 6):
        answer = _json(sandbox, f"/Fleet/{number}", addMetadata="true")
        assert answer.headers["Content-Type"] == "application/json"
        seen += [eq["Metadata"]["MachineId"] for eq in answer.json()["Equipment"]]
    owned = {a["id"] for a in sandbox.state()["assets"] if a["permissions"]["edit"]}
    assert len(seen) == len(set(seen)) == 500
    assert set(seen) == owned


def test_page_past_the_end_is_empty_and_page_zero_is_refused(sandbox):
    assert _json(sandbox, "/Fleet/9").json()["Equipment"] == []
    assert sandbox.aemp("/Fleet/0").status_code == 400


def test_single_element_by_pin_and_unknown_pin(sandbox):
    unit = next(u for u in sandbox.telematics() if u["pin"] and u["readings"])
    # [A] /Fleet/Equipment/ID/{id}: the path third-party clients use.
    answer = sandbox.aemp(f"/Fleet/Equipment/ID/{unit['pin']}")
    assert answer.status_code == 200
    equipment = ET.fromstring(answer.content)
    assert equipment.find(f"{ISO}EquipmentHeader/{ISO}PIN").text == unit["pin"]
    hours = equipment.find(f"{ISO}CumulativeOperatingHours/{ISO}Hour").text
    assert float(hours) == unit["readings"]["hours"]
    missing = sandbox.aemp("/Fleet/Equipment/ID/NOPE")
    assert missing.status_code == 404
    assert missing.json()["code"] == "equipment_not_found"


def test_telematics_move_with_the_clock(sandbox):
    fresh = [u for u in sandbox.telematics() if u["readings"]]
    before = {u["assetId"]: u["readings"] for u in fresh}
    sandbox.advance_clock(6 * 3600)
    after = {u["assetId"]: u["readings"] for u in sandbox.telematics() if u["readings"]}
    assert all(after[k]["hours"] >= v["hours"] for k, v in before.items())
    assert sum(after[k]["hours"] > v["hours"] for k, v in before.items()) > len(before) * 0.9
    assert sum(after[k]["latitude"] != v["latitude"] for k, v in before.items()) > len(before) * 0.9


def test_feed_holds_stale_and_header_only_units(sandbox):
    units = sandbox.telematics()
    assert any(u["readings"] is None for u in units)
    assert any(u["pin"] is None for u in units)
    newest = max(u["readings"]["at"] for u in units if u["readings"])
    assert any(u["readings"]["at"] < newest[:10] for u in units if u["readings"])


def test_v2_token_needs_the_aemp_scope(sandbox):
    token = sandbox.fetch_token_v2("assets")["access_token"]
    assert sandbox.aemp("/Fleet/1", token=token).status_code == 403
    token = sandbox.fetch_token_v2("aemp")["access_token"]
    assert sandbox.aemp("/Fleet/1", token=token).status_code == 200
