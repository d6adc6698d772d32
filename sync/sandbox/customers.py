"""Customer API: customers, their contacts, and which assets each customer may see.

Paths from changelogs/customer-api-v1.md, which documents no DELETE of an asset assignment: un-assigning
goes through rental contracts (custom-erp-integration-guide.md). The bodies are [A]: the docs name only
id, name, type and externalReference, and the types in title case.
"""

import re
from typing import Any

from sync.sandbox import assets, spec
from sync.sandbox.common import ensure_unique, filtered, new_id, with_defaults
from sync.sandbox.web import ApiError, Request, Response, Route, check, paginate

FIELDS = ("name", "type", "externalReference", "address", "phone", "email", "webAddress")
CONTACT_FIELDS = ("name", "type", "email", "phone", "role", "externalReference")
PHONE_MAX = 40  # [A]
WEB_ADDRESS = re.compile(r"https?://\S+")


def _check_customer(body: Any, *, partial: bool) -> list[spec.Violation]:
    if not isinstance(body, dict):
        return spec.object_body(body)
    checker = spec.Checker(body)
    checker.only(FIELDS)
    checker.text("name", required=not partial)
    # Help centre: "If you don't make a selection, the type will automatically default to Other".
    checker.enum("type", spec.CUSTOMER_TYPES)
    checker.text("externalReference", max_length=spec.EXTERNAL_REFERENCE_MAX)
    spec.check_address(checker.nested("address"))
    checker.text("phone", max_length=PHONE_MAX)
    checker.matches("email", spec.EMAIL, "an e-mail address")
    checker.matches("webAddress", WEB_ADDRESS, "a web address starting with http:// or https://")
    _not_null_on_patch(checker, partial)
    return checker.violations


def _check_contact(body: Any, *, partial: bool) -> list[spec.Violation]:
    if not isinstance(body, dict):
        return spec.object_body(body)
    checker = spec.Checker(body)
    checker.only(CONTACT_FIELDS)
    checker.text("name", required=not partial)
    checker.enum("type", spec.CONTACT_TYPES)
    checker.matches("email", spec.EMAIL, "an e-mail address")
    checker.text("phone", max_length=PHONE_MAX)
    checker.text("role")
    checker.text("externalReference", max_length=spec.EXTERNAL_REFERENCE_MAX)
    _not_null_on_patch(checker, partial)
    return checker.violations


def _not_null_on_patch(checker: spec.Checker, partial: bool) -> None:
    """A PATCH may leave name and type out but not clear them: both have a value on create."""
    for name in ("name", "type") if partial else ():
        if name in checker.body and checker.body[name] is None:
            checker.fail(name, "must not be null")


def _check_assignment(body: Any) -> list[spec.Violation]:
    if not isinstance(body, dict):
        return spec.object_body(body)
    checker = spec.Checker(body)
    checker.only(("assetId",))
    checker.text("assetId", required=True)
    return checker.violations


def find(app, customer_id: str) -> dict:
    customer = app.store.kind("customers").get(customer_id)
    if customer is None:
        raise ApiError(404, spec.CUSTOMER_NOT_FOUND, f"no customer {customer_id}")
    return customer


def create_record(app, body: dict) -> dict:
    """Store a new customer; the rental API uses this for customers it creates on the fly."""
    customers = app.store.kind("customers")
    ensure_unique(customers, body.get("externalReference"), None, "customer")
    customer = with_defaults(FIELDS, body, id=new_id())
    customer["type"] = customer["type"] or "OTHER"
    customers[customer["id"]] = customer
    return customer


def list_customers(app, request: Request) -> Response:
    with app.store.lock:
        customers = app.store.kind("customers")
        reference = request.arg("externalReference")
        candidates = (
            customers.values() if reference is None else customers.find(("externalReference",), reference)
        )
        records = filtered(candidates, request.arg, "externalReference", "type")
        return paginate(request, records)


def create_customer(app, request: Request) -> Response:
    body = request.json()
    check(_check_customer(body, partial=False))
    with app.store.lock:
        return Response.json(201, create_record(app, body))


def get_customer(app, request: Request, customer_id: str) -> Response:
    with app.store.lock:
        return Response.json(200, find(app, customer_id))


def patch_customer(app, request: Request, customer_id: str) -> Response:
    body = request.json()
    check(_check_customer(body, partial=True))
    with app.store.lock:
        customer = find(app, customer_id)
        ensure_unique(app.store.kind("customers"), body.get("externalReference"), customer_id, "customer")
        app.store.kind("customers").update(customer_id, body)
        return Response.json(200, customer)


def delete_customer(app, request: Request, customer_id: str) -> Response:
    """[A] Deleting a customer also removes its contacts and asset assignments."""
    with app.store.lock:
        find(app, customer_id)
        del app.store.kind("customers")[customer_id]
        for kind in ("contacts", "customer_assets"):
            records = app.store.kind(kind)
            for key in records.find_keys(("customerId",), customer_id):
                del records[key]
        return Response.empty()


# --- contacts ---------------------------------------------------------------------------------------------
def _contact(app, customer_id: str, contact_id: str) -> dict:
    find(app, customer_id)
    contact = app.store.kind("contacts").get(contact_id)
    if contact is None or contact["customerId"] != customer_id:
        raise ApiError(404, spec.CONTACT_NOT_FOUND, f"no contact {contact_id} for customer {customer_id}")
    return contact


def list_contacts(app, request: Request, customer_id: str) -> Response:
    with app.store.lock:
        find(app, customer_id)
        records = app.store.kind("contacts").find(("customerId",), customer_id)
        return paginate(request, records)


def create_contact(app, request: Request, customer_id: str) -> Response:
    body = request.json()
    check(_check_contact(body, partial=False))
    with app.store.lock:
        find(app, customer_id)
        contact = with_defaults(CONTACT_FIELDS, body, id=new_id(), customerId=customer_id)
        contact["type"] = contact["type"] or "PERSON"
        app.store.kind("contacts")[contact["id"]] = contact
        return Response.json(201, contact)


def get_contact(app, request: Request, customer_id: str, contact_id: str) -> Response:
    with app.store.lock:
        return Response.json(200, _contact(app, customer_id, contact_id))


def patch_contact(app, request: Request, customer_id: str, contact_id: str) -> Response:
    body = request.json()
    check(_check_contact(body, partial=True))
    with app.store.lock:
        contact = _contact(app, customer_id, contact_id)
        contact.update(body)
        return Response.json(200, contact)


def delete_contact(app, request: Request, customer_id: str, contact_id: str) -> Response:
    with app.store.lock:
        _contact(app, customer_id, contact_id)
        del app.store.kind("contacts")[contact_id]
        return Response.empty()


# --- asset assignments -----------------------------------------------------------------------------------
def list_customer_assets(app, request: Request, customer_id: str) -> Response:
    """[A] A page of assignment records {customerId, assetId}."""
    with app.store.lock:
        find(app, customer_id)
        records = app.store.kind("customer_assets").find(("customerId",), customer_id)
        return paginate(request, records)


def assign_asset(app, request: Request, customer_id: str) -> Response:
    """[A] `{"assetId"}`; idempotent: assigning an asset twice answers 200 with the existing assignment."""
    body = request.json()
    check(_check_assignment(body))
    with app.store.lock:
        find(app, customer_id)
        asset = assets.find(app, body["assetId"])
        assets.refuse_unless_owned(asset, "assign it to customers")
        key = f"{customer_id}:{asset['id']}"
        records = app.store.kind("customer_assets")
        if key in records:
            return Response.json(200, records[key])
        records[key] = {"customerId": customer_id, "assetId": asset["id"]}
        return Response.json(201, records[key])


ROUTES = [
    Route("GET", spec.CUSTOMERS, list_customers, "customers"),
    Route("POST", spec.CUSTOMERS, create_customer, "customers"),
    Route("GET", spec.CUSTOMER, get_customer, "customers"),
    Route("PATCH", spec.CUSTOMER, patch_customer, "customers"),
    Route("DELETE", spec.CUSTOMER, delete_customer, "customers"),
    Route("GET", spec.CUSTOMER_CONTACTS, list_contacts, "customers"),
    Route("POST", spec.CUSTOMER_CONTACTS, create_contact, "customers"),
    Route("GET", spec.CUSTOMER_CONTACT, get_contact, "customers"),
    Route("PATCH", spec.CUSTOMER_CONTACT, patch_contact, "customers"),
    Route("DELETE", spec.CUSTOMER_CONTACT, delete_contact, "customers"),
    Route("GET", spec.CUSTOMER_ASSETS, list_customer_assets, "customers"),
    Route("POST", spec.CUSTOMER_ASSETS, assign_asset, "customers"),
]
