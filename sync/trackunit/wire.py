"""Trackunit's wire format: paths, enums, error objects and the shape of every JSON body.

This is the one module that knows Trackunit's JSON. The client builds requests and reads answers with it,
and the sandbox validates what it receives with it, so a change to the API is one edit here.
Shapes marked [A] are assumptions where Trackunit's public docs stop (see shared/trackunit-api.md).

Builders take plain keyword arguments and leave out what is None, because Trackunit treats a missing field
as "unchanged" on PATCH; a field the caller wants to clear is named in `clear`. Validators return a list
of violations `{"field": ..., "message": ...}` (empty when the body is fine) so a caller can report them
all at once, exactly as Trackunit's `constraint_violation` error does.
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from rentalbridge.customfields.rules import FIELD_TYPES, FieldRules

# --- Paths, relative to TRACKUNIT_API_URL (the REST APIs) -------------------------------------------
ASSETS = "/asset/v1/assets"
ASSET = "/asset/v1/assets/{asset_id}"
SITES = "/site/v1/sites"
SITE = "/site/v1/sites/{site_id}"
CUSTOMERS = "/customer/v1/customers"
CUSTOMER = "/customer/v1/customers/{customer_id}"
CUSTOMER_CONTACTS = "/customer/v1/customers/{customer_id}/contacts"
CUSTOMER_CONTACT = "/customer/v1/customers/{customer_id}/contacts/{contact_id}"
CUSTOMER_ASSETS = "/customer/v1/customers/{customer_id}/assets"
CUSTOMER_ASSET = "/customer/v1/customers/{customer_id}/assets/{asset_id}"  # [A] removing an assignment
RENTAL_SYNCHRONIZATION = "/rental/v1/synchronization"
RENTAL_CONTRACT_ITEMS = "/rental/v1/contract-items"
CUSTOM_FIELD_DEFINITIONS = "/custom-fields/v1/definitions"
CUSTOM_FIELD_DEFINITION = "/custom-fields/v1/definitions/{definition_id}"
CUSTOM_FIELD_VALUES = "/custom-fields/v1/values"
CUSTOM_FIELD_VALUE = "/custom-fields/v1/values/{value_id}"
CUSTOM_FIELD_SET_VALUES = "/custom-fields/v1/set-values"

# --- Paths, relative to TRACKUNIT_AUTH_URL ------------------------------------------------------------
TOKEN_V1 = "/token"
TOKEN_V2 = "/token/v2"

# --- Paths, relative to TRACKUNIT_AEMP_URL (ISO 15143-3) ----------------------------------------------
AEMP_FLEET_PAGE = "/Fleet/{page}"
AEMP_EQUIPMENT = "/Fleet/Equipment/ID/{pin}"

# --- Headers ----------------------------------------------------------------------------------------------
VALIDATE_ASSET_EXISTS_HEADER = "X-Validate-Asset-Exists"

# --- Enums ----------------------------------------------------------------------------------------------
CUSTOMER_TYPES = ("CONTRACTOR", "DEALER", "DISTRIBUTOR", "OEM", "RENTAL", "SERVICE", "OTHER")
# Trackunit says new rental statuses may be added: readers must accept unknown values.
RENTAL_STATUSES = (
    "ON_RENT",
    "PICK_UP_READY",
    "AVAILABLE",
    "RETURNED",
    "IN_REPAIR",
    "TRANSFER",
    "OTHER",
    "OFF_RENT",
    "NOT_ON_CONTRACT",
    "RESERVED",
)
CONTRACT_STATUSES = ("OPEN", "RESERVED", "CANCELLED", "COMPLETED")
IDENTIFIER_TYPES = ("ASSET_ID", "SERIAL_NUMBER", "EXTERNAL_REFERENCE")  # [A] spelling
RATE_PERIODS = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "FIXED")  # [A] spelling
SITE_TYPES = ("CONSTRUCTION_SITE", "DEPOT", "WORKPLACE", "AREA")  # [A] spelling
SITE_STATUSES = ("PLANNED", "ACTIVE", "FINISHED", "ARCHIVED")  # [A] spelling; computed, never sent
ASSET_TYPES = ("MACHINE", "VEHICLE", "GATEWAY", "EQUIPMENT", "TOOL", "ATTACHMENT", "OTHER")
CONTACT_TYPES = ("PERSON", "DEPARTMENT", "CALL_CENTRE")  # [A] the docs only say "not only a person"
CUSTOM_FIELD_ENTITY_TYPES = ("ASSET", "ACCOUNT", "GROUP", "SITE", "CUSTOMER", "RENTAL_CONTRACT")
CUSTOM_FIELD_SCOPES = ("ACCOUNT", "ACCOUNT_WRITE_GLOBAL_READ", "GLOBAL")
CUSTOM_FIELD_TYPES = FIELD_TYPES  # [A] spelled as in rentalbridge.customfields.rules

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 1000
AEMP_PAGE_SIZE = 100

# --- Length limits ----------------------------------------------------------------------------------------
EXTERNAL_REFERENCE_MAX = 100
SERIAL_NUMBER_MAX = 100
ASSET_NAME_MAX = 127
TEXT_MAX = 255  # [A] names, titles, e-mail and the like where Trackunit publishes no limit

# --- Error codes (the `code` of Trackunit's error object) -----------------------------------------------
CONSTRAINT_VIOLATION = "constraint_violation"
UNAUTHORIZED = "unauthorized"
INSUFFICIENT_SCOPE = "insufficient_scope"  # [A]
BAD_REQUEST = "bad_request"  # [A] a body that is not JSON, a query that is not a number
NOT_FOUND = "not_found"  # [A] an unknown path
METHOD_NOT_ALLOWED = "method_not_allowed"  # [A]
TOO_MANY_REQUESTS = "too_many_requests"  # [A]
INTERNAL_ERROR = "internal_server_error"  # [A]
SERVICE_UNAVAILABLE = "service_unavailable"  # [A]
ASSET_NOT_FOUND = "asset_not_found"
ONLY_OWNER_CAN_EDIT = "only_owner_of_the_asset_can_edit_given_fields"
ASSET_TYPE_CANNOT_BE_CHANGED = "asset_type_cannot_be_changed"
SITE_NOT_FOUND = "site_not_found"  # [A]
CUSTOMER_NOT_FOUND = "customer_not_found"  # [A]
CONTACT_NOT_FOUND = "contact_not_found"  # [A]
CONTRACT_NOT_FOUND = "contract_not_found"  # [A]
DEFINITION_NOT_FOUND = "custom_field_definition_not_found"  # [A]
VALUE_NOT_FOUND = "custom_field_value_not_found"  # [A]
EQUIPMENT_NOT_FOUND = "equipment_not_found"  # [A]

# --- OAuth error codes (RFC 6749, as the auth host answers them) ------------------------------------------
INVALID_REQUEST = "invalid_request"
INVALID_CLIENT = "invalid_client"
INVALID_GRANT = "invalid_grant"
INVALID_SCOPE = "invalid_scope"
UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"

Violation = dict[str, str]
JsonObject = dict[str, Any]


# =========================================================================================================
# Envelopes
# =========================================================================================================
def error_body(
    status: int, code: str, message: str, violations: Sequence[Violation] | None = None
) -> JsonObject:
    """Trackunit's error object; `violations` only appears for constraint errors."""
    body: JsonObject = {"status": status, "code": code, "message": message}
    if violations:
        body["violations"] = [dict(v) for v in violations]
    return body


def page_body(content: Sequence[Any], page: int, size: int, total: int) -> JsonObject:
    """The page-based list envelope; `number` is the 0-based page that was asked for."""
    return {
        "content": list(content),
        "number": page,
        "size": size,
        "numberOfElements": len(content),
        "totalElements": total,
        "totalPages": (total + size - 1) // size if size else 0,
    }


def oauth_error_body(error: str, description: str) -> JsonObject:
    return {"error": error, "error_description": description}


def violation(field_name: str, message: str) -> Violation:
    return {"field": field_name, "message": message}


def validate_page_params(page: str | None, size: str | None) -> tuple[int, int, list[Violation]]:
    """Read `page` (0-based) and `size` (default 20, at most 1000) the way Trackunit does."""
    violations: list[Violation] = []
    page_number, page_size = 0, PAGE_SIZE_DEFAULT
    if page not in (None, ""):
        try:
            page_number = int(page)
            if page_number < 0:
                violations.append(violation("page", "must be 0 or more"))
        except ValueError:
            violations.append(violation("page", f"{page!r} is not a whole number"))
    if size not in (None, ""):
        try:
            page_size = int(size)
            if not 1 <= page_size <= PAGE_SIZE_MAX:
                violations.append(violation("size", f"must be between 1 and {PAGE_SIZE_MAX}"))
        except ValueError:
            violations.append(violation("size", f"{size!r} is not a whole number"))
    return page_number, page_size, violations


@dataclass(frozen=True)
class TrackunitError:
    """An error answer, read tolerantly: a proxy's HTML page or an empty body still gives a usable object."""

    status: int
    code: str
    message: str
    violations: tuple[Violation, ...] = ()
    retry_after: int | None = None

    @classmethod
    def from_response(
        cls, status: int, body: bytes | str | Mapping[str, Any] | None, retry_after: str | None = None
    ) -> "TrackunitError":
        data: Any = body
        if isinstance(body, bytes | str):
            try:
                data = json.loads(body or "null")
            except ValueError:
                data = None
        if not isinstance(data, Mapping):
            data = {}
        code = data.get("code") or data.get("error") or f"http_{status}"
        message = data.get("message") or data.get("error_description") or ""
        raw_violations = data.get("violations") or []
        violations = tuple(
            {"field": str(v.get("field", "")), "message": str(v.get("message", ""))}
            for v in raw_violations
            if isinstance(v, Mapping)
        )
        seconds = None
        if retry_after and retry_after.strip().isdigit():
            seconds = int(retry_after.strip())
        return cls(status, str(code), str(message), violations, seconds)

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500


# =========================================================================================================
# Builders: request bodies
# =========================================================================================================
def _compact(body: Mapping[str, Any], clear: Iterable[str] = ()) -> JsonObject:
    out = {k: v for k, v in body.items() if v is not None}
    for name in clear:
        if name not in body:
            raise ValueError(f"cannot clear unknown field {name!r}")
        out[name] = None
    return out


def address_body(
    *,
    street: str | None = None,
    postal_code: str | None = None,
    city: str | None = None,
    country: str | None = None,
) -> JsonObject:
    """[A] A postal address: `streetAddress`, `postalCode`, `city`, `country` (ISO 3166-1 alpha-2)."""
    return _compact({"streetAddress": street, "postalCode": postal_code, "city": city, "country": country})


def customer_body(
    *,
    name: str | None = None,
    type: str | None = None,
    external_reference: str | None = None,
    address: Mapping[str, Any] | None = None,
    phone: str | None = None,
    email: str | None = None,
    web_address: str | None = None,
    clear: Iterable[str] = (),
) -> JsonObject:
    """Customer API create (name and type required) or PATCH body. [A] field names beyond name/type/ref."""
    return _compact(
        {
            "name": name,
            "type": type,
            "externalReference": external_reference,
            "address": dict(address) if address is not None else None,
            "phone": phone,
            "email": email,
            "webAddress": web_address,
        },
        clear,
    )


def contact_body(
    *,
    name: str | None = None,
    type: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    role: str | None = None,
    external_reference: str | None = None,
    clear: Iterable[str] = (),
) -> JsonObject:
    """[A] A customer contact: `name` required on create, `type` one of CONTACT_TYPES (PERSON by default)."""
    return _compact(
        {
            "name": name,
            "type": type,
            "email": email,
            "phone": phone,
            "role": role,
            "externalReference": external_reference,
        },
        clear,
    )


def customer_asset_body(*, asset_id: str) -> JsonObject:
    """[A] Gives a customer access to one asset."""
    return {"assetId": asset_id}


def site_body(
    *,
    name: str | None = None,
    type: str | None = None,
    external_reference: str | None = None,
    address: Mapping[str, Any] | None = None,
    polygon: Sequence[Sequence[float]] | None = None,
    start_date: date | str | None = None,
    end_date: date | str | None = None,
    archived: bool | None = None,
    clear: Iterable[str] = (),
) -> JsonObject:
    """[A] A site: an address or a GeoJSON polygon of [lon, lat(, alt)] (closed here if the caller did not).

    Dates are calendar dates; the answer adds `id` and the computed `status`.
    """
    geometry = None
    if polygon is not None:
        ring = [list(point) for point in polygon]
        if ring and ring[0] != ring[-1]:
            ring.append(list(ring[0]))
        geometry = {"type": "Polygon", "coordinates": [ring]}
    return _compact(
        {
            "name": name,
            "type": type,
            "externalReference": external_reference,
            "address": dict(address) if address is not None else None,
            "geometry": geometry,
            "startDate": _iso(start_date),
            "endDate": _iso(end_date),
            "archived": archived,
        },
        clear,
    )


def asset_patch_body(
    *,
    name: str | None = None,
    external_reference: str | None = None,
    serial_number: str | None = None,
    brand: str | None = None,
    model: str | None = None,
    production_date: date | str | None = None,
    production_year: int | None = None,
    type: str | None = None,
    asset_type: str | None = None,
    clear: Iterable[str] = (),
) -> JsonObject:
    """PATCH body for an asset. [A] `type` is the ASSET_TYPES class, `assetType` free text ("Excavator")."""
    return _compact(
        {
            "name": name,
            "externalReference": external_reference,
            "serialNumber": serial_number,
            "brand": brand,
            "model": model,
            "productionDate": _iso(production_date),
            "productionYear": production_year,
            "type": type,
            "assetType": asset_type,
        },
        clear,
    )


def depot_ref(*, site_id: str | None = None, external_reference: str | None = None) -> JsonObject:
    """[A] Points at a DEPOT site by Trackunit id or by the site's external reference (exactly one)."""
    if (site_id is None) == (external_reference is None):
        raise ValueError("give exactly one of site_id and external_reference")
    return _compact({"siteId": site_id, "externalReference": external_reference})


def rental_rate_body(*, unit_price: Decimal | float | str, currency: str, period: str) -> JsonObject:
    """[A] `unitPrice` is a JSON number, `currency` ISO 4217, `period` one of RATE_PERIODS."""
    return {"unitPrice": float(Decimal(str(unit_price))), "currency": currency, "period": period}


def rental_customer_body(
    *, external_reference: str, name: str | None = None, type: str | None = None
) -> JsonObject:
    """[A] The customer inside a contract; created by Trackunit when its external reference is unknown."""
    return _compact({"externalReference": external_reference, "name": name, "type": type})


def contract_body(
    *,
    external_reference: str,
    customer: Mapping[str, Any],
    status: str | None = None,
    start_date: datetime | str | None = None,
    end_date: datetime | str | None = None,
    hiring_depot: Mapping[str, Any] | None = None,
) -> JsonObject:
    """[A] A contract as nested in a contract item; dates are ISO 8601 date-times with an offset."""
    return _compact(
        {
            "externalReference": external_reference,
            "contractStatus": status,
            "startDate": _iso(start_date),
            "endDate": _iso(end_date),
            "hiringDepot": dict(hiring_depot) if hiring_depot is not None else None,
            "customer": dict(customer),
        }
    )


def contract_item_body(
    *,
    external_reference: str,
    contract: Mapping[str, Any],
    on_rent_date: datetime | str | None = None,
    off_rent_date: datetime | str | None = None,
    rental_rate: Mapping[str, Any] | None = None,
    hiring_depot: Mapping[str, Any] | None = None,
    delivery_address: Mapping[str, Any] | None = None,
    delivery_date: datetime | str | None = None,
    pickup_address: Mapping[str, Any] | None = None,
    pickup_date: datetime | str | None = None,
    order_number: str | None = None,
    contracted_hours: float | None = None,
) -> JsonObject:
    """[A] One rental period of the asset, carrying its contract (and that contract's customer)."""
    return _compact(
        {
            "externalReference": external_reference,
            "onRentDate": _iso(on_rent_date),
            "offRentDate": _iso(off_rent_date),
            "rentalRate": dict(rental_rate) if rental_rate is not None else None,
            "hiringDepot": dict(hiring_depot) if hiring_depot is not None else None,
            "deliveryAddress": dict(delivery_address) if delivery_address is not None else None,
            "deliveryDate": _iso(delivery_date),
            "pickupAddress": dict(pickup_address) if pickup_address is not None else None,
            "pickupDate": _iso(pickup_date),
            "orderNumber": order_number,
            "contractedHours": contracted_hours,
            "contract": dict(contract),
        }
    )


def synchronization_body(
    *,
    identifier_type: str,
    identifier: str,
    external_reference: str | None = None,
    rental_status: str | None = None,
    owning_depot: Mapping[str, Any] | None = None,
    contract_items: Sequence[Mapping[str, Any]] = (),
) -> JsonObject:
    """[A] One asset's rental data for POST /rental/v1/synchronization (one asset per request).

    `contractItems` is the full current list for the asset: items left out are no longer on it.
    """
    return _compact(
        {
            "identifierType": identifier_type,
            "identifier": identifier,
            "externalReference": external_reference,
            "rentalStatus": rental_status,
            "owningDepot": dict(owning_depot) if owning_depot is not None else None,
            "contractItems": [dict(item) for item in contract_items],
        }
    )


def definition_body(
    *,
    key: str,
    title: str,
    type: str,
    entity_type: str,
    description: str | None = None,
    options: Sequence[str] | None = None,
    multi_select: bool | None = None,
    minimum: Decimal | float | None = None,
    maximum: Decimal | float | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    currency: str | None = None,
    unit: str | None = None,
    ui_visible: bool | None = None,
    ui_editable: bool | None = None,
    scope: str | None = None,
) -> JsonObject:
    """[A] A custom-field definition; the rule fields mirror rentalbridge.customfields.rules.FieldRules."""
    return _compact(
        {
            "key": key,
            "title": title,
            "type": type,
            "entityType": entity_type,
            "description": description,
            "options": list(options) if options is not None else None,
            "multiSelect": multi_select,
            "minimum": _number(minimum),
            "maximum": _number(maximum),
            "maxLength": max_length,
            "pattern": pattern,
            "currency": currency,
            "unit": unit,
            "uiVisible": ui_visible,
            "uiEditable": ui_editable,
            "scope": scope,
        }
    )


def definition_patch_body(
    *,
    title: str | None = None,
    description: str | None = None,
    options: Sequence[str] | None = None,
    option_replacements: Mapping[str, str] | None = None,
    multi_select: bool | None = None,
    minimum: Decimal | float | None = None,
    maximum: Decimal | float | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    unit: str | None = None,
    ui_visible: bool | None = None,
    ui_editable: bool | None = None,
    scope: str | None = None,
    clear: Iterable[str] = (),
) -> JsonObject:
    """[A] PATCH a definition. `type`, `key` and `entityType` never change.

    Removing a dropdown option that values still use needs `optionReplacements` {removed: kept option}.
    """
    return _compact(
        {
            "title": title,
            "description": description,
            "options": list(options) if options is not None else None,
            "optionReplacements": dict(option_replacements) if option_replacements is not None else None,
            "multiSelect": multi_select,
            "minimum": _number(minimum),
            "maximum": _number(maximum),
            "maxLength": max_length,
            "pattern": pattern,
            "unit": unit,
            "uiVisible": ui_visible,
            "uiEditable": ui_editable,
            "scope": scope,
        },
        clear,
    )


def custom_field_value_body(*, definition_id: str, entity_id: str, value: Any) -> JsonObject:
    """[A] One value of one definition on one entity; `value` is already in its JSON form."""
    return {"definitionId": definition_id, "entityId": entity_id, "value": value}


def value_patch_body(*, value: Any) -> JsonObject:
    """[A] Changes a value; null clears it."""
    return {"value": value}


def set_values_body(*, entity_id: str, values: Mapping[str, Any]) -> JsonObject:
    """[A] Sets several values of one entity by definition key; all are applied or none."""
    return {"entityId": entity_id, "values": [{"key": k, "value": v} for k, v in values.items()]}


def definition_rules(definition: Mapping[str, Any]) -> FieldRules:
    """The FieldRules of a definition as Trackunit returns it, so both sides check values the same way."""
    return FieldRules(
        key=str(definition.get("key", "")),
        type=str(definition.get("type", "")),
        options=tuple(definition.get("options") or ()),
        multi_select=bool(definition.get("multiSelect", False)),
        minimum=_decimal_or_none(definition.get("minimum")),
        maximum=_decimal_or_none(definition.get("maximum")),
        max_length=definition.get("maxLength"),
        pattern=definition.get("pattern") or "",
        currency=definition.get("currency") or "",
    )


# =========================================================================================================
# Validators: what the sandbox (Trackunit's stand-in) accepts
# =========================================================================================================
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")  # [A] custom-field keys
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class _Checker:
    """Collects violations for one body; `prefix` makes nested fields read `contractItems[0].contract`."""

    body: Mapping[str, Any]
    prefix: str = ""
    violations: list[Violation] = field(default_factory=list)

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def fail(self, key: str, message: str) -> None:
        self.violations.append(violation(self.name(key), message))

    def only(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in self.body:
            if key not in allowed:
                self.fail(key, "unknown field")

    def present(self, key: str, required: bool) -> bool:
        if self.body.get(key) is None:
            if required:
                self.fail(key, "must not be null")
            return False
        return True

    def text(self, key: str, *, required: bool = False, max_length: int = TEXT_MAX) -> None:
        if not self.present(key, required):
            return
        value = self.body[key]
        if not isinstance(value, str):
            self.fail(key, "must be a string")
        elif not value.strip():
            self.fail(key, "must not be blank")
        elif len(value) > max_length:
            self.fail(key, f"size must be between 0 and {max_length}")

    def enum(self, key: str, allowed: Sequence[str], *, required: bool = False) -> None:
        if self.present(key, required) and self.body[key] not in allowed:
            self.fail(key, f"{self.body[key]!r} is not one of: {', '.join(allowed)}")

    def boolean(self, key: str) -> None:
        if self.present(key, False) and not isinstance(self.body[key], bool):
            self.fail(key, "must be true or false")

    def integer(self, key: str, *, low: int | None = None, high: int | None = None) -> None:
        if not self.present(key, False):
            return
        value = self.body[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, "must be a whole number")
        elif (low is not None and value < low) or (high is not None and value > high):
            self.fail(key, f"must be between {low} and {high}")

    def number(self, key: str, *, low: float | None = None) -> None:
        if not self.present(key, False):
            return
        value = self.body[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, "must be a number")
        elif low is not None and value < low:
            self.fail(key, f"must be {low} or more")

    def day(self, key: str) -> None:
        if not self.present(key, False):
            return
        try:
            date.fromisoformat(self.body[key])
        except (TypeError, ValueError):
            self.fail(key, "must be a date (YYYY-MM-DD)")

    def moment(self, key: str) -> datetime | None:
        if not self.present(key, False):
            return None
        value = self.body[key]
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.fail(key, "must be an ISO 8601 date-time with a time zone (e.g. 2025-01-31T08:00:00Z)")
            return None
        return parsed

    def pattern(self, key: str, regex: re.Pattern[str], what: str) -> None:
        if self.present(key, False) and not (isinstance(self.body[key], str) and regex.match(self.body[key])):
            self.fail(key, f"must be {what}")

    def nested(self, key: str, *, required: bool = False) -> "_Checker | None":
        if not self.present(key, required):
            return None
        value = self.body[key]
        if not isinstance(value, Mapping):
            self.fail(key, "must be an object")
            return None
        return _Checker(value, f"{self.name(key)}.", self.violations)


def _object_or_violation(body: Any) -> list[Violation]:
    return [] if isinstance(body, Mapping) else [violation("body", "must be a JSON object")]


def _address(check: _Checker | None) -> None:
    if check is None:
        return
    check.only(("streetAddress", "postalCode", "city", "country"))
    check.text("streetAddress")
    check.text("postalCode", max_length=20)
    check.text("city")
    check.pattern("country", _COUNTRY, "an ISO 3166-1 alpha-2 code such as DK")


def validate_customer(body: Any, *, partial: bool = False) -> list[Violation]:
    """A customer for POST (name and type required) or PATCH (`partial`)."""
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    check.only(("name", "type", "externalReference", "address", "phone", "email", "webAddress"))
    check.text("name", required=not partial)
    check.enum("type", CUSTOMER_TYPES, required=not partial)
    check.text("externalReference", max_length=EXTERNAL_REFERENCE_MAX)
    _address(check.nested("address"))
    check.text("phone", max_length=40)
    check.pattern("email", _EMAIL, "an e-mail address")
    check.pattern(
        "webAddress", re.compile(r"^https?://\S+$"), "a web address starting with http:// or https://"
    )
    if partial and "name" in body and body["name"] is None:
        check.fail("name", "must not be null")
    return check.violations


def validate_contact(body: Any, *, partial: bool = False) -> list[Violation]:
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    check.only(("name", "type", "email", "phone", "role", "externalReference"))
    check.text("name", required=not partial)
    check.enum("type", CONTACT_TYPES)
    check.pattern("email", _EMAIL, "an e-mail address")
    check.text("phone", max_length=40)
    check.text("role")
    check.text("externalReference", max_length=EXTERNAL_REFERENCE_MAX)
    return check.violations


def validate_customer_asset(body: Any) -> list[Violation]:
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    check.only(("assetId",))
    check.text("assetId", required=True)
    return check.violations


def validate_site(body: Any, *, partial: bool = False) -> list[Violation]:
    """A site needs a name, a type and (on create) an address or a polygon."""
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    check.only(
        ("name", "type", "externalReference", "address", "geometry", "startDate", "endDate", "archived")
    )
    check.text("name", required=not partial)
    check.enum("type", SITE_TYPES, required=not partial)
    check.text("externalReference", max_length=EXTERNAL_REFERENCE_MAX)
    _address(check.nested("address"))
    geometry = check.nested("geometry")
    if geometry is not None:
        _polygon(geometry)
    if not partial and body.get("address") is None and body.get("geometry") is None:
        check.fail("address", "an address or a geometry is required")
    check.day("startDate")
    check.day("endDate")
    check.boolean("archived")
    if (
        not check.violations
        and body.get("startDate")
        and body.get("endDate")
        and body["endDate"] < body["startDate"]
    ):
        check.fail("endDate", "must not be before startDate")
    return check.violations


def _polygon(check: _Checker) -> None:
    check.only(("type", "coordinates"))
    check.enum("type", ("Polygon",), required=True)
    rings = check.body.get("coordinates")
    if not isinstance(rings, list) or len(rings) != 1 or not isinstance(rings[0], list):
        check.fail("coordinates", "must hold exactly one ring of [lon, lat(, alt)] points")
        return
    ring = rings[0]
    points_ok = all(
        isinstance(p, list)
        and len(p) in (2, 3)
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in p)
        and -180 <= p[0] <= 180
        and -90 <= p[1] <= 90
        for p in ring
    )
    if not points_ok:
        check.fail("coordinates", "every point must be [lon, lat(, alt)] with -180<=lon<=180, -90<=lat<=90")
    elif len(ring) < 4 or ring[0] != ring[-1]:
        check.fail("coordinates", "a ring needs at least 4 points and must end where it starts")


ASSET_PATCHABLE = (
    "name",
    "externalReference",
    "serialNumber",
    "brand",
    "model",
    "productionDate",
    "productionYear",
    "type",
    "assetType",
)


def validate_asset_patch(body: Any, *, this_year: int) -> list[Violation]:
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    check.only(ASSET_PATCHABLE)
    if "name" in body and body["name"] is None:
        check.fail("name", "must not be null")
    check.text("name", max_length=ASSET_NAME_MAX)
    check.text("externalReference", max_length=EXTERNAL_REFERENCE_MAX)
    check.text("serialNumber", max_length=SERIAL_NUMBER_MAX)
    check.text("brand", max_length=EXTERNAL_REFERENCE_MAX)
    check.text("model", max_length=EXTERNAL_REFERENCE_MAX)
    check.day("productionDate")
    check.integer("productionYear", low=1900, high=this_year + 1)
    check.enum("type", ASSET_TYPES)
    if "type" in body and body["type"] is None:
        check.fail("type", "must not be null")
    check.text("assetType", max_length=EXTERNAL_REFERENCE_MAX)
    return check.violations


def _depot(check: _Checker | None) -> None:
    if check is None:
        return
    check.only(("siteId", "externalReference"))
    check.text("siteId")
    check.text("externalReference", max_length=EXTERNAL_REFERENCE_MAX)
    if (check.body.get("siteId") is None) == (check.body.get("externalReference") is None):
        check.fail("siteId", "give exactly one of siteId and externalReference")


def validate_synchronization(body: Any) -> list[Violation]:
    """One asset's rental data. Writing is strict about enums even though reading tolerates new ones."""
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    check.only(
        ("identifierType", "identifier", "externalReference", "rentalStatus", "owningDepot", "contractItems")
    )
    check.enum("identifierType", IDENTIFIER_TYPES, required=True)
    check.text("identifier", required=True, max_length=EXTERNAL_REFERENCE_MAX)
    check.text("externalReference", max_length=EXTERNAL_REFERENCE_MAX)
    check.enum("rentalStatus", RENTAL_STATUSES)
    _depot(check.nested("owningDepot"))
    items = body.get("contractItems", [])
    if not isinstance(items, list):
        check.fail("contractItems", "must be a list")
        return check.violations
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        name = f"contractItems[{index}]"
        if not isinstance(item, Mapping):
            check.fail(name, "must be an object")
            continue
        item_check = _Checker(item, f"{name}.", check.violations)
        _contract_item(item_check)
        contract = item.get("contract")
        if isinstance(contract, Mapping) and isinstance(item.get("externalReference"), str):
            key = (str(contract.get("externalReference")), item["externalReference"])
            if key in seen:
                item_check.fail("externalReference", "must be unique within its contract")
            seen.add(key)
    return check.violations


def _contract_item(check: _Checker) -> None:
    check.only(
        (
            "externalReference",
            "onRentDate",
            "offRentDate",
            "rentalRate",
            "hiringDepot",
            "deliveryAddress",
            "deliveryDate",
            "pickupAddress",
            "pickupDate",
            "orderNumber",
            "contractedHours",
            "contract",
        )
    )
    check.text("externalReference", required=True, max_length=EXTERNAL_REFERENCE_MAX)
    on_rent = check.moment("onRentDate")
    off_rent = check.moment("offRentDate")
    if on_rent and off_rent and off_rent < on_rent:
        check.fail("offRentDate", "must not be before onRentDate")
    rate = check.nested("rentalRate")
    if rate is not None:
        rate.only(("unitPrice", "currency", "period"))
        rate.number("unitPrice", low=0)
        rate.present("unitPrice", True)
        rate.pattern("currency", _CURRENCY, "an ISO 4217 code such as EUR")
        rate.present("currency", True)
        rate.enum("period", RATE_PERIODS, required=True)
    _depot(check.nested("hiringDepot"))
    _address(check.nested("deliveryAddress"))
    check.moment("deliveryDate")
    _address(check.nested("pickupAddress"))
    check.moment("pickupDate")
    check.text("orderNumber", max_length=EXTERNAL_REFERENCE_MAX)
    check.number("contractedHours", low=0)
    contract = check.nested("contract", required=True)
    if contract is None:
        return
    contract.only(("externalReference", "contractStatus", "startDate", "endDate", "hiringDepot", "customer"))
    contract.text("externalReference", required=True, max_length=EXTERNAL_REFERENCE_MAX)
    contract.enum("contractStatus", CONTRACT_STATUSES)
    start = contract.moment("startDate")
    end = contract.moment("endDate")
    if start and end and end < start:
        contract.fail("endDate", "must not be before startDate")
    _depot(contract.nested("hiringDepot"))
    customer = contract.nested("customer", required=True)
    if customer is not None:
        customer.only(("externalReference", "name", "type"))
        customer.text("externalReference", required=True, max_length=EXTERNAL_REFERENCE_MAX)
        customer.text("name")
        customer.enum("type", CUSTOMER_TYPES)


_DEFINITION_RULE_FIELDS = (
    "options",
    "multiSelect",
    "minimum",
    "maximum",
    "maxLength",
    "pattern",
    "currency",
    "unit",
)


def validate_definition(body: Any, *, partial: bool = False) -> list[Violation]:
    """Shape only; whether the rules agree with each other is rules.check_definition's job."""
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    immutable = ("key", "type", "entityType", "currency")
    common = ("title", "description", "uiVisible", "uiEditable", "scope", *_DEFINITION_RULE_FIELDS)
    check.only((*common, "optionReplacements", *immutable) if partial else (*common, *immutable))
    if not partial:
        check.present("key", True)
        check.pattern("key", _KEY, "a letter followed by up to 63 letters, digits or underscores")
        check.enum("type", CUSTOM_FIELD_TYPES, required=True)
        check.enum("entityType", CUSTOM_FIELD_ENTITY_TYPES, required=True)
    check.text("title", required=not partial)
    check.text("description", max_length=1000)
    check.boolean("uiVisible")
    check.boolean("uiEditable")
    check.boolean("multiSelect")
    check.enum("scope", CUSTOM_FIELD_SCOPES)
    options = body.get("options")
    if options is not None and not (
        isinstance(options, list) and all(isinstance(o, str) and o for o in options)
    ):
        check.fail("options", "must be a list of non-empty strings")
    replacements = body.get("optionReplacements")
    if replacements is not None and not (
        isinstance(replacements, Mapping) and all(isinstance(v, str) for v in replacements.values())
    ):
        check.fail("optionReplacements", "must map each removed option to a remaining option")
    check.number("minimum")
    check.number("maximum")
    check.integer("maxLength", low=1, high=10000)
    check.text("pattern", max_length=1000)
    check.text("unit", max_length=40)
    return check.violations


def validate_value(body: Any, *, partial: bool = False) -> list[Violation]:
    """The envelope of a value; the value itself is checked against its definition with check_value."""
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    if partial:
        check.only(("value",))
        if "value" not in body:
            check.fail("value", "is required (null clears the value)")
        return check.violations
    check.only(("definitionId", "entityId", "value"))
    check.text("definitionId", required=True)
    check.text("entityId", required=True)
    if "value" not in body:
        check.fail("value", "is required (null clears the value)")
    return check.violations


def validate_set_values(body: Any) -> list[Violation]:
    if not isinstance(body, Mapping):
        return _object_or_violation(body)
    check = _Checker(body)
    check.only(("entityId", "values"))
    check.text("entityId", required=True)
    values = body.get("values")
    if not isinstance(values, list) or not values:
        check.fail("values", "must be a non-empty list of {key, value}")
        return check.violations
    keys = [v.get("key") if isinstance(v, Mapping) else None for v in values]
    for index, (item, key) in enumerate(zip(values, keys, strict=True)):
        if not isinstance(item, Mapping) or set(item) != {"key", "value"} or not isinstance(key, str):
            check.fail(f"values[{index}]", "must be exactly {key, value} with a string key")
        elif keys.count(key) > 1:
            check.fail(f"values[{index}].key", f"{key!r} is given more than once")
    return check.violations


# =========================================================================================================
# Small helpers
# =========================================================================================================
def _iso(value: date | datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("date-times sent to Trackunit must carry a time zone")
    return value.isoformat()


def _number(value: Decimal | float | None) -> float | int | None:
    if value is None:
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _decimal_or_none(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
