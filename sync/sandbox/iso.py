"""The sandbox's own ISO 15143-3 (AEMP 2.0) writer: Trackunit's side of the telematics export.

Written from the standard and Trackunit's export page (api-docs/export-iso-15143-3-aemp-20-api-intro.md),
not from RentalBridge's parser, so a parser test against the sandbox checks two readings of the standard
against each other. Equipment is a plain dict of element groups: `{"EquipmentHeader": {...}, "Location":
{"datetime": ..., "Latitude": ...}, ...}`; a group's `datetime` becomes the XML attribute.
"""

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = "http://standards.iso.org/iso/15143/-3"
VERSION = "2"
DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
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
    # Written as text: ElementTree's serializer is pure Python and cost the sandbox most of a page's time.
    opening = f'<Fleet xmlns="{NAMESPACE}" version="{VERSION}" snapshotTime={quoteattr(snapshot_time)}>'
    parts = [DECLARATION, opening]
    for rel in LINK_RELS:
        if rel in links:
            parts.append(f"<Links><rel>{rel}</rel><href>{escape(links[rel])}</href></Links>")
    for eq in equipment:
        parts.append("<Equipment>")
        _equipment_parts(parts, eq)
        parts.append("</Equipment>")
    parts.append("</Fleet>")
    return "".join(parts).encode("utf-8")


def equipment_xml(eq: Equipment) -> bytes:
    parts = [f'{DECLARATION}<Equipment xmlns="{NAMESPACE}">']
    _equipment_parts(parts, eq)
    parts.append("</Equipment>")
    return "".join(parts).encode("utf-8")


def _ordered(eq: Equipment) -> dict:
    return {
        name: {key: value for key, value in eq[name].items() if value is not None}
        for name in GROUP_ORDER
        if name in eq
    }


def _equipment_parts(parts: list[str], eq: Equipment) -> None:
    for name, group in _ordered(eq).items():
        when = group.get("datetime")
        parts.append(f"<{name} datetime={quoteattr(when)}>" if when is not None else f"<{name}>")
        for key, value in group.items():
            if key != "datetime":
                parts.append(f"<{key}>{escape(_text(value))}</{key}>")
        parts.append(f"</{name}>")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
