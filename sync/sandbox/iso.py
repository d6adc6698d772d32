"""The sandbox's own ISO 15143-3 (AEMP 2.0) writer: Trackunit's side of the telematics export.

Written from the standard and Trackunit's export page (api-docs/export-iso-15143-3-aemp-20-api-intro.md),
not from RentalBridge's parser, so a parser test against the sandbox checks two readings of the standard
against each other. Equipment is a plain dict of element groups: `{"EquipmentHeader": {...}, "Location":
{"datetime": ..., "Latitude": ...}, ...}`; a group's `datetime` becomes the XML attribute.
"""

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

NAMESPACE = "http://standards.iso.org/iso/15143/-3"
VERSION = "2"
# The order the standard lists an equipment's element groups in.
GROUP_ORDER = (
    "EquipmentHeader",
    "Location",
    "CumulativeOperatingHours",
    "CumulativeIdleHours",
    "FuelUsed",
    "FuelRemaining",
    "Distance",
    "EngineStatus",
    "Metadata",
)
LINK_RELS = ("self", "prev", "next", "last")

Equipment = Mapping[str, Mapping[str, Any]]


def fleet_json(equipment: Sequence[Equipment], links: Mapping[str, str], snapshot_time: str) -> dict:
    """The JSON binding: a Fleet object with `Links` and `Equipment` arrays."""
    return {
        "version": VERSION,
        "snapshotTime": snapshot_time,
        "Links": [{"rel": rel, "href": links[rel]} for rel in LINK_RELS if rel in links],
        "Equipment": [_ordered(eq) for eq in equipment],
    }


def equipment_json(eq: Equipment) -> dict:
    return _ordered(eq)


def fleet_xml(equipment: Sequence[Equipment], links: Mapping[str, str], snapshot_time: str) -> bytes:
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(_tag("Fleet"), {"version": VERSION, "snapshotTime": snapshot_time})
    for rel in LINK_RELS:
        if rel in links:
            link = ET.SubElement(root, _tag("Links"))
            ET.SubElement(link, _tag("rel")).text = rel
            ET.SubElement(link, _tag("href")).text = links[rel]
    for eq in equipment:
        _equipment_element(ET.SubElement(root, _tag("Equipment")), eq)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def equipment_xml(eq: Equipment) -> bytes:
    ET.register_namespace("", NAMESPACE)
    element = ET.Element(_tag("Equipment"))
    _equipment_element(element, eq)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _ordered(eq: Equipment) -> dict:
    return {
        name: {key: value for key, value in eq[name].items() if value is not None}
        for name in GROUP_ORDER
        if name in eq
    }


def _equipment_element(element: ET.Element, eq: Equipment) -> None:
    for name, group in _ordered(eq).items():
        child = ET.SubElement(element, _tag(name))
        for key, value in group.items():
            if key == "datetime":
                child.set("datetime", value)
            else:
                ET.SubElement(child, _tag(key)).text = _text(value)


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
