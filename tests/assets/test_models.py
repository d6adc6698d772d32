from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assets.models import Asset, Depot, IdentifierType, RentalStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_rental_status_added_by_trackunit_later_reads_back_without_error():
    asset = factories.asset()
    Asset.objects.filter(pk=asset.pk).update(rental_status="AWAITING_INSPECTION")
    asset.refresh_from_db()
    assert asset.rental_status == "AWAITING_INSPECTION"
    assert asset.get_rental_status_display() == "AWAITING_INSPECTION"


@pytest.mark.parametrize(
    "pin", ["WAC0ET90L00012345", "12-34 ab/c", "X", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"]
)
def test_pin_and_serial_are_kept_exactly_as_typed(pin):
    asset = factories.asset(pin=pin, serial_number=f" {pin} ")
    asset.full_clean()
    asset.refresh_from_db()
    assert (asset.pin, asset.serial_number) == (pin, f" {pin} ")


def test_external_reference_is_unique():
    factories.asset(external_reference="FLT-1")
    with pytest.raises(IntegrityError):
        factories.asset(external_reference="FLT-1")


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"identifier_type": "VIN"}, "asset_identifier_type_valid"),
        ({"asset_type": "SPACESHIP"}, "asset_type_valid"),
        ({"operating_hours": Decimal("-1")}, "asset_operating_hours_not_negative"),
        ({"external_reference": ""}, "asset_external_reference_not_blank"),
    ],
)
def test_database_refuses_invalid_assets(fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Asset.objects.create(**{"name": "Digger", "external_reference": "FLT-X", **fields})


def test_match_identifier_follows_the_identifier_type():
    by_serial = factories.asset(identifier_type=IdentifierType.SERIAL_NUMBER, serial_number="SN-1")
    by_reference = factories.asset(external_reference="REF-77")
    explicit = factories.asset(identifier_type=IdentifierType.ASSET_ID, identifier="0f9d")
    assert (by_serial.match_identifier, by_reference.match_identifier, explicit.match_identifier) == (
        "SN-1",
        "REF-77",
        "0f9d",
    )


def test_unknown_status_is_still_refused_in_forms():
    asset = factories.asset()
    asset.rental_status = "LOST"
    with pytest.raises(ValidationError, match="rental_status"):
        asset.full_clean()
    asset.rental_status = RentalStatus.ON_RENT
    asset.full_clean()


def test_depot_point_needs_both_coordinates_in_the_database():
    with pytest.raises(IntegrityError, match="depot_point_complete_and_in_range"), transaction.atomic():
        Depot.objects.create(name="Half", external_reference="D1", latitude=Decimal("56.1"))
    with pytest.raises(IntegrityError, match="depot_point_complete_and_in_range"), transaction.atomic():
        Depot.objects.create(
            name="Off", external_reference="D2", latitude=Decimal("91"), longitude=Decimal("1")
        )


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        ([], "non-empty list of rings"),
        ([[[10, 56], [11, 56], [10, 56]]], "at least 4 points"),
        ([[[10, 56], [11, 56], [11, 57], [10, 57]]], "not closed"),
        ([[[10, 56], [200, 56], [11, 57], [10, 56]]], "out of range"),
        ([[[10, 56], ["a", 56], [11, 57], [10, 56]]], "not [lon, lat]"),
    ],
)
def test_depot_polygon_errors_say_what_is_wrong(polygon, message):
    depot = Depot(name="Yard", external_reference="D3", polygon=polygon)
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        depot.full_clean()


def test_valid_depot_polygon_passes():
    Depot(
        name="Yard", external_reference="D4", polygon=[[[10, 56], [11, 56], [11, 57, 12.5], [10, 56]]]
    ).full_clean()
