"""The sandbox's ISO 15143-3 export: pages, formats, metadata, single element and moving telematics."""

import xml.etree.ElementTree as ET

from sync.trackunit import aemp, wire


def _json(sandbox, path, **params):
    return sandbox.aemp(path, headers={"Accept": "application/json"}, params=params)


def test_fleet_pages_of_100_with_links_in_xml(sandbox):
    answer = sandbox.aemp("/Fleet/1")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(answer.content)
    assert root.tag == f"{{{aemp.NAMESPACE}}}Fleet"
    page = aemp.parse_document(answer.content)
    assert len(page.equipment) == wire.AEMP_PAGE_SIZE
    assert page.links["next"].endswith("/Fleet/2")
    assert page.links["last"].endswith("/Fleet/5")
    assert "prev" not in page.links
    last = aemp.parse_document(sandbox.aemp("/Fleet/5").content)
    assert last.next_href is None
    assert last.links["prev"].endswith("/Fleet/4")


def test_every_owned_asset_once_in_json_with_metadata(sandbox):
    seen = []
    for number in range(1, 6):
        answer = _json(sandbox, f"/Fleet/{number}", addMetadata="true")
        assert answer.headers["Content-Type"] == "application/json"
        seen += [eq.metadata.machine_id for eq in aemp.parse_document(answer.content).equipment]
    owned = {a["id"] for a in sandbox.state()["assets"] if a["ownedByAccount"]}
    assert len(seen) == len(set(seen)) == 500
    assert set(seen) == owned


def test_page_past_the_end_is_empty_and_page_zero_is_refused(sandbox):
    assert aemp.parse_document(_json(sandbox, "/Fleet/9").content).equipment == ()
    assert sandbox.aemp("/Fleet/0").status_code == 400


def test_single_element_by_pin_and_unknown_pin(sandbox):
    unit = next(u for u in sandbox.telematics() if u["pin"] and u["readings"])
    answer = sandbox.aemp(wire.AEMP_EQUIPMENT.format(pin=unit["pin"]))
    assert answer.status_code == 200
    equipment = aemp.parse_equipment(answer.content)
    assert equipment.pin == unit["pin"]
    assert equipment.operating_hours.hours == unit["readings"]["hours"]
    missing = sandbox.aemp(wire.AEMP_EQUIPMENT.format(pin="NOPE"))
    assert missing.status_code == 404
    assert missing.json()["code"] == wire.EQUIPMENT_NOT_FOUND


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
