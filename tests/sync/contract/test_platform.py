"""Conventions every API shares: the error object, the page envelope, the ISO 15143-3 export.

Sources: api-docs/errors.md, api-docs/pagination.md, api-docs/rate-limit.md (page size 20 by default,
at most 1000), api-docs/export-iso-15143-3-aemp-20-api-intro.md (Links, Metadata, 100 per page, page 1
first, XML by default and JSON on request).
"""

from sync.trackunit import aemp, wire

# api-docs/errors.md, literally.
DOCUMENTED_ERROR = {
    "status": 400,
    "code": "exactly_one_telematics_device_is_required",
    "message": "Exactly one telematics device is required to onboard an asset. The request was missing a "
    "telematics device or had more then one telematics device.",
}
PAGE_FIELDS = {"totalPages", "totalElements", "number", "size", "numberOfElements", "content"}
# The export page's Links example, wrapped in a Fleet element, and its Metadata example inside an equipment.
DOCUMENTED_FLEET_XML = b"""<Fleet>
<Links><rel>self</rel><href>https://iris.trackunit.com/public/api/aemp/v2/15143/-3/Fleet/2</href></Links>
<Links><rel>next</rel><href>https://iris.trackunit.com/public/api/aemp/v2/15143/-3/Fleet/3</href></Links>
<Links><rel>prev</rel><href>https://iris.trackunit.com/public/api/aemp/v2/15143/-3/Fleet/1</href></Links>
<Links><rel>last</rel><href>https://iris.trackunit.com/public/api/aemp/v2/15143/-3/Fleet/993</href></Links>
<Equipment>
<Metadata>
  <TelematicSerialNumber>927096</TelematicSerialNumber>
  <MachineId>035c52d4-a533-4a83-8687-a5a7489a5af4</MachineId>
  <UnitId>958947</UnitId>
  <ExternalReferenceNumber>ref-927096</ExternalReferenceNumber>
</Metadata>
</Equipment>
</Fleet>"""


def test_the_client_reads_the_documented_error_object():
    error = wire.TrackunitError.from_response(400, DOCUMENTED_ERROR)
    assert (error.status, error.code) == (400, "exactly_one_telematics_device_is_required")
    assert error.message.startswith("Exactly one telematics device")


def test_the_sandbox_answers_in_the_documented_error_shape(sandbox):
    answer = sandbox.api("POST", "/customer/v1/customers", json={"name": "", "type": "CONTRACTOR"})
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"status", "code", "message", "violations"}
    assert (body["status"], body["code"]) == (400, "constraint_violation")
    assert all(set(v) == {"field", "message"} for v in body["violations"])
    missing = sandbox.api("GET", "/customer/v1/customers/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert {"status", "code", "message"} <= set(missing.json())


def test_the_sandbox_pages_as_documented(sandbox):
    first = sandbox.api("GET", "/asset/v1/assets").json()
    assert set(first) == PAGE_FIELDS
    assert (first["number"], first["size"], first["numberOfElements"]) == (0, 20, 20)
    biggest = sandbox.api("GET", "/asset/v1/assets", params={"size": 1000})
    assert biggest.status_code == 200
    assert sandbox.api("GET", "/asset/v1/assets", params={"size": 1001}).status_code == 400


def test_the_client_reads_the_documented_links_and_metadata():
    page = aemp.parse_document(DOCUMENTED_FLEET_XML)
    assert page.links["next"].endswith("/Fleet/3")
    assert page.links["last"].endswith("/Fleet/993")
    meta = page.equipment[0].metadata
    assert (meta.machine_id, meta.external_reference_number) == (
        "035c52d4-a533-4a83-8687-a5a7489a5af4",
        "ref-927096",
    )
    assert (meta.telematic_serial_number, meta.unit_id) == ("927096", "958947")


def test_the_client_reads_the_sandboxs_export_in_both_formats(sandbox):
    xml = sandbox.aemp("/Fleet/1?addMetadata=true")
    assert xml.status_code == 200
    assert xml.headers["Content-Type"].startswith("application/xml")
    page = aemp.parse_document(xml.content)
    assert len(page.equipment) == 100  # "Response collections are limited to 100 per page"
    assert page.links["self"].endswith("/Fleet/1?addMetadata=true")
    assert "prev" not in page.links  # the first page is 1
    assert all(eq.metadata and eq.metadata.machine_id for eq in page.equipment)
    as_json = sandbox.aemp("/Fleet/2", headers={"Accept": "application/json"})
    assert as_json.headers["Content-Type"].startswith("application/json")
    assert aemp.parse_document(as_json.content).links["prev"].endswith("/Fleet/1")
