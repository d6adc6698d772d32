"""The sandbox's own description of Trackunit: paths, enums, limits, error codes and envelopes.

Written from Trackunit's published docs (Trackunit/developer-hub), never from RentalBridge's client, so a
wrong field name in the client fails against the sandbox as it would against Trackunit. Entries marked
[A] are assumptions where the docs are silent, each with its reason. The per-API rules live beside their
handlers (assets.py, sites.py, customers.py, rental_body.py, customfield_*.py); this module holds what
they share, including `Checker`, the violation collector every request body goes through.
"""

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeGuard

# --- Paths -----------------------------------------------------------------------------------------------
# Auth host (api-docs/access-token.md, api-docs/access-token-v2.md).
TOKEN_V1 = "/token"
TOKEN_V2 = "/token/v2"
# REST paths below the /api base (api-docs/versioning.md).
# changelogs/assets-api-stable-version-v1.md; GET of one asset is listed there with a misprinted path [A].
ASSETS = "/asset/v1/assets"
ASSET = "/asset/v1/assets/{asset_id}"
# [A] api-docs/sites-api-intro.md links getsites/createsite but prints no path: spelled like the others.
SITES = "/site/v1/sites"
SITE = "/site/v1/sites/{site_id}"
# changelogs/customer-api-v1.md; no DELETE of an asset assignment is documented.
CUSTOMERS = "/customer/v1/customers"
CUSTOMER = "/customer/v1/customers/{customer_id}"
CUSTOMER_CONTACTS = "/customer/v1/customers/{customer_id}/contacts"
CUSTOMER_CONTACT = "/customer/v1/customers/{customer_id}/contacts/{contact_id}"
CUSTOMER_ASSETS = "/customer/v1/customers/{customer_id}/assets"
# developers.trackunit.com/reference/synchronize and the rental-api.json servers entry.
RENTAL_SYNCHRONIZATION = "/rental/v1/synchronization"
RENTAL_CONTRACT_ITEMS = "/rental/v1/contract-items"
# changelogs/custom-fields-api-v1.md; set-values from changelogs/custom-fields-def-key.md, trailing slash.
CUSTOM_FIELD_DEFINITIONS = "/custom-fields/v1/definitions"
CUSTOM_FIELD_DEFINITION = "/custom-fields/v1/definitions/{definition_id}"
CUSTOM_FIELD_VALUES = "/custom-fields/v1/values"
CUSTOM_FIELD_VALUE = "/custom-fields/v1/values/{value_id}"
CUSTOM_FIELD_SET_VALUES = "/custom-fields/v1/set-values/"
# ISO 15143-3 below /public/api/aemp/v2/15143/-3 (api-docs/export-iso-15143-3-aemp-20-api-intro.md);
# [A] the single-element path is the one third-party clients use: the page names only the endpoint.
AEMP_FLEET_PAGE = "/Fleet/{page}"
AEMP_EQUIPMENT = "/Fleet/Equipment/ID/{pin}"
AEMP_PAGE_SIZE = 100

# Header of the synchronize reference page: "set to 'true'" makes an unknown asset a 404.
VALIDATE_ASSET_EXISTS_HEADER = "X-Validate-Asset-Exists"

# --- Enums -----------------------------------------------------------------------------------------------
# api-docs/assets-api-introduction.md and the patchasset_v1 error texts.
ASSET_TYPES = ("MACHINE", "VEHICLE", "GATEWAY", "EQUIPMENT", "TOOL", "ATTACHMENT", "OTHER")
# asset_type_cannot_be_changed: these never change; the others only among ASSET_TYPES_CHANGEABLE_TO.
ASSET_TYPES_FIXED = ("MACHINE", "GATEWAY", "VEHICLE")
ASSET_TYPES_CHANGEABLE_TO = ("OTHER", "ATTACHMENT", "EQUIPMENT", "TOOL")
# [A] upper-case spellings of the prose in api-docs/sites-api-intro.md.
SITE_TYPES = ("CONSTRUCTION_SITE", "DEPOT", "WORKPLACE", "AREA")
# Exist for sites migrated from Manager Classic and "cannot be provided when creating new sites".
SITE_TYPES_CLASSIC = ("CLASSIC_POINT", "CLASSIC_ZONE")
SITE_ARCHIVED = "ARCHIVED"
# [A] upper-case spellings of guides/integrations-connectors/custom-erp-integration-guide.md's list.
CUSTOMER_TYPES = ("CONTRACTOR", "DEALER", "DISTRIBUTOR", "OEM", "RENTAL", "SERVICE", "OTHER")
# [A] api-docs/customers-api-intro.md: a contact "can also be a call center or a department".
CONTACT_TYPES = ("PERSON", "DEPARTMENT", "CALL_CENTRE")
# custom-erp-integration-guide.md, verbatim.
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
# [A] spellings of the guide's "asset id, serial number or external reference".
IDENTIFIER_TYPES = ("ASSET_ID", "SERIAL_NUMBER", "EXTERNAL_REFERENCE")
# [A] spellings of erp-rental-data-model.drawio's Hourly | Daily | Weekly | Monthly | Fixed.
RATE_PERIODS = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "FIXED")
# guides/sdk-docs/save-data-from-your-app/defining-a-custom-field.md.
FIELD_TYPES = (
    "BOOLEAN",
    "DATE",
    "DROPDOWN",
    "EMAIL",
    "MONETARY",
    "NUMBER",
    "PHONE_NUMBER",
    "STRING",
    "WEB_ADDRESS",
    "JSON",
)
# ACCOUNT, ASSET, GROUP, SITE from the SDK page; [A] CUSTOMER and RENTAL_CONTRACT (the REST intro names
# customers and rental contracts but no spelling).
ENTITY_TYPES = ("ASSET", "ACCOUNT", "GROUP", "SITE", "CUSTOMER", "RENTAL_CONTRACT")
# api-docs/custom-field-definitions.md, "Data sharing".
SCOPE_TYPES = ("ACCOUNT", "ACCOUNT_WRITE_GLOBAL_READ", "GLOBAL")

# --- Limits ----------------------------------------------------------------------------------------------
# api-docs/pagination.md (page 0-based, size 20) and api-docs/rate-limit.md (size at most 1000).
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 1000
# patchasset_v1: "length between 0 and ...".
ASSET_NAME_MAX = 127
EXTERNAL_REFERENCE_MAX = 100
SERIAL_NUMBER_MAX = 100
BRAND_MAX = 256
MODEL_MAX = 256
ASSET_KIND_MAX = 50
PRODUCTION_YEAR_MIN = 1900
# [A] names, titles, addresses and the like where Trackunit publishes no limit.
TEXT_MAX = 255

# --- Error codes (api-docs/errors.md: "Error code (snake case)") -----------------------------------------
CONSTRAINT_VIOLATION = "constraint_violation"
ASSET_NOT_FOUND = "asset_not_found"
ONLY_OWNER_CAN_EDIT = "only_owner_of_the_asset_can_edit_given_fields"
ASSET_TYPE_CANNOT_BE_CHANGED = "asset_type_cannot_be_changed"
GATEWAY_CANNOT_BE_MODIFIED = "gateway_asset_cannot_be_modified"
# [A] below: the docs give the status codes but no code for these answers.
BAD_REQUEST = "bad_request"
UNAUTHORIZED = "unauthorized"
INSUFFICIENT_SCOPE = "insufficient_scope"
NOT_FOUND = "not_found"
METHOD_NOT_ALLOWED = "method_not_allowed"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
TOO_MANY_REQUESTS = "too_many_requests"
INTERNAL_ERROR = "internal_server_error"
SERVICE_UNAVAILABLE = "service_unavailable"
SITE_NOT_FOUND = "site_not_found"
CUSTOMER_NOT_FOUND = "customer_not_found"
CONTACT_NOT_FOUND = "contact_not_found"
CONTRACT_NOT_FOUND = "contract_not_found"
DEFINITION_NOT_FOUND = "custom_field_definition_not_found"
DEFINITION_NOT_OWNED = "custom_field_definition_not_owned_by_account"
VALUE_NOT_FOUND = "custom_field_value_not_found"
EQUIPMENT_NOT_FOUND = "equipment_not_found"
# The auth host speaks RFC 6749 (access-token-v2.md shows {"error": "invalid_scope", ...}).
INVALID_REQUEST = "invalid_request"
INVALID_CLIENT = "invalid_client"
INVALID_GRANT = "invalid_grant"
INVALID_SCOPE = "invalid_scope"
UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"

Violation = dict[str, str]


# --- Envelopes -------------------------------------------------------------------------------------------
def error_body(status: int, code: str, message: str, violations: Sequence[Violation] = ()) -> dict:
    """api-docs/errors.md: `violations` appears only on constraint errors."""
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if violations:
        body["violations"] = [dict(v) for v in violations]
    return body


def oauth_error_body(error: str, description: str) -> dict:
    return {"error": error, "error_description": description}


def page_body(content: Sequence[Any], page: int, size: int, total: int) -> dict:
    """api-docs/pagination.md's page object; `number` is the 0-based page asked for."""
    return {
        "totalPages": math.ceil(total / size),
        "totalElements": total,
        "number": page,
        "size": size,
        "numberOfElements": len(content),
        "content": list(content),
    }


def page_params(page: str | None, size: str | None) -> tuple[int, int, list[Violation]]:
    """`page` (0-based, default 0) and `size` (default 20, 1..1000) from the query string."""
    checker = Checker({"page": page or None, "size": size or None})
    number = checker.whole_text("page", 0, None)
    per_page = checker.whole_text("size", 1, PAGE_SIZE_MAX)
    number = 0 if number is None else number
    return number, PAGE_SIZE_DEFAULT if per_page is None else per_page, checker.violations


def owned_by_account(asset: Mapping[str, Any]) -> bool:
    """api-docs/intro-ownership-and-visibility.md: a shared asset answers `permissions.edit: false`."""
    return bool(asset["permissions"]["edit"])


def violation(name: str, message: str) -> Violation:
    return {"field": name, "message": message}


# --- Checking request bodies -----------------------------------------------------------------------------
COUNTRY = re.compile(r"[A-Z]{2}")
CURRENCY = re.compile(r"[A-Z]{3}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def is_number(value: Any) -> TypeGuard[int | float]:
    """A JSON number: Python's bool is an int, but `true` is not a number."""
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class Checker:
    """Collects every violation of one JSON object, so a 400 names all of them as Trackunit's does.

    Each check reads one member; an absent or null member passes unless `required`. `prefix` makes nested
    members read like `contractItems[0].contract.customer`.
    """

    body: Mapping[str, Any]
    prefix: str = ""
    violations: list[Violation] = field(default_factory=list)

    def fail(self, key: str, message: str) -> None:
        self.violations.append(violation(f"{self.prefix}{key}", message))

    def only(self, allowed: Iterable[str]) -> None:
        """Writing is exact: a member Trackunit does not document is refused, not ignored."""
        known = set(allowed)
        for key in self.body:
            if key not in known:
                self.fail(key, "unknown field")

    def given(self, key: str, required: bool = False) -> bool:
        if self.body.get(key) is not None:
            return True
        if required:
            self.fail(key, "must not be null")
        return False

    def text(
        self, key: str, *, required: bool = False, max_length: int = TEXT_MAX, blank: bool = False
    ) -> None:
        if not self.given(key, required):
            return
        value = self.body[key]
        if not isinstance(value, str):
            self.fail(key, "must be a string")
        elif not blank and not value.strip():
            self.fail(key, f"value {value!r} was rejected: must not be blank")
        elif len(value) > max_length:
            self.fail(key, f"size must be between 0 and {max_length}")

    def matches(self, key: str, regex: re.Pattern[str], what: str, *, required: bool = False) -> None:
        if self.given(key, required) and not (
            isinstance(self.body[key], str) and regex.fullmatch(self.body[key])
        ):
            self.fail(key, f"must be {what}")

    def enum(self, key: str, allowed: Sequence[str], *, required: bool = False) -> None:
        if self.given(key, required) and self.body[key] not in allowed:
            self.fail(key, f"{self.body[key]!r} is not one of: {', '.join(allowed)}")

    def boolean(self, key: str) -> None:
        if self.given(key) and not isinstance(self.body[key], bool):
            self.fail(key, "must be true or false")

    def number(self, key: str, *, low: float | None = None, required: bool = False) -> None:
        if not self.given(key, required):
            return
        value = self.body[key]
        if not is_number(value):
            self.fail(key, "must be a number")
        elif low is not None and value < low:
            self.fail(key, f"must be {low} or more")

    def whole(self, key: str, low: int | None, high: int | None) -> None:
        if not self.given(key):
            return
        value = self.body[key]
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, "must be a whole number")
        elif (low is not None and value < low) or (high is not None and value > high):
            self.fail(key, _range_message(low, high))

    def whole_text(self, key: str, low: int | None, high: int | None) -> int | None:
        """A whole number written as text, as query parameters are."""
        if not self.given(key):
            return None
        try:
            value = int(self.body[key])
        except ValueError:
            self.fail(key, f"{self.body[key]!r} is not a whole number")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(key, _range_message(low, high))
        return value

    def day(self, key: str) -> date | None:
        """A calendar date, YYYY-MM-DD exactly."""
        if not self.given(key):
            return None
        value = self.body[key]
        parsed = parse_day(value) if isinstance(value, str) else None
        if parsed is None:
            self.fail(key, "must be a date (YYYY-MM-DD)")
        return parsed

    def moment(self, key: str) -> datetime | None:
        """An ISO 8601 date-time with an offset, as rental-api.json's 2018-02-17T11:46:00.000Z."""
        if not self.given(key):
            return None
        parsed = parse_moment(self.body[key])
        if parsed is None:
            self.fail(key, "must be an ISO 8601 date-time with a time zone (e.g. 2025-01-31T08:00:00Z)")
        return parsed

    def nested(self, key: str, *, required: bool = False) -> "Checker | None":
        if not self.given(key, required):
            return None
        value = self.body[key]
        if not isinstance(value, Mapping):
            self.fail(key, "must be an object")
            return None
        return Checker(value, f"{self.prefix}{key}.", self.violations)


def check_address(checker: Checker | None) -> None:
    """[A] A postal address of a site, customer or delivery; the sites page says "street, ZIP code, city
    and country" without field names."""
    if checker is None:
        return
    checker.only(("streetAddress", "postalCode", "city", "country"))
    checker.text("streetAddress")
    checker.text("postalCode", max_length=20)
    checker.text("city")
    checker.matches("country", COUNTRY, "an ISO 3166-1 alpha-2 code such as DK")


def parse_day(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def object_body(body: Any) -> list[Violation]:
    """Every body here is a JSON object ("A response body will always return a JSON object")."""
    return [] if isinstance(body, Mapping) else [violation("body", "must be a JSON object")]


def _range_message(low: int | None, high: int | None) -> str:
    if high is None:
        return f"must be {low} or more"
    return f"must be between {low} and {high}"
