"""Customer API: customers, their contacts, and which assets each customer may see."""

from sync.sandbox import assets
from sync.sandbox.common import ensure_unique, filtered, new_id, with_defaults
from sync.sandbox.web import ApiError, Request, Response, Route, check, paginate
from sync.trackunit import wire

FIELDS = ("name", "type", "externalReference", "address", "phone", "email", "webAddress")
CONTACT_FIELDS = ("name", "type", "email", "phone", "role", "externalReference")


def find(app, customer_id: str) -> dict:
    customer = app.store.kind("customers").get(customer_id)
    if customer is None:
        raise ApiError(404, wire.CUSTOMER_NOT_FOUND, f"no customer {customer_id}")
    return customer


def create_record(app, body: dict) -> dict:
    """Store a new customer; the rental API uses this for customers it creates on the fly."""
    customers = app.store.kind("customers")
    ensure_unique(customers.values(), body.get("externalReference"), None, "customer")
    customer = with_defaults(FIELDS, body, id=new_id())
    customers[customer["id"]] = customer
    return customer


def list_customers(app, request: Request) -> Response:
    with app.store.lock:
        records = filtered(app.store.kind("customers").values(), request.arg, "externalReference", "type")
        return paginate(request, records)


def create_customer(app, request: Request) -> Response:
    body = request.json()
    check(wire.validate_customer(body))
    with app.store.lock:
        return Response.json(201, create_record(app, body))


def get_customer(app, request: Request, customer_id: str) -> Response:
    with app.store.lock:
        return Response.json(200, find(app, customer_id))


def patch_customer(app, request: Request, customer_id: str) -> Response:
    body = request.json()
    check(wire.validate_customer(body, partial=True))
    with app.store.lock:
        customer = find(app, customer_id)
        ensure_unique(
            app.store.kind("customers").values(), body.get("externalReference"), customer_id, "customer"
        )
        customer.update(body)
        return Response.json(200, customer)


def delete_customer(app, request: Request, customer_id: str) -> Response:
    """[A] Deleting a customer also removes its contacts and asset assignments."""
    with app.store.lock:
        find(app, customer_id)
        del app.store.kind("customers")[customer_id]
        for kind in ("contacts", "customer_assets"):
            records = app.store.kind(kind)
            for key in [k for k, r in records.items() if r["customerId"] == customer_id]:
                del records[key]
        return Response.empty()


# --- contacts ---------------------------------------------------------------------------------------------
def _contact(app, customer_id: str, contact_id: str) -> dict:
    find(app, customer_id)
    contact = app.store.kind("contacts").get(contact_id)
    if contact is None or contact["customerId"] != customer_id:
        raise ApiError(404, wire.CONTACT_NOT_FOUND, f"no contact {contact_id} for customer {customer_id}")
    return contact


def list_contacts(app, request: Request, customer_id: str) -> Response:
    with app.store.lock:
        find(app, customer_id)
        records = [c for c in app.store.kind("contacts").values() if c["customerId"] == customer_id]
        return paginate(request, records)


def create_contact(app, request: Request, customer_id: str) -> Response:
    body = request.json()
    check(wire.validate_contact(body))
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
    check(wire.validate_contact(body, partial=True))
    with app.store.lock:
        contact = _contact(app, customer_id, contact_id)
        if "name" in body and body["name"] is None:
            check([wire.violation("name", "must not be null")])
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
        records = [r for r in app.store.kind("customer_assets").values() if r["customerId"] == customer_id]
        return paginate(request, records)


def assign_asset(app, request: Request, customer_id: str) -> Response:
    """[A] Idempotent: assigning an asset twice answers 200 with the existing assignment."""
    body = request.json()
    check(wire.validate_customer_asset(body))
    with app.store.lock:
        find(app, customer_id)
        asset = assets.find(app, body["assetId"])
        if not asset["ownedByAccount"]:
            raise ApiError(
                403, wire.ONLY_OWNER_CAN_EDIT, "only the owner of the asset can share it with customers"
            )
        key = f"{customer_id}:{asset['id']}"
        records = app.store.kind("customer_assets")
        if key in records:
            return Response.json(200, records[key])
        records[key] = {"customerId": customer_id, "assetId": asset["id"]}
        return Response.json(201, records[key])


def unassign_asset(app, request: Request, customer_id: str, asset_id: str) -> Response:
    with app.store.lock:
        find(app, customer_id)
        records = app.store.kind("customer_assets")
        if records.pop(f"{customer_id}:{asset_id}", None) is None:
            raise ApiError(
                404, wire.ASSET_NOT_FOUND, f"asset {asset_id} is not assigned to customer {customer_id}"
            )
        return Response.empty()


ROUTES = [
    Route("GET", wire.CUSTOMERS, list_customers, "customers"),
    Route("POST", wire.CUSTOMERS, create_customer, "customers"),
    Route("GET", wire.CUSTOMER, get_customer, "customers"),
    Route("PATCH", wire.CUSTOMER, patch_customer, "customers"),
    Route("DELETE", wire.CUSTOMER, delete_customer, "customers"),
    Route("GET", wire.CUSTOMER_CONTACTS, list_contacts, "customers"),
    Route("POST", wire.CUSTOMER_CONTACTS, create_contact, "customers"),
    Route("GET", wire.CUSTOMER_CONTACT, get_contact, "customers"),
    Route("PATCH", wire.CUSTOMER_CONTACT, patch_contact, "customers"),
    Route("DELETE", wire.CUSTOMER_CONTACT, delete_contact, "customers"),
    Route("GET", wire.CUSTOMER_ASSETS, list_customer_assets, "customers"),
    Route("POST", wire.CUSTOMER_ASSETS, assign_asset, "customers"),
    Route("DELETE", wire.CUSTOMER_ASSET, unassign_asset, "customers"),
]
