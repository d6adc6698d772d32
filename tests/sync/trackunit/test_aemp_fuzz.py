"""Property tests: whatever an ISO 15143-3 provider sends, parse_document returns a page or raises
InvalidDocument with a message; never another exception. Documents are fleet-shaped XML and JSON with
random values, unicode, missing and unknown elements and weird numbers, the real samples with random
damage, and arbitrary bytes.

Example counts are fixed (EXAMPLES) and the deadline is generous for a loaded 2-core machine; no example
database is written into the working tree.
"""

import json
import math
import string
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sync.trackunit import aemp
from sync.trackunit.errors import InvalidDocument

SAMPLES = Path(__file__).parent / "samples"
EXAMPLES = {"xml": 300, "json": 300, "damaged": 200, "bytes": 200}
DEADLINE_MS = 2000


def fuzz_settings(examples: int):
    return settings(
        max_examples=examples,
        deadline=DEADLINE_MS,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- building blocks -------------------------------------------------------------------------------------
GROUPS = {
    "EquipmentHeader": ["OEMName", "Model", "EquipmentID", "SerialNumber", "PIN", "UnitInstallDateTime"],
    "Location": ["Latitude", "Longitude", "Altitude", "AltitudeUnits"],
    "CumulativeOperatingHours": ["Hour"],
    "CumulativeIdleHours": ["Hour"],
    "FuelUsed": ["FuelUnits", "FuelConsumed"],
    "FuelRemaining": ["Percent"],
    "Distance": ["OdometerUnits", "Odometer"],
    "EngineStatus": ["EngineNumber", "Running"],
    "Metadata": ["TelematicSerialNumber", "MachineId", "UnitId", "ExternalReferenceNumber"],
}
WEIRD_NUMBERS = [
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e999",
    "-0",
    "0x1F",
    "1_000",
    "١٢٣",
    " 12.5 ",
    "1,5",
    "9" * 400,
    "",
]
WEIRD_MOMENTS = [
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2024-02-30T00:00:00Z",
    "2024-01-01T00:00:00.123456789z",
    "2024-01-01",
    "yesterday",
    "",
]
# Assigned characters XML 1.0 can carry (no controls, no surrogates); JSON gets any but surrogates.
xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=30)
any_text = st.text(max_size=30)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from(WEIRD_NUMBERS),
)
tag_case = st.sampled_from([str, str.lower, str.upper])
NAME_CHARACTERS = string.ascii_letters + string.digits + "_"


def moments(text):
    return st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.sampled_from(WEIRD_MOMENTS), text)


def leaf_values(text):
    return st.one_of(
        text, numbers.map(str), moments(text), st.sampled_from(["true", "false", "missing", "1"])
    )


element_names = st.one_of(
    st.sampled_from([child for children in GROUPS.values() for child in children]),
    st.text(NAME_CHARACTERS, min_size=1, max_size=12).filter(lambda name: not name[0].isdigit()),
)
xml_moments = moments(xml_text)
xml_leaves = leaf_values(xml_text)
xml_rels = st.sampled_from(list(aemp.LINK_RELS)) | xml_text


# --- XML -------------------------------------------------------------------------------------------------
@st.composite
def xml_documents(draw) -> bytes:
    namespace = draw(st.sampled_from(["", aemp.NAMESPACE, "urn:x-other", "http://example.com/ns"]))
    case = draw(tag_case)

    def tag(name: str) -> str:
        return f"{{{namespace}}}{case(name)}" if namespace else case(name)

    root_name = draw(st.sampled_from(["Fleet", "Equipment", "fleet", "Something"]))
    root = ET.Element(tag(root_name))
    if draw(st.booleans()):
        root.set("version", draw(xml_text))
    for _ in range(draw(st.integers(0, 4))):
        link = ET.SubElement(root, tag(draw(st.sampled_from(["Links", "links", "Link"]))))
        if draw(st.booleans()):
            ET.SubElement(link, tag("rel")).text = draw(xml_rels)
        if draw(st.booleans()):
            ET.SubElement(link, tag("href")).text = draw(xml_text)
    for _ in range(draw(st.integers(0, 3))):
        parent = root if root_name != "Fleet" else ET.SubElement(root, tag("Equipment"))
        for group in draw(st.lists(st.sampled_from([*GROUPS, "Unknown"]), max_size=5)):
            element = ET.SubElement(parent, tag(group))
            if draw(st.booleans()):
                element.set("datetime", draw(xml_moments))
            for child in draw(st.lists(element_names, max_size=4)):
                ET.SubElement(element, tag(child)).text = draw(xml_leaves)
    return ET.tostring(root, encoding="utf-8", xml_declaration=draw(st.booleans()))


# --- JSON ------------------------------------------------------------------------------------------------
json_scalars = st.one_of(st.none(), st.booleans(), numbers, any_text, moments(any_text))
json_any = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(element_names, children, max_size=4),
    max_leaves=8,
)
# A value where a reading belongs: mostly a scalar, sometimes a list or an object in its place.
json_reading = st.one_of(json_scalars, json_scalars, st.lists(json_scalars, max_size=2), json_any)
json_groups = {
    group: st.dictionaries(st.sampled_from([*children, "datetime"]), json_reading, max_size=len(children))
    for group, children in {**GROUPS, "Unknown": ["Anything"]}.items()
}
json_links = st.lists(
    st.dictionaries(st.sampled_from(["rel", "href", "REL"]), json_reading, max_size=2), max_size=4
)


@st.composite
def json_documents(draw) -> str:
    case = draw(tag_case)
    equipment = []
    for _ in range(draw(st.integers(0, 3))):
        groups = {}
        for group in draw(st.lists(st.sampled_from(list(json_groups)), max_size=5)):
            values = draw(json_groups[group])
            groups[case(group)] = draw(st.sampled_from([values, [values], json.dumps(values), None]))
        equipment.append(groups)
    document = {case("Links"): draw(json_links), case("Equipment"): equipment, "version": draw(json_reading)}
    shape = draw(st.sampled_from(["page", "array", "equipment", "anything"]))
    if shape == "array":
        return json.dumps([document, *equipment])
    if shape == "equipment":
        return json.dumps(equipment[0] if equipment else {})
    if shape == "anything":
        return json.dumps(draw(json_any))
    return json.dumps(document)


# --- damaged samples -------------------------------------------------------------------------------------
SAMPLE_BYTES = [path.read_bytes() for path in sorted(SAMPLES.iterdir()) if path.suffix in (".xml", ".json")]


@st.composite
def damaged_samples(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLE_BYTES)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "replace", "truncate"]))
        if action == "truncate":
            del data[at:]
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif at < len(data):
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


# --- the property ----------------------------------------------------------------------------------------
def assert_page_or_message(document: bytes | str) -> None:
    try:
        page = aemp.parse_document(document)
    except InvalidDocument as error:
        refusal = str(error)
    else:
        refusal = None
    if refusal is not None:
        assert refusal.strip(), "an InvalidDocument says why"
        event("refused with InvalidDocument")
        return
    assert isinstance(page, aemp.FleetPage)
    event("read, with equipment" if page.equipment else "read, no equipment")
    assert page.next_href is None or isinstance(page.next_href, str)
    assert all(isinstance(rel, str) and isinstance(href, str) for rel, href in page.links.items())
    for equipment in page.equipment:
        for value in _readings(equipment):
            if isinstance(value, float):
                assert math.isfinite(value)
            if isinstance(value, datetime):
                assert value.tzinfo is not None
                assert value.utcoffset() == UTC.utcoffset(None)


def _readings(equipment: aemp.Equipment):
    groups = [
        equipment.location,
        equipment.operating_hours,
        equipment.idle_hours,
        equipment.fuel_used,
        equipment.fuel_remaining,
        equipment.distance,
        equipment.engine_status,
    ]
    yield equipment.unit_install_at
    for group in groups:
        if group is not None:
            yield from vars(group).values()


@fuzz_settings(EXAMPLES["xml"])
@given(xml_documents())
def test_fleet_shaped_xml_is_read_or_refused_with_a_message(document):
    assert_page_or_message(document)


@fuzz_settings(EXAMPLES["json"])
@given(json_documents())
def test_fleet_shaped_json_is_read_or_refused_with_a_message(document):
    assert_page_or_message(document)
    assert_page_or_message(document.encode())


@fuzz_settings(EXAMPLES["damaged"])
@given(damaged_samples())
def test_damaged_real_samples_are_read_or_refused_with_a_message(document):
    assert_page_or_message(document)


@fuzz_settings(EXAMPLES["bytes"])
@given(
    st.one_of(st.binary(max_size=200), st.text(max_size=200), st.binary(max_size=50).map(lambda b: b"<" + b))
)
def test_arbitrary_bytes_and_text_are_read_or_refused_with_a_message(document):
    assert_page_or_message(document)
