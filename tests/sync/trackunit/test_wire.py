"""wire.py: builders produce what the validators accept; envelopes and error parsing."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sync.trackunit import wire


def test_error_and_page_envelopes():
    assert wire.error_body(404, "asset_not_found", "no") == {
        "status": 404,
        "code": "asset_not_found",
        "message": "no",
    }
    body = wire.error_body(400, wire.CONSTRAINT_VIOLATION, "bad", [wire.violation("name", "blank")])
    assert body["violations"] == [{"field": "name", "message": "blank"}]
    page = wire.page_body([1, 2], page=3, size=2, total=7)
    assert page == {
        "content": [1, 2],
        "number": 3,
        "size": 2,
        "numberOfElements": 2,
        "totalElements": 7,
        "totalPages": 4,
    }


@pytest.mark.parametrize(
    ("page", "size", "expected"),
    [(None, None, (0, 20, [])), ("2", "1000", (2, 1000, [])), ("x", None, None), (None, "1001", None)],
)
def test_page_params(page, size, expected):
    number, page_size, violations = wire.validate_page_params(page, size)
    if expected is None:
        assert violations
    else:
        assert (number, page_size, violations) == expected


def test_trackunit_error_from_any_body():
    error = wire.TrackunitError.from_response(
        400,
        b'{"status":400,"code":"constraint_violation","message":"m","violations":[{"field":"f","message":"x"}]}',
    )
    assert error.code == wire.CONSTRAINT_VIOLATION
    assert error.violations == ({"field": "f", "message": "x"},)
    assert not error.retryable
    html = wire.TrackunitError.from_response(503, b"<html>bad gateway</html>", retry_after="7")
    assert (html.code, html.retry_after, html.retryable) == ("http_503", 7, True)
    oauth = wire.TrackunitError.from_response(400, {"error": "invalid_grant", "error_description": "no"})
    assert (oauth.code, oauth.message) == ("invalid_grant", "no")


def test_builders_leave_out_none_and_clear_on_request():
    assert wire.asset_patch_body(name="A") == {"name": "A"}
    assert wire.asset_patch_body(clear=["externalReference"]) == {"externalReference": None}
    with pytest.raises(ValueError, match="unknown field"):
        wire.asset_patch_body(clear=["nope"])
    with pytest.raises(ValueError, match="time zone"):
        wire.contract_body(external_reference="K", customer={}, start_date=datetime(2025, 1, 1))


def test_built_bodies_pass_validation():
    address = wire.address_body(street="Vej 1", postal_code="8000", city="Aarhus", country="DK")
    assert wire.validate_customer(wire.customer_body(name="A", type="RENTAL", address=address)) == []
    assert wire.validate_contact(wire.contact_body(name="Desk", type="DEPARTMENT")) == []
    site = wire.site_body(name="D", type="DEPOT", polygon=[(10, 56), (10.1, 56), (10.1, 56.1)])
    assert wire.validate_site(site) == []
    assert wire.validate_asset_patch(wire.asset_patch_body(production_year=2020), this_year=2025) == []
    sync = wire.synchronization_body(
        identifier_type="SERIAL_NUMBER",
        identifier="PIN1",
        rental_status="ON_RENT",
        owning_depot=wire.depot_ref(external_reference="D1"),
        contract_items=[
            wire.contract_item_body(
                external_reference="CI",
                on_rent_date=datetime(2025, 1, 1, tzinfo=UTC),
                rental_rate=wire.rental_rate_body(
                    unit_price=Decimal("99.95"), currency="DKK", period="WEEKLY"
                ),
                contract=wire.contract_body(
                    external_reference="K", customer=wire.rental_customer_body(external_reference="C")
                ),
            )
        ],
    )
    assert wire.validate_synchronization(sync) == []
    assert sync["contractItems"][0]["rentalRate"]["unitPrice"] == 99.95
    definition = wire.definition_body(key="rate", title="Rate", type="NUMBER", entity_type="ASSET", minimum=0)
    assert wire.validate_definition(definition) == []
    assert wire.definition_rules(definition).minimum == Decimal("0")
    assert (
        wire.validate_value(wire.custom_field_value_body(definition_id="d", entity_id="e", value=None)) == []
    )
    assert wire.validate_set_values(wire.set_values_body(entity_id="e", values={"a": 1, "b": None})) == []


def test_depot_ref_needs_exactly_one_identifier():
    with pytest.raises(ValueError, match="exactly one"):
        wire.depot_ref()
    with pytest.raises(ValueError, match="exactly one"):
        wire.depot_ref(site_id="s", external_reference="e")


def test_validators_name_nested_fields_and_allowed_values():
    body = wire.synchronization_body(
        identifier_type="ASSET_ID",
        identifier="a",
        contract_items=[
            {"externalReference": "CI", "contract": {"externalReference": "K", "customer": {"type": "X"}}}
        ],
    )
    fields = {v["field"]: v["message"] for v in wire.validate_synchronization(body)}
    assert "contractItems[0].contract.customer.externalReference" in fields
    assert "CONTRACTOR" in fields["contractItems[0].contract.customer.type"]
    assert wire.validate_customer([]) == [{"field": "body", "message": "must be a JSON object"}]
