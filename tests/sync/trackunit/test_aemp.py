"""The ISO 15143-3 parser against real feeds (samples/, MIT)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.trackunit import aemp

SAMPLES = Path(__file__).parent / "samples"


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture(scope="module")
def takeuchi() -> aemp.FleetPage:
    return aemp.parse_document(_sample("takeuchi_tfm_fleet_snapshot.xml"))


@pytest.fixture(scope="module")
def rexroth() -> aemp.FleetPage:
    return aemp.parse_document(_sample("rexroth_bodas_fleet_snapshot.json"))


def test_other_namespace_is_read(takeuchi):
    assert len(takeuchi.equipment) == 27
    assert takeuchi.links["self"] == "https://api20.takeuchi-us.com/Telematics/Fleet/0"


def test_hour_datetime_as_child_element(takeuchi):
    second = takeuchi.equipment[1]
    assert second.operating_hours == aemp.Hours(233.7, datetime(2021, 5, 20, 11, 8, 34, tzinfo=UTC))


def test_location_datetime_as_attribute_and_engine_status(takeuchi):
    second = takeuchi.equipment[1]
    assert second.location.latitude == pytest.approx(49.23709)
    assert second.location.at == datetime(2021, 5, 20, 11, 8, 34, tzinfo=UTC)
    assert second.engine_status.running is True
    assert second.engine_status.engine_number is None
    assert second.fuel_remaining.percent == pytest.approx(62.4)


def test_placeholder_install_date_is_none(takeuchi):
    assert all(eq.unit_install_at is None for eq in takeuchi.equipment)


def test_missing_model_is_none(takeuchi):
    models = [eq.model for eq in takeuchi.equipment]
    assert None in models
    assert "missing" not in models
    assert "TB290-2" in models


def test_empty_model_is_none():
    xml = b"<Fleet><Equipment><EquipmentHeader><Model/><PIN>P1</PIN></EquipmentHeader></Equipment></Fleet>"
    assert aemp.parse_document(xml).equipment[0].model is None


def test_header_only_equipment(takeuchi):
    first = takeuchi.equipment[0]
    assert first.pin == "190502863"
    assert first.serial_number == "190502863"
    assert first.location is None
    assert first.operating_hours is None
    assert first.fuel_used is None


def test_top_level_json_array_lowercase_links_and_fractional_seconds(rexroth):
    assert [eq.pin for eq in rexroth.equipment] == ["SNP50123123456789", "SNV50456123456789"]
    assert set(rexroth.links) == {"self", "next", "prev", "last"}
    first = rexroth.equipment[0]
    assert first.location.at == datetime(2022, 9, 23, 17, 17, 39, 666000, tzinfo=UTC)
    assert first.unit_install_at == datetime(2023, 5, 8, 10, 0, tzinfo=UTC)
    assert first.operating_hours.hours == 162


def test_meter_and_liter_become_metre_and_litre(rexroth):
    first = rexroth.equipment[0]
    assert first.location.altitude_units == "metre"
    assert first.fuel_used == aemp.FuelUsed(
        730, "litre", datetime(2022, 9, 23, 17, 17, 38, 342000, tzinfo=UTC)
    )


def test_single_equipment_snapshot():
    equipment = aemp.parse_equipment(_sample("rexroth_bodas_equipment_snapshot.json"))
    assert equipment.pin == "SNP50123123456789"
    assert equipment.oem_name == "Rexroth"


def test_last_page_detection():
    empty = aemp.parse_document(_sample("rexroth_bodas_fleet_snapshot_empty_page.json"))
    assert empty.equipment == ()
    assert empty.next_href is None
    assert aemp.parse_document(_sample("rexroth_bodas_fleet_snapshot.json")).next_href is None


def test_json_keys_in_any_case_and_long_fractions():
    document = {
        "EQUIPMENT": [
            {
                "equipmentHeader": {
                    "oemname": "X",
                    "pin": "P1",
                    "unitInstallDateTime": "2024-01-02T03:04:05.1234567Z",
                },
                "cumulativeoperatinghours": {"DateTime": "2024-01-02T03:04:05.5+02:00", "hour": "12.5"},
            }
        ],
        "Links": [{"Rel": "next", "Href": "/Fleet/2"}, {"rel": "self", "href": "/Fleet/1"}],
    }
    page = aemp.parse_document(json.dumps(document))
    eq = page.equipment[0]
    assert eq.pin == "P1"
    assert eq.unit_install_at == datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    assert eq.operating_hours == aemp.Hours(12.5, datetime(2024, 1, 2, 1, 4, 5, 500000, tzinfo=UTC))
    assert page.next_href == "/Fleet/2"


def test_garbage_values_do_not_crash():
    xml = b"<Fleet><Equipment><EquipmentHeader><PIN> </PIN></EquipmentHeader>"
    xml += b"<CumulativeOperatingHours><Hour>n/a</Hour><datetime>yesterday</datetime>"
    xml += b"</CumulativeOperatingHours></Equipment></Fleet>"
    eq = aemp.parse_document(xml).equipment[0]
    assert eq.pin is None
    assert eq.operating_hours is None
