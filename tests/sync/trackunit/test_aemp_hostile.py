"""Hostile ISO 15143-3 documents are refused with InvalidDocument and a reason, in bounded memory, whatever
the linked expat would allow: entity expansion, external entities, DTDs, absurd nesting, wrong encodings."""

import tracemalloc

import pytest

from sync.trackunit import aemp
from sync.trackunit.errors import InvalidDocument

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Fleet [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Fleet><Equipment><EquipmentHeader><PIN>&lol9;</PIN></EquipmentHeader></Equipment></Fleet>"""

# One 100 kB entity referenced 20 000 times: 2 GB of text from a 200 kB document, no nesting needed.
QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE Fleet [<!ENTITY a "'
    + b"x" * 100_000
    + b'">]><Fleet><Links><rel>next</rel><href>'
    + b"&a;" * 20_000
    + b"</href></Links></Fleet>"
)

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Fleet [<!ENTITY host SYSTEM "file:///etc/passwd">]>
<Fleet><Equipment><EquipmentHeader><PIN>&host;</PIN></EquipmentHeader></Equipment></Fleet>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Fleet SYSTEM "http://127.0.0.1:9/fleet.dtd">
<Fleet><Equipment><EquipmentHeader><PIN>P1</PIN></EquipmentHeader></Equipment></Fleet>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Fleet [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<Fleet/>"""


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(QUADRATIC_BLOWUP, id="quadratic-blowup"),
        pytest.param(EXTERNAL_ENTITY, id="external-entity"),
        pytest.param(EXTERNAL_DTD, id="external-dtd"),
        pytest.param(PARAMETER_ENTITY, id="parameter-entity"),
    ],
)
def test_dtds_and_entities_are_refused_in_bounded_memory(document):
    tracemalloc.start()
    try:
        with pytest.raises(InvalidDocument) as caught:
            aemp.parse_document(document)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "refused" in str(caught.value)
    assert "DTD" in str(caught.value)
    assert "root:" not in str(caught.value)
    # The expanded billion laughs is 3 GB and the quadratic blow-up 2 GB; a refusal reads a few kB.
    assert peak < 4 * len(document) + 2**20


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        pytest.param(b"<Fleet>" * 10_000 + b"</Fleet>" * 10_000, "nested deeper than", id="xml-deep"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="json-deeper-than-the-stack"),
        pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, "nested deeper than", id="json-deep"),
        pytest.param(b"<Fleet><Links></Fleet>", "malformed", id="xml-malformed"),
        pytest.param(b"{'Links': []}", "neither XML nor valid JSON", id="python-repr"),
        pytest.param("<Fleet>é</Fleet>".encode("latin-1"), "not UTF-8", id="latin-1"),
        pytest.param(b"\xff\xfe<\x00F\x00", "not UTF-8", id="utf-16"),
    ],
)
def test_unreadable_documents_are_refused_with_the_reason(document, reason):
    with pytest.raises(InvalidDocument) as caught:
        aemp.parse_document(document)
    assert reason in str(caught.value)
    assert caught.value.code == "invalid_document"


def test_nan_and_infinite_readings_are_no_readings():
    document = (
        b'{"Equipment": [{"EquipmentHeader": {"PIN": "P1"},'
        b' "Location": {"Latitude": NaN, "Longitude": "Infinity"},'
        b' "CumulativeOperatingHours": {"Hour": "1e999"},'
        b' "Distance": {"Odometer": -Infinity, "OdometerUnits": "km"}}]}'
    )
    equipment = aemp.parse_document(document).equipment[0]
    assert equipment.pin == "P1"
    assert equipment.location is None
    assert equipment.operating_hours is None
    assert equipment.distance is None


def test_a_time_offset_beyond_the_calendar_is_no_time():
    document = (
        b"<Fleet><Equipment><EquipmentHeader><PIN>P1</PIN></EquipmentHeader>"
        b'<CumulativeOperatingHours datetime="9999-12-31T23:59:59-23:59"><Hour>5</Hour>'
        b"</CumulativeOperatingHours></Equipment></Fleet>"
    )
    assert aemp.parse_document(document).equipment[0].operating_hours == aemp.Hours(5.0, None)
