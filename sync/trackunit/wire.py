"""Trackunit's wire format as RentalBridge speaks it: paths, request builders and answer readers.

This is the one module of the client that knows Trackunit's JSON. Every path, field and enum carries its
source: [V] documented by Trackunit (the page is named; see docs/trackunit-wire.md for the whole table),
or [A] assumed where the published docs stop, with the reason. Writing is exact: builders produce only
documented (or marked) fields and leave out what is None, because Trackunit treats a missing field as
"unchanged". Reading is tolerant: readers ignore unknown fields and keep enum values they do not know.

Validating what Trackunit accepts is not this module's job: the sandbox (sync/sandbox/) keeps its own
description of Trackunit, written separately from the docs, so the two can disagree and tests can see it.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# --- Paths, relative to TRACKUNIT_API_URL (https://iris.trackunit.com/api) -------------------------------
# [V] changelogs/assets-api-stable-version-v1.md. A GET of one asset is listed without its path: not used.
ASSETS = "/asset/v1/assets"
ASSET = "/asset/v1/assets/{asset_id}"
# [A] api-docs/sites-api-intro.md links the get/create/update reference pages but prints no path;
# spelled like the other v1 APIs (/asset/v1/assets, /customer/v1/customers).
SITES = "/site/v1/sites"
SITE = "/site/v1/sites/{site_id}"
# [V] changelogs/customer-api-v1.md. No DELETE of an asset assignment is published: un-assigning happens
# through rental contracts (custom-erp-integration-guide.md), so RentalBridge never calls one.
CUSTOMERS = "/customer/v1/customers"
CUSTOMER = "/customer/v1/customers/{customer_id}"
CUSTOMER_CONTACTS = "/customer/v1/customers/{customer_id}/contacts"
CUSTOMER_CONTACT = "/customer/v1/customers/{customer_id}/contacts/{contact_id}"
CUSTOMER_ASSETS = "/customer/v1/customers/{customer_id}/assets"
# [V] the Rental API reference (POST /v1/synchronization, GET /v1/contract-items on .../api/rental).
RENTAL_SYNCHRONIZATION = "/rental/v1/synchronization"
RENTAL_CONTRACT_ITEMS = "/rental/v1/contract-items"
# [V] changelogs/custom-fields-api-v1.md; set-values, trailing slash included: custom-fields-def-key.md.
CUSTOM_FIELD_DEFINITIONS = "/custom-fields/v1/definitions"
CUSTOM_FIELD_DEFINITION = "/custom-fields/v1/definitions/{definition_id}"
CUSTOM_FIELD_VALUES = "/custom-fields/v1/values"
CUSTOM_FIELD_VALUE = "/custom-fields/v1/values/{value_id}"
CUSTOM_FIELD_SET_VALUES = "/custom-fields/v1/set-values/"

# --- Paths, relative to TRACKUNIT_AUTH_URL (https://auth.trackunit.com) [V access-token.md, -v2.md] -----
TOKEN_V1 = "/token"
TOKEN_V2 = "/token/v2"

# --- Paths, relative to TRACKUNIT_AEMP_URL [V export-iso-15143-3-aemp-20-api-intro.md] -------------------
AEMP_FLEET_PAGE = "/Fleet/{page}"
# [A] the docs name the single-element endpoint but print no path; this is the one public clients call.
AEMP_EQUIPMENT = "/Fleet/Equipment/ID/{pin}"
# [V] "XML is the default format"; JSON when the Accept header asks for it.
AEMP_XML = "application/xml"
AEMP_JSON = "application/json"

# --- Headers --------------------------------------------------------------------------------------------
VALIDATE_ASSET_EXISTS_HEADER = "X-Validate-Asset-Exists"  # [V] the synchronize reference page
# [A] RFC 6902's media type: the asset PATCH is documented as a JSON Patch but its content type is not.
JSON_PATCH = "application/json-patch+json"

# --- Values RentalBridge writes ---------------------------------------------------------------------------
SITE_TYPE_DEPOT = "DEPOT"  # [A] sites-api-intro.md names "depot" in prose only
SITE_STATUS_ARCHIVED = "ARCHIVED"  # [V] sites-api-intro.md: "Setting the status to ARCHIVED"
DEFINITION_LANGUAGE = "en"  # [V] defining-a-custom-field.md's translations example
# [V] a definition's key, type and entity type never change after creation (custom-field-intro.md).
DEFINITION_IMMUTABLE = ("key", "type", "entityType")

# --- Limits ------------------------------------------------------------------------------------------------
PAGE_SIZE_MAX = 1000  # [V] rate-limit.md: "Max Page Size 1000" unless an API says otherwise
AEMP_PAGE_SIZE = 100  # [V] "Response collections are limited to 100 per page"

# --- Error codes (the `code` of Trackunit's error object) [V errors.md and the asset PATCH reference] -----
CONSTRAINT_VIOLATION = "constraint_violation"
ASSET_NOT_FOUND = "asset_not_found"
ONLY_OWNER_CAN_EDIT = "only_owner_of_the_asset_can_edit_given_fields"

JsonObject = dict[str, Any]


# =========================================================================================================
# Errors [V errors.md]: {"status", "code", "message"}, plus "violations" [{field, message}] for constraints
# =========================================================================================================
@dataclass(frozen=True)
class TrackunitError:
    """An error answer, read tolerantly: a proxy's HTML page or an empty body still gives a usable object."""

    status: int
    code: str
    message: str
    violations: tuple[dict[str, str], ...] = ()
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
    """[A] A postal address. sites-api-intro.md names street, ZIP code, city and country, not their keys."""
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
    """A customer for POST or PATCH /customer/v1/customers.

    [V] `externalReference`, and a type of Contractor, Dealer, Distributor, OEM, Rental, Service or Other
    (custom-erp-integration-guide.md); [A] the upper-case spelling and every other field name.
    """
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
    """[A] A customer contact; customers-api-intro.md says only that it may be a department or call centre."""
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
    """[A] Gives a customer access to one asset (POST .../assets, "Update assets"; body unpublished)."""
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
    clear: Iterable[str] = (),
) -> JsonObject:
    """[A] A site: an address or a polygon of [lon, lat(, alt)] points ([V] order, GeoJSON), closed here.

    The answer adds `id` and the `status` Trackunit computes from the dates.
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
        },
        clear,
    )


def site_archive_body() -> JsonObject:
    """[V] sites-api-intro.md: "Setting the status to ARCHIVED overwrites" the status the dates give."""
    return {"status": SITE_STATUS_ARCHIVED}


def asset_patch_ops(changes: Mapping[str, Any], *, clear: Iterable[str] = ()) -> list[JsonObject]:
    """[V] The asset PATCH is a JSON Patch (RFC 6902): one `replace` per changed field, `remove` to clear.

    `changes` uses the asset's field names (`name`, `externalReference`, ...), as the asset object does.
    """
    ops: list[JsonObject] = [
        {"op": "replace", "path": f"/{name}", "value": _iso(value) if isinstance(value, date) else value}
        for name, value in changes.items()
        if value is not None
    ]
    ops += [{"op": "remove", "path": f"/{name}"} for name in clear]
    return ops


def depot_ref(*, site_id: str | None = None, external_reference: str | None = None) -> JsonObject:
    """[A] Points at a depot site by Trackunit id or by its external reference (exactly one).

    The rental data model names `owningDepot` and `hiringDepot` as Sites but not how one is referenced.
    """
    if (site_id is None) == (external_reference is None):
        raise ValueError("give exactly one of site_id and external_reference")
    return _compact({"siteId": site_id, "externalReference": external_reference})


def rental_rate_body(*, unit_price: Decimal | float | str, currency: str, period: str) -> JsonObject:
    """[V names] `unitPrice`, `currency` of the data model's RentalRate; [A] `period` (its Hourly, Daily,
    Weekly, Monthly and Fixed subtypes, spelled HOURLY...) and the nesting."""
    return {"unitPrice": float(Decimal(str(unit_price))), "currency": currency, "period": period}


def rental_customer_body(
    *, external_reference: str, name: str | None = None, type: str | None = None
) -> JsonObject:
    """The customer inside a contract; Trackunit creates it when its external reference is unknown [V].

    [A] `name` and `type` next to the documented `externalReference`.
    """
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
    """A contract as nested in a contract item: [V names] externalReference, customer, hiringDepot,
    contractStatus; [A] `startDate`/`endDate` (the guide names start and end date, not their keys)."""
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
) -> JsonObject:
    """One rental period of the asset: [V names] externalReference, onRentDate, offRentDate, rentalRate,
    contract; [A] hiringDepot here (the guide lists it per item), delivery and pickup keys, the nesting."""
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
    """One asset's rental data for POST /rental/v1/synchronization ("one asset per request" [V]).

    [V names] identifierType, identifier, externalReference, rentalStatus, owningDepot, contractItems
    (the rental data model); [A] the nesting and the identifierType spellings (ASSET_ID, SERIAL_NUMBER,
    EXTERNAL_REFERENCE for the documented "asset id, serial number or external reference").
    `contractItems` is the asset's whole current list: items left out are no longer on it.
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
    all_values: Sequence[str] | None = None,
    multi_select: bool | None = None,
    minimum: Decimal | float | None = None,
    maximum: Decimal | float | None = None,
    unit_si: str | None = None,
    unit_us: str | None = None,
    is_integer: bool | None = None,
    minimum_length: int | None = None,
    maximum_length: int | None = None,
    pattern: str | None = None,
    default_string_value: str | None = None,
    currency: str | None = None,
    ui_visible: bool | None = None,
    ui_editable: bool | None = None,
    scope_type: str | None = None,
) -> JsonObject:
    """A custom-field definition with the documented property names [V defining-a-custom-field.md].

    `key` is optional at Trackunit (custom-field-intro.md: "if specified"); RentalBridge always sends
    one, since it sets values by key. Title and description travel as an English `translations` entry.
    [A] the REST body uses the manifest's names: the REST schema itself is not published.
    """
    translation = _compact({"language": DEFINITION_LANGUAGE, "title": title, "description": description})
    return _compact(
        {
            "key": key,
            "type": type,
            "entityType": entity_type,
            "translations": [translation],
            "uiVisible": ui_visible,
            "uiEditable": ui_editable,
            "scopeType": scope_type,
            "allValues": list(all_values) if all_values is not None else None,
            "multiSelect": multi_select,
            "minimum": _number(minimum),
            "maximum": _number(maximum),
            "unitSi": unit_si,
            "unitUs": unit_us,
            "isInteger": is_integer,
            "minimumLength": minimum_length,
            "maximumLength": maximum_length,
            "pattern": pattern,
            "defaultStringValue": default_string_value,
            "currency": currency,
        }
    )


def definition_patch_body(
    definition: Mapping[str, Any], *, value_replacements: Mapping[str, str] | None = None
) -> JsonObject:
    """PATCH a definition: everything but the fields that never change [V], plus, when dropdown options
    were removed, `dropDownValueReplacements` {removed: kept option} [V; the properties table of the same
    page calls it `valueReplacements`]."""
    body = {k: v for k, v in definition.items() if k not in DEFINITION_IMMUTABLE}
    if value_replacements:
        body["dropDownValueReplacements"] = dict(value_replacements)
    return body


def custom_field_value_body(*, definition_id: str, entity_id: str, value: Any) -> JsonObject:
    """[A] One value of one definition on one entity (POST /values); `value` is already in its JSON form."""
    return {"definitionId": definition_id, "entityId": entity_id, "value": value}


def value_patch_body(*, value: Any) -> JsonObject:
    """[A] Changes a value; null clears it."""
    return {"value": value}


def set_values_body(*, entity_id: str, values: Mapping[str, Any]) -> JsonObject:
    """Several values of one entity by definition key [V changelogs/custom-fields-def-key.md: keys "as an
    alternative to definition UUIDs"]; [A] the shape (`definitionKey` as in the SDK docs), null clears."""
    return {
        "entityId": entity_id,
        "values": [{"definitionKey": key, "value": value} for key, value in values.items()],
    }


# =========================================================================================================
# Readers: answers, read tolerantly
# =========================================================================================================
@dataclass(frozen=True)
class RemoteAsset:
    """An asset as Trackunit lists it [V asset-api-introduction.md's example asset object].

    PIN and VIN live in `serialNumber` (there is no `pin` field); `assetType` is the fixed class
    (MACHINE, EQUIPMENT, ...) and `type` the free text ("AWP/Scissor lift"). An asset another account
    owns and shares with ours carries that account's `ownerAccountId` and `permissions.edit: false`
    (intro-ownership-and-visibility.md): RentalBridge never writes to it.
    """

    id: str
    name: str
    external_reference: str | None
    serial_number: str | None
    asset_type: str | None
    type: str | None
    owner_account_id: str | None
    editable: bool
    created_at: str | None = None

    @property
    def payload(self) -> JsonObject:
        """The fields RentalBridge pushes, in the shape its plans hold them (for drift)."""
        return {"name": self.name, "externalReference": self.external_reference}


def read_asset(record: Mapping[str, Any]) -> RemoteAsset:
    """An asset record; Trackunit returns an unset external reference as "" (its example), read as None."""
    permissions = record.get("permissions")
    if not isinstance(permissions, Mapping):
        permissions = {}
    return RemoteAsset(
        id=str(record.get("id", "")),
        name=str(record.get("name") or ""),
        external_reference=_text_or_none(record.get("externalReference")),
        serial_number=_text_or_none(record.get("serialNumber")),
        asset_type=_text_or_none(record.get("assetType")),
        type=_text_or_none(record.get("type")),
        owner_account_id=_text_or_none(record.get("ownerAccountId")),
        # Without the documented permission RentalBridge cannot know the asset is its own: it stays hands off.
        editable=permissions.get("edit") is True,
        created_at=_text_or_none(record.get("createdAt")),
    )


def read_definition(record: Mapping[str, Any]) -> JsonObject:
    """A definition in the shape definition_body writes, whichever documented spelling arrived.

    The docs show both `allValues` and `options` for dropdown options and both `translations` and a
    flat `title`; a definition created elsewhere may have no key.
    """
    out = {k: v for k, v in record.items() if k not in ("options", "title", "description")}
    if "allValues" not in out and record.get("options") is not None:
        out["allValues"] = list(record["options"])
    if "translations" not in out and record.get("title") is not None:
        out["translations"] = [
            _compact(
                {
                    "language": DEFINITION_LANGUAGE,
                    "title": record["title"],
                    "description": record.get("description"),
                }
            )
        ]
    return out


def definition_title(record: Mapping[str, Any]) -> str:
    """The English title of a definition as read by read_definition (the first one when none is English)."""
    translations = [t for t in record.get("translations") or [] if isinstance(t, Mapping)]
    english = [t for t in translations if t.get("language") == DEFINITION_LANGUAGE]
    chosen = (english or translations or [{}])[0]
    return str(chosen.get("title") or "")


def contract_ids_of(answer: Any) -> list[str | None]:
    """[A] The Trackunit id of each contract item's contract in a synchronization answer, in sent order."""
    items = answer.get("contractItems") if isinstance(answer, Mapping) else None
    return [item.get("contractId") if isinstance(item, Mapping) else None for item in items or []]


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


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None
