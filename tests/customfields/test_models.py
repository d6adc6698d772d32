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
    assert value.value == 1250.5


def test_value_must_belong_to_a_record_of_the_definitions_entity_type():
    field = definition()
    with pytest.raises(ValidationError, match="fuelTankCapacity holds values of Asset records only"):
        value_for(factories.customer(), field, 10).full_clean()


def test_one_value_per_record_and_field():
    field, asset = definition(), factories.asset()
    value_for(asset, field, 1).save()
    with pytest.raises(IntegrityError, match="cfvalue_one_per_record_and_field"):
        value_for(asset, field, 2).save()


def test_key_cannot_change_after_creation():
    # defining-a-custom-field.md: the key "cannot be changed after it has been created".
    field = definition()
    field.key = "tankSize"
    with pytest.raises(ValidationError, match="key of a custom field cannot change"):
        field.save()


def test_a_standard_trackunit_key_must_keep_its_documented_type_and_entity():
    # custom-field-intro.md: licensePlate is a standard text field of assets.
    wrong_type = CustomFieldDefinition(entity_type="ASSET", key="licensePlate", title="Plate", type="NUMBER")
    with pytest.raises(ValidationError, match="standard fields, of type STRING"):
        wrong_type.full_clean()
    wrong_entity = CustomFieldDefinition(entity_type="CUSTOMER", key="licensePlate", title="P", type="STRING")
    with pytest.raises(ValidationError, match="holds values of assets only"):
        wrong_entity.full_clean()
    CustomFieldDefinition(entity_type="ASSET", key="licensePlate", title="Plate", type="STRING").full_clean()


def test_the_database_refuses_a_whole_number_field_with_a_unit():
    with pytest.raises(IntegrityError, match="cfdef_integer_without_unit"), transaction.atomic():
        definition(is_integer=True, unit_si="L")


def test_removing_a_dropdown_option_needs_a_replacement():
    field = definition(key="fuel", type="DROPDOWN", options=["Diesel", "HVO", "Petrol"])
    field.options = ["Diesel", "HVO"]
    with pytest.raises(ValidationError, match="need a replacement"):
        field.full_clean()
    field.value_replacements = {"Petrol": "Diesel"}
    field.full_clean()


@pytest.mark.parametrize(
    ("initial", "value", "change", "expected"),
    [
        # custom-field-intro.md, changing definitions: each rule as Trackunit applies it.
        ({"type": "NUMBER", "maximum": 100}, 80, {"maximum": 50}, None),
        ({"type": "STRING", "max_length": 10}, "abcdefghij", {"max_length": 4}, "abcd"),
        ({"type": "STRING", "pattern": "[a-z]+"}, "abc", {"pattern": "[0-9]+"}, "abc"),
        (
            {"type": "DROPDOWN", "options": ["A", "B"], "multi_select": True},
            ["A", "B"],
            {"multi_select": False},
            None,
        ),
        (
            {"type": "DROPDOWN", "options": ["A", "B", "C"], "multi_select": True},
            ["A", "C"],
            {"options": ["B", "C"], "value_replacements": {"A": "C"}},
            ["C"],
        ),
    ],
)
def test_changing_a_definition_adapts_local_values_as_trackunit_does(initial, value, change, expected):
    field = definition(key="changing", **initial)
    stored = value_for(factories.asset(), field, value)
    stored.save()
    for name, new in change.items():
        setattr(field, name, new)
    field.full_clean()
    field.save()
    stored.refresh_from_db()
    assert stored.value == expected
