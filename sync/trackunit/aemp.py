"""ISO 15143-3 (AEMP 2.0) fleet snapshots: plain dataclasses and a tolerant parser.

The telematics pull reads feeds with it (the sandbox writes Trackunit's side with its own writer). Real
feeds differ from the standard in many small ways (see shared/aemp-samples/), so the parser forgives:
any namespace, keys in any case, the hour timestamp as attribute or child element, `0001-01-01`
placeholder dates, `missing` models, header-only equipment, fractional seconds, `meter`/`liter`,
lowercase `links`, decimal commas, and a JSON document that is a top-level array or wrapped in its root
element's name. What it cannot read it refuses with
one error, InvalidDocument, saying why; XML goes through defusedxml with DTDs forbidden, so entity
expansion and external entities are refused whatever the linked expat would allow.
"""

import contextlib
import functools
import gc
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from sync.trackunit.errors import InvalidDocument

NAMESPACE = "http://standards.iso.org/iso/15143/-3"
LINK_RELS = ("self", "prev", "next", "last")
# Canonical spellings are the standard's (metre, litre, kilometre); providers send the rest.
UNIT_ALIASES = {
    "m": "metre",
    "meter": "metre",
    "meters": "metre",
    "metres": "metre",
    "l": "litre",
    "liter": "litre",
    "liters": "litre",
    "litres": "litre",
    "km": "kilometre",
    "kilometer": "kilometre",
    "kilometers": "kilometre",
    "kilometres": "kilometre",
    "miles": "mile",
    "ft": "foot",
    "feet": "foot",
    "gallons": "gallon",
}
_MISSING = {"", "missing", "unknown", "n/a", "null", "none"}
_FRACTION = re.compile(r"(\.\d+)")
# A fleet document is five levels deep; anything far deeper is not one, and would exhaust the stack.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Location:
    latitude: float | None
    longitude: float | None
    altitude: float | None = None
    altitude_units: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Hours:
    hours: float
    at: datetime | None = None


@dataclass(frozen=True)
class FuelUsed:
    consumed: float
    units: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class FuelRemaining:
    percent: float
    at: datetime | None = None


@dataclass(frozen=True)
class Distance:
    odometer: float
    units: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class EngineStatus:
    running: bool | None
    engine_number: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Metadata:
    """Trackunit's `addMetadata=true` block: how a feed line maps back to a Trackunit asset."""

    telematic_serial_number: str | None = None
    machine_id: str | None = None
    unit_id: str | None = None
    external_reference_number: str | None = None


@dataclass(frozen=True)
class Equipment:
    oem_name: str | None = None
    model: str | None = None
    equipment_id: str | None = None
    serial_number: str | None = None
    pin: str | None = None
    unit_install_at: datetime | None = None
    location: Location | None = None
    operating_hours: Hours | None = None
    idle_hours: Hours | None = None
    fuel_used: FuelUsed | None = None
    fuel_remaining: FuelRemaining | None = None
    distance: Distance | None = None
    engine_status: EngineStatus | None = None
    metadata: Metadata | None = None


@dataclass(frozen=True)
class FleetPage:
    equipment: tuple[Equipment, ...] = ()
    links: dict[str, str] = field(default_factory=dict)
    version: str | None = None

    @property
    def next_href(self) -> str | None:
        """The next page, or None at the end. Feeds mark the end differently: no `next`, `next` equal to
        `self`, `self` equal to `last`, or an empty page whose `next` points back to the start."""
        following = self.links.get("next")
        current = self.links.get("self")
        if not self.equipment or not following or following == current or current == self.links.get("last"):
            return None
        return following


# =========================================================================================================
# Parsing (what any provider sends)
# =========================================================================================================
def parse_document(content: bytes | str) -> FleetPage:
    """A fleet page, a single equipment, or a JSON array of either, as one FleetPage.

    XML or JSON is told from the first character, not the Content-Type, which some providers get wrong.
    Raises InvalidDocument, with the reason, for anything that is neither.
    """
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise InvalidDocument(f"ISO 15143-3 document is not UTF-8: {error}") from error
    stripped = text.lstrip()
    with _cyclic_gc_paused():
        return _parse_text(stripped)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A page builds tens of thousands of acyclic objects that reference counting frees; the cyclic
    collector would otherwise scan the whole process's heap several times per page (half the parse time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_text(stripped: str) -> FleetPage:
    if stripped.startswith("<"):
        root = _parse_xml(stripped)
        node = _xml_node(root, 0, {})
        node = node if isinstance(node, dict) else {}
        # A single-equipment answer is its Equipment element itself, not a Fleet around it.
        return _page([{"equipment": [node]}] if _local(root.tag).lower() == "equipment" else [node])
    try:
        data = json.loads(stripped) if stripped else {}
    except RecursionError as error:
        raise InvalidDocument("ISO 15143-3 JSON document is nested too deeply") from error
    except ValueError as error:
        raise InvalidDocument(f"ISO 15143-3 document is neither XML nor valid JSON: {error}") from error
    items = data if isinstance(data, list) else [data]
    return _page([_lower_keys(item, 0) for item in items if isinstance(item, dict)])


def _parse_xml(text: str) -> ET.Element:
    try:
        return SafeET.fromstring(text.encode("utf-8", errors="surrogatepass"), forbid_dtd=True)
    except DefusedXmlException as error:
        raise InvalidDocument(
            f"ISO 15143-3 XML document refused: it carries a DTD or entities ({error})"
        ) from error
    except ET.ParseError as error:
        raise InvalidDocument(f"ISO 15143-3 XML document is malformed: {error}") from error
    except RecursionError as error:
        raise InvalidDocument("ISO 15143-3 XML document is nested too deeply") from error


def parse_equipment(content: bytes | str) -> Equipment | None:
    """The one equipment of a single-element answer (None when the answer holds none)."""
    page = parse_document(content)
    return page.equipment[0] if page.equipment else None


def _page(nodes: list[dict[str, Any]]) -> FleetPage:
    equipment: list[Equipment] = []
    links: dict[str, str] = {}
    version = None
    for node in _unwrapped(nodes):
        if "equipmentheader" in node:
            equipment.append(_equipment(node))
            continue
        equipment.extend(_equipment(eq) for eq in _many(node, "equipment") if isinstance(eq, dict))
        for link in _many(node, "links"):
            if isinstance(link, dict):
                rel, href = _text(_first(link, "rel")), _text(_first(link, "href"))
                if rel and href:
                    links.setdefault(rel.lower(), href)
        version = version or _text(_first(node, "version"))
    return FleetPage(tuple(equipment), links, version)


def _unwrapped(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """XML-to-JSON mappers wrap the document in its root element's name ({"Fleet": {...}}): look inside."""
    out: list[dict[str, Any]] = []
    for node in nodes:
        if set(node) == {"fleet"}:
            out.extend(inner for inner in _many(node, "fleet") if isinstance(inner, dict))
        else:
            out.append(node)
    return out


def _equipment(node: dict[str, Any]) -> Equipment:
    header = _group(node, "equipmentheader") or {}
    return Equipment(
        oem_name=_text(_first(header, "oemname")),
        model=_model(_text(_first(header, "model"))),
        equipment_id=_text(_first(header, "equipmentid")),
        serial_number=_text(_first(header, "serialnumber")),
        pin=_text(_first(header, "pin")),
        unit_install_at=parse_moment(_first(header, "unitinstalldatetime")),
        location=_location(_group(node, "location")),
        operating_hours=_hours(_group(node, "cumulativeoperatinghours")),
        idle_hours=_hours(_group(node, "cumulativeidlehours")),
        fuel_used=_fuel_used(_group(node, "fuelused")),
        fuel_remaining=_fuel_remaining(_group(node, "fuelremaining")),
        distance=_distance(_group(node, "distance")),
        engine_status=_engine(_group(node, "enginestatus")),
        metadata=_metadata(_group(node, "metadata")),
    )


def _location(group: dict | None) -> Location | None:
    if group is None:
        return None
    latitude, longitude = _float(_first(group, "latitude")), _float(_first(group, "longitude"))
    if latitude is None and longitude is None:
        return None
    return Location(
        latitude,
        longitude,
        _float(_first(group, "altitude")),
        unit(_text(_first(group, "altitudeunits"))),
        parse_moment(_first(group, "datetime")),
    )


def _hours(group: dict | None) -> Hours | None:
    value = _float(_first(group, "hour")) if group else None
    return Hours(value, parse_moment(_first(group, "datetime"))) if value is not None else None


def _fuel_used(group: dict | None) -> FuelUsed | None:
    value = _float(_first(group, "fuelconsumed")) if group else None
    if value is None:
        return None
    return FuelUsed(value, unit(_text(_first(group, "fuelunits"))), parse_moment(_first(group, "datetime")))


def _fuel_remaining(group: dict | None) -> FuelRemaining | None:
    value = _float(_first(group, "percent")) if group else None
    return FuelRemaining(value, parse_moment(_first(group, "datetime"))) if value is not None else None


def _distance(group: dict | None) -> Distance | None:
    value = _float(_first(group, "odometer")) if group else None
    if value is None:
        return None
    return Distance(
        value, unit(_text(_first(group, "odometerunits"))), parse_moment(_first(group, "datetime"))
    )


def _engine(group: dict | None) -> EngineStatus | None:
    if group is None:
        return None
    running = _first(group, "running")
    if isinstance(running, str):
        running = {"true": True, "false": False, "1": True, "0": False}.get(running.strip().lower())
    return EngineStatus(
        running if isinstance(running, bool) else None,
        _text(_first(group, "enginenumber")),
        parse_moment(_first(group, "datetime")),
    )


def _metadata(group: dict | None) -> Metadata | None:
    if group is None:
        return None
    return Metadata(
        _text(_first(group, "telematicserialnumber")),
        _text(_first(group, "machineid")),
        _text(_first(group, "unitid")),
        _text(_first(group, "externalreferencenumber")),
    )


def parse_moment(value: Any) -> datetime | None:
    """An ISO 8601 date-time in UTC; placeholders (year 1) and blanks are None, naive times are UTC."""
    text = _text(value)
    return _moment(text) if text else None


@functools.lru_cache(maxsize=4096)
def _moment(text: str) -> datetime | None:
    # Cached: one equipment's groups, and often a whole page, carry the same few timestamps.
    text = _FRACTION.sub(lambda m: m.group(1)[:7], text.replace("z", "Z"))
    try:
        moment = datetime.fromisoformat(text)
        if moment.year <= 1:
            return None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        # Unreadable, or an offset that pushes the moment past year 9999 or before year 1.
        return None


def unit(value: str | None) -> str | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    return UNIT_ALIASES.get(lowered, lowered) or None


def _model(value: str | None) -> str | None:
    return None if value is None or value.strip().lower() in _MISSING else value


# --- generic node access: XML and JSON both become dicts of lowercase keys ------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _too_deep(depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InvalidDocument(f"ISO 15143-3 document is nested deeper than {MAX_DEPTH} levels")


def _xml_node(element: ET.Element, depth: int, keys: dict[str, str]) -> Any:
    """The element as a dict of lowercase local names; `keys` remembers each tag's name, since a page
    repeats the same few dozen tags thousands of times."""
    _too_deep(depth)
    if not len(element) and not element.attrib:
        return (element.text or "").strip()
    node: dict[str, Any] = {_local(k).lower(): v for k, v in element.attrib.items()}
    for child in element:
        key = keys.get(child.tag)
        if key is None:
            key = keys[child.tag] = _local(child.tag).lower()
        node.setdefault(key, []).append(_xml_node(child, depth + 1, keys))
    return node


def _lower_keys(value: Any, depth: int) -> Any:
    _too_deep(depth)
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v, depth + 1) for v in value]
    return value


def _many(node: dict | None, key: str) -> list[Any]:
    value = node.get(key) if node else None
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first(node: dict | None, key: str) -> Any:
    values = _many(node, key)
    return values[0] if values else None


def _group(node: dict, key: str) -> dict | None:
    value = _first(node, key)
    return value if isinstance(value, dict) else None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _float(value: Any) -> float | None:
    """A finite number, or None: NaN and infinity are no more a reading than an empty element is."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    # A decimal comma ("1234,5") as European feeds write it; a comma beside a dot is no number.
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
