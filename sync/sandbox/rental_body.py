"""The body of POST /rental/v1/synchronization: one asset's rental data, checked before anything is stored.

Field names come from guides/integrations-connectors/erp-rental-data-model.drawio (identifier,
identifierType, externalReference, rentalStatus, owningDepot, contractItems, contract, onRentDate,
offRentDate, rentalRate{currency, unitPrice}, customer, hiringDepot, contractStatus) and the delivery and
pickup data of custom-erp-integration-guide.md; the nesting and the spellings of the enums are [A].
orderNumber and contractedHours appear in no Trackunit source, so they are unknown fields here.
"""

from collections.abc import Mapping
from typing import Any

from sync.sandbox import spec

BODY_FIELDS = (
    "identifierType",
    "identifier",
    "externalReference",
    "rentalStatus",
    "owningDepot",
    "contractItems",
)
ITEM_FIELDS = (
    "externalReference",
    "onRentDate",
    "offRentDate",
    "rentalRate",
    "hiringDepot",
    "deliveryAddress",
    "deliveryDate",
    "pickupAddress",
    "pickupDate",
    "contract",
)
CONTRACT_FIELDS = ("externalReference", "contractStatus", "startDate", "endDate", "hiringDepot", "customer")


def check_synchronization(body: Any) -> list[spec.Violation]:
    """Writing is strict about enums, although Trackunit says new values "may be added" for reading."""
    if not isinstance(body, Mapping):
        return spec.object_body(body)
    checker = spec.Checker(body)
    checker.only(BODY_FIELDS)
    checker.enum("identifierType", spec.IDENTIFIER_TYPES, required=True)
    checker.text("identifier", required=True, max_length=spec.EXTERNAL_REFERENCE_MAX)
    checker.text("externalReference", max_length=spec.EXTERNAL_REFERENCE_MAX)
    checker.enum("rentalStatus", spec.RENTAL_STATUSES)
    _depot(checker.nested("owningDepot"))
    items = body.get("contractItems", [])
    if not isinstance(items, list):
        checker.fail("contractItems", "must be a list")
        return checker.violations
    seen: set[tuple[Any, Any]] = set()
    for index, item in enumerate(items):
        where = f"contractItems[{index}]"
        if not isinstance(item, Mapping):
            checker.fail(where, "must be an object")
            continue
        item_checker = spec.Checker(item, f"{where}.", checker.violations)
        _contract_item(item_checker)
        contract = item.get("contract")
        if isinstance(contract, Mapping) and isinstance(item.get("externalReference"), str):
            key = (contract.get("externalReference"), item["externalReference"])
            if key in seen:
                item_checker.fail("externalReference", "must be unique within its contract")
            seen.add(key)
    return checker.violations


def _depot(checker: spec.Checker | None) -> None:
    """[A] A DEPOT site by Trackunit id or by its external reference (exactly one)."""
    if checker is None:
        return
    checker.only(("siteId", "externalReference"))
    checker.text("siteId")
    checker.text("externalReference", max_length=spec.EXTERNAL_REFERENCE_MAX)
    if (checker.body.get("siteId") is None) == (checker.body.get("externalReference") is None):
        checker.fail("siteId", "give exactly one of siteId and externalReference")


def _contract_item(checker: spec.Checker) -> None:
    checker.only(ITEM_FIELDS)
    checker.text("externalReference", required=True, max_length=spec.EXTERNAL_REFERENCE_MAX)
    on_rent, off_rent = checker.moment("onRentDate"), checker.moment("offRentDate")
    if on_rent and off_rent and off_rent < on_rent:
        checker.fail("offRentDate", "must not be before onRentDate")
    rate = checker.nested("rentalRate")
    if rate is not None:
        rate.only(("unitPrice", "currency", "period"))
        rate.number("unitPrice", low=0, required=True)
        rate.matches("currency", spec.CURRENCY, "an ISO 4217 code such as EUR", required=True)
        rate.enum("period", spec.RATE_PERIODS, required=True)
    _depot(checker.nested("hiringDepot"))
    spec.check_address(checker.nested("deliveryAddress"))
    checker.moment("deliveryDate")
    spec.check_address(checker.nested("pickupAddress"))
    checker.moment("pickupDate")
    contract = checker.nested("contract", required=True)
    if contract is None:
        return
    contract.only(CONTRACT_FIELDS)
    contract.text("externalReference", required=True, max_length=spec.EXTERNAL_REFERENCE_MAX)
    contract.enum("contractStatus", spec.CONTRACT_STATUSES)
    start, end = contract.moment("startDate"), contract.moment("endDate")
    if start and end and end < start:
        contract.fail("endDate", "must not be before startDate")
    _depot(contract.nested("hiringDepot"))
    customer = contract.nested("customer", required=True)
    if customer is not None:
        customer.only(("externalReference", "name", "type"))
        customer.text("externalReference", required=True, max_length=spec.EXTERNAL_REFERENCE_MAX)
        customer.text("name")
        customer.enum("type", spec.CUSTOMER_TYPES)
