"""Every shape real providers send, read to the same values (issue: "Parse every shape real providers send").

The JSON binding of ISO 15143-3 arrives as a bare Fleet object, as a top-level array of equipment, or
wrapped in its root element name the way XML-to-JSON mappers write it; XML with or without the standard's
namespace; decimal commas; units spelled every way.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from sync.trackunit import aemp

SHARED_SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "aemp-samples"
LOCAL_SAMPLES = Path(__file__).resolve().parents[1] / "trackunit" / "samples"
EQUIPMENT = {
    "EquipmentHeader": {
        "OEMName": "JCB",
        "Model": "3CX",
        "PIN": "JCB3CX00012345678",
        "SerialNumber": "12345678",
    },
    "Location": {"datetime": "2026-05-01T08:00:00Z", "Latitude": 55.676098, "Longitude": 12.568337},
    "CumulativeOperatingHours": {"datetime": "2026-05-01T08:00:00Z", "Hour": 1234.5},
}
EXPECTED_HOURS = aemp.Hours(1234.5, datetime(2026, 5, 1, 8, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    "document",
    [
        {"Links": [], "Equipment": [EQUIPMENT]},  # a bare Fleet object
        [EQUIPMENT],  # a top-level array of equipment
        {"Fleet": {"Links": [], "Equipment": [EQUIPMENT]}},  # wrapped in the root element's name
        {"fleet": {"equipment": EQUIPMENT}},  # lower-case keys, one equipment not in a list
    ],
    ids=["bare", "array", "wrapped", "lowercase-single"],
)
def test_every_json_shape_reads_the_same(document):
    [equipment] = aemp.parse_document(json.dumps(document)).equipment
    assert (equipment.pin, equipment.oem_name, equipment.model) == ("JCB3CX00012345678", "JCB", "3CX")
    assert equipment.operating_hours == EXPECTED_HOURS
    assert equipment.location.latitude == pytest.approx(55.676098)


@pytest.mark.parametrize(
    "root",
    [
        '<Fleet xmlns="http://standards.iso.org/iso/15143/-3">',
        "<Fleet>",
        '<aemp:Fleet xmlns:aemp="http://standards.iso.org/iso/15143/-3">',
    ],
    ids=["default-namespace", "no-namespace", "prefixed"],
)
def test_xml_with_or_without_namespace(root):
    prefix = "aemp:" if "aemp:" in root else ""
    closing = f"</{prefix}Fleet>"

    def tag(name: str, body: str, attrs: str = "") -> str:
        return f"<{prefix}{name}{attrs}>{body}</{prefix}{name}>"

    xml = (
        root
        + tag(
            "Equipment",
            tag("EquipmentHeader", tag("PIN", "JCB3CX00012345678"))
            + tag("CumulativeOperatingHours", tag("Hour", "1234.5"), ' datetime="2026-05-01T08:00:00Z"'),
        )
        + closing
    )
    [equipment] = aemp.parse_document(xml).equipment
    assert equipment.operating_hours == EXPECTED_HOURS


def test_decimal_commas_and_units_spelled_every_way():
    xml = """<Fleet><Equipment>
      <EquipmentHeader><PIN>P1</PIN></EquipmentHeader>
      <CumulativeOperatingHours datetime="2026-05-01T08:00:00Z"><Hour>1234,5</Hour></CumulativeOperatingHours>
      <FuelUsed datetime="2026-05-01T08:00:00Z"><FuelUnits>Liters</FuelUnits>
        <FuelConsumed>730,25</FuelConsumed></FuelUsed>
      <Distance datetime="2026-05-01T08:00:00Z"><OdometerUnits>KM</OdometerUnits>
        <Odometer>12,5</Odometer></Distance>
      <Location datetime="2026-05-01T08:00:00Z"><Latitude>55,5</Latitude><Longitude>12,25</Longitude>
        <Altitude>10</Altitude><AltitudeUnits>Meters</AltitudeUnits></Location>
    </Equipment></Fleet>"""
    [equipment] = aemp.parse_document(xml).equipment
    assert equipment.operating_hours.hours == 1234.5
    assert (equipment.fuel_used.consumed, equipment.fuel_used.units) == (730.25, "litre")
    assert (equipment.distance.odometer, equipment.distance.units) == (12.5, "kilometre")
    assert (equipment.location.latitude, equipment.location.altitude_units) == (55.5, "metre")


def test_placeholder_dates_are_no_dates():
    document = {
        "Equipment": [
            {
                "EquipmentHeader": {"PIN": "P1", "UnitInstallDateTime": "0001-01-01T00:00:00Z"},
                "CumulativeOperatingHours": {"datetime": "0001-01-01T00:00:00Z", "Hour": 5},
            }
        ]
    }
    [equipment] = aemp.parse_document(json.dumps(document)).equipment
    assert equipment.unit_install_at is None
    assert equipment.operating_hours.at is None


@pytest.mark.parametrize(
    ("name", "count", "first_pin"),
    [
        ("takeuchi_tfm_fleet_snapshot.xml", 27, None),
        ("rexroth_bodas_fleet_snapshot.json", 2, "SNP50123123456789"),
        ("rexroth_bodas_equipment_snapshot.json", 1, None),
        ("rexroth_bodas_fleet_snapshot_empty_page.json", 0, None),
    ],
)
def test_every_shared_sample_parses(name, count, first_pin):
    path = SHARED_SAMPLES / name if (SHARED_SAMPLES / name).exists() else LOCAL_SAMPLES / name
    page = aemp.parse_document(path.read_bytes())
    assert len(page.equipment) == count
    if first_pin:
        assert page.equipment[0].pin == first_pin


def test_parse_aemp_prints_what_rentalbridge_reads(capsys):
    call_command("parse_aemp", str(LOCAL_SAMPLES / "rexroth_bodas_fleet_snapshot.json"))
    out = capsys.readouterr().out
    assert "#1 Rexroth sweeperx200: PIN SNP50123123456789" in out
    assert "operating hours: 162.0 at 2022-09-23T17:17:38.343000+00:00" in out
    assert "fuel used: 730.0 litre" in out
    assert "2 equipment" in out


def test_parse_aemp_json_and_a_clear_error_for_a_bad_file(capsys, tmp_path):
    call_command("parse_aemp", str(LOCAL_SAMPLES / "rexroth_bodas_fleet_snapshot.json"), "--json")
    document = json.loads(capsys.readouterr().out)
    assert document["equipment"][0]["operating_hours"]["hours"] == 162.0
    bad = tmp_path / "bad.xml"
    bad.write_text("<Fleet><Equipment>")
    with pytest.raises(Exception, match="malformed"):
        call_command("parse_aemp", str(bad))
