"""Sites and customers: archiving the documented way, and no call the docs do not list.

Sources: api-docs/sites-api-intro.md ("Setting the status to ARCHIVED overwrites this logic"; the site types
and the status rules), changelogs/customer-api-v1.md (the customer, contact and asset-assignment paths;
no DELETE of an assignment), custom-erp-integration-guide.md (customer types). Site and customer bodies are
not published: they are marked [A].
"""

from datetime import date, timedelta

from sync.trackunit import wire

# [A] a depot site: the docs name street, ZIP code, city and country and the type "depot", not the keys.
DEPOT = {
    "name": "Aarhus depot",
    "type": "DEPOT",
    "externalReference": "DEP-AAR",
    "address": {"streetAddress": "Havnegade 1", "postalCode": "8000", "city": "Aarhus", "country": "DK"},
}


def test_the_client_builds_the_site_and_archives_it_the_documented_way():
    built = wire.site_body(
        name="Aarhus depot",
        type=wire.SITE_TYPE_DEPOT,
        external_reference="DEP-AAR",
        address=wire.address_body(street="Havnegade 1", postal_code="8000", city="Aarhus", country="DK"),
    )
    assert built == DEPOT
    assert wire.site_archive_body() == {"status": "ARCHIVED"}


def test_the_sandbox_archives_a_site_by_status(sandbox):
    created = sandbox.api("POST", "/site/v1/sites", json=DEPOT)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "ACTIVE"
    archived = sandbox.api("PATCH", f"/site/v1/sites/{created.json()['id']}", json={"status": "ARCHIVED"})
    assert archived.status_code == 200, archived.text
    assert archived.json()["status"] == "ARCHIVED"
    refused = sandbox.api("PATCH", f"/site/v1/sites/{created.json()['id']}", json={"archived": True})
    assert refused.status_code == 400


def test_site_status_follows_the_dates_as_documented(sandbox):
    # "If the start date is set in the future, then the status shows as PLANNED".
    later = (date.today() + timedelta(days=30)).isoformat()
    planned = sandbox.api(
        "POST", "/site/v1/sites", json={**DEPOT, "externalReference": "P", "startDate": later}
    )
    assert planned.json()["status"] == "PLANNED"
    # "If the end date is in the past, then the status shows as FINISHED".
    earlier = (date.today() - timedelta(days=30)).isoformat()
    finished = sandbox.api(
        "POST", "/site/v1/sites", json={**DEPOT, "externalReference": "F", "endDate": earlier}
    )
    assert finished.json()["status"] == "FINISHED"


# [A] the bodies the sandbox test below sends; [V] the paths and the customer type values.
CUSTOMER = {"name": "Nordbyg", "type": "CONTRACTOR", "externalReference": "C-1"}
CONTACT = {"name": "Front desk", "type": "DEPARTMENT"}


def test_the_client_builds_the_customer_contact_and_assignment_bodies():
    assert wire.customer_body(name="Nordbyg", type="CONTRACTOR", external_reference="C-1") == CUSTOMER
    assert wire.contact_body(name="Front desk", type="DEPARTMENT") == CONTACT
    assert wire.customer_asset_body(asset_id="3fa85f64-5717-4562-b3fc-2c963f66afa6") == {
        "assetId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    }


def test_the_client_sends_no_undocumented_assignment_delete():
    from sync.trackunit.endpoints import TrackunitApi

    assert not hasattr(TrackunitApi, "unassign_customer_asset")
    assert not hasattr(wire, "CUSTOMER_ASSET")


def test_customers_contacts_and_assignments_at_the_documented_paths(sandbox):
    # [A] bodies; [V] paths and the customer type values (upper-cased: [A]).
    customer = sandbox.api("POST", "/customer/v1/customers", json=CUSTOMER)
    assert customer.status_code == 201, customer.text
    customer_id = customer.json()["id"]
    contact = sandbox.api("POST", f"/customer/v1/customers/{customer_id}/contacts", json=CONTACT)
    assert contact.status_code == 201, contact.text
    own = next(
        a
        for a in sandbox.api("GET", "/asset/v1/assets", params={"size": 1000}).json()["content"]
        if a["permissions"]["edit"]
    )
    assigned = sandbox.api(
        "POST", f"/customer/v1/customers/{customer_id}/assets", json={"assetId": own["id"]}
    )
    assert assigned.status_code in (200, 201), assigned.text
    listed = sandbox.api("GET", f"/customer/v1/customers/{customer_id}/assets").json()
    assert [a["assetId"] for a in listed["content"]] == [own["id"]]
    # No DELETE of an assignment is published, so the sandbox serves none.
    gone = sandbox.api("DELETE", f"/customer/v1/customers/{customer_id}/assets/{own['id']}")
    assert gone.status_code in (404, 405)


def test_a_shared_asset_cannot_be_assigned(sandbox):
    customer = sandbox.api("POST", "/customer/v1/customers", json={"name": "N", "type": "OTHER"}).json()
    shared = next(
        a
        for a in sandbox.api("GET", "/asset/v1/assets", params={"size": 1000}).json()["content"]
        if not a["permissions"]["edit"]
    )
    answer = sandbox.api(
        "POST", f"/customer/v1/customers/{customer['id']}/assets", json={"assetId": shared["id"]}
    )
    assert answer.status_code == 403
