import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rentalbridge.customfields.models import CustomFieldDefinition, CustomFieldValue
from tests import factories

pytestmark = pytest.mark.django_db


def definition(**fields) -> CustomFieldDefinition:
    defaults = {"entity_type": "ASSET", "key": "fuelTankCapacity", "title": "Fuel tank", "type": "NUMBER"}
    return CustomFieldDefinition.objects.create(**{**defaults, **fields})


def value_for(record, definition_, value) -> CustomFieldValue:
    return CustomFieldValue(
        definition=definition_,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        value=value,
    )


def test_type_cannot_change_after_creation_on_any_write_path():
    field = definition()
    field.type = "STRING"
    with pytest.raises(ValidationError, match="cannot change"):
        field.full_clean()
    with pytest.raises(ValidationError, match="cannot change"):
        field.save()
    field.refresh_from_db()
    assert field.type == "NUMBER"


def test_key_is_unique():
    definition(key="licensePlate", type="STRING")
    with pytest.raises(IntegrityError):
        definition(key="licensePlate", type="STRING")


def test_database_refuses_minimum_above_maximum():
    with pytest.raises(IntegrityError, match="cfdef_minimum_not_above_maximum"), transaction.atomic():
        definition(minimum=10, maximum=1)


def test_dropdown_without_options_is_refused_by_validation():
    field = CustomFieldDefinition(entity_type="CUSTOMER", key="segment", title="Segment", type="DROPDOWN")
    with pytest.raises(ValidationError, match="at least one option"):
        field.full_clean()


def test_value_is_checked_against_its_definition_naming_field_and_rule():
    field = definition(title="Fuel tank capacity", minimum=0, maximum=500)
    value = value_for(factories.asset(), field, 900)
    with pytest.raises(ValidationError) as caught:
        value.full_clean()
    assert caught.value.message_dict["value"] == ["Fuel tank capacity: 900 is above the maximum 500"]


def test_value_is_stored_in_canonical_form():
    field = definition(key="price", type="MONETARY", currency="EUR")
    value = value_for(factories.asset(), field, "1250.5")
    value.full_clean()
    value.save()
    value.refresh_from_db()
    assert value.value == "1250.50"


def test_value_must_belong_to_a_record_of_the_definitions_entity_type():
    field = definition()
    with pytest.raises(ValidationError, match="fuelTankCapacity holds values of Asset records only"):
        value_for(factories.customer(), field, 10).full_clean()


def test_one_value_per_record_and_field():
    field, asset = definition(), factories.asset()
    value_for(asset, field, 1).save()
    with pytest.raises(IntegrityError, match="cfvalue_one_per_record_and_field"):
        value_for(asset, field, 2).save()
