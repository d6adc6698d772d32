"""Custom-field definitions: documented property names per type, optional key, standard Trackunit fields.

Property names: guides/sdk-docs/save-data-from-your-app/defining-a-custom-field.md; key optional and
immutable type: api-docs/custom-field-intro.md; standard fields: custom-field-intro.md's table.
"""

import pytest

from tests.sync.sandbox.helpers import violated_fields

DEFINITIONS = "/custom-fields/v1/definitions"
STANDARD_KEYS = {
    "engineManufacturer",
    "engineModel",
    "engineSerialNumber",
    "engineFuelType",
    "fuelTankCapacityTotal",
    "inputVoltageAC",
    "batterySystemRatedCapacity",
    "batterySystemRatedVoltage",
    "batterySystemRatedPowerCapacity",
    "enginePowerElectric",
    "enginePowerCombustion",
    "pendingTelematicsDevices",
    "warrantyEndDate",
    "oem-licensed",
    "licensePlate",
    "oemSubscriptionEndDate",
    "oemSubscriptionStartDate",
    "qrCodeIdentifiers",
    "rfidTags",
    "oemSubscriptionType",
    "billingReference",
    "purchaseDate",
}


def _define(sandbox, **overrides):
    # defining-a-custom-field.md's example, STRING with its maximumLength.
    body = {
        "type": "STRING",
        "entityType": "ASSET",
        "key": "projectCode",
        "translations": [{"language": "en", "title": "Project code", "description": "ERP project"}],
        "uiEditable": True,
        "uiVisible": True,
        "scopeType": "ACCOUNT",
        "maximumLength": 8,
    }
    body.update(overrides)
    return sandbox.api("POST", DEFINITIONS, json={k: v for k, v in body.items() if v is not None})


def _own(sandbox):
    listed = sandbox.api("GET", DEFINITIONS, params={"size": 1000}).json()["content"]
    return [d for d in listed if d["key"] not in STANDARD_KEYS]


def test_definition_crud(sandbox):
    created = _define(sandbox)
    assert created.status_code == 201
    definition = created.json()
    assert definition == {
        "id": definition["id"],
        "key": "projectCode",
        "type": "STRING",
        "entityType": "ASSET",
        "translations": [{"language": "en", "title": "Project code", "description": "ERP project"}],
        "uiVisible": True,
        "uiEditable": True,
        "scopeType": "ACCOUNT",
        "minimumLength": None,
        "maximumLength": 8,
        "pattern": None,
        "defaultStringValue": None,
    }
    assert _own(sandbox) == [definition]
    path = f"{DEFINITIONS}/{definition['id']}"
    retitled = [{"language": "en", "title": "Project"}, {"language": "da", "title": "Projekt"}]
    assert sandbox.api("PATCH", path, json={"translations": retitled}).json()["translations"] == retitled
    assert sandbox.api("DELETE", path).status_code == 204
    gone = sandbox.api("DELETE", path)
    assert (gone.status_code, gone.json()["code"]) == (404, "custom_field_definition_not_found")


def test_defaults_are_answered(sandbox):
    # "scopeType ... Default is only within the users account"; multiSelect "Default false".
    body = {"type": "DROPDOWN", "entityType": "SITE", "translations": [{"language": "en", "title": "Gate"}]}
    definition = sandbox.api("POST", DEFINITIONS, json={**body, "allValues": ["North", "South"]}).json()
    assert (definition["scopeType"], definition["multiSelect"], definition["uiVisible"]) == (
        "ACCOUNT",
        False,
        True,
    )


def test_the_older_documented_spellings_are_accepted(sandbox):
    # working-with-custom-fields.md, literally: a flat title and `options`.
    body = {
        "type": "DROPDOWN",
        "entityType": "ASSET",
        "key": "myDropdownKey",
        "title": "Dropdown Field",
        "uiEditable": True,
        "uiVisible": True,
        "options": ["Option 1", "Option 2", "Option 3"],
    }
    created = sandbox.api("POST", DEFINITIONS, json=body)
    assert created.status_code == 201, created.text
    definition = created.json()
    assert definition["translations"] == [{"language": "en", "title": "Dropdown Field"}]
    assert definition["allValues"] == ["Option 1", "Option 2", "Option 3"]
    assert {"title", "options"}.isdisjoint(definition)
    # A flat title on PATCH changes the English title only.
    path = f"{DEFINITIONS}/{definition['id']}"
    sandbox.api(
        "PATCH",
        path,
        json={"translations": [{"language": "da", "title": "Rulleliste"}, {"language": "en", "title": "x"}]},
    )
    renamed = sandbox.api("PATCH", path, json={"title": "Sizes"}).json()
    assert renamed["translations"] == [
        {"language": "da", "title": "Rulleliste"},
        {"language": "en", "title": "Sizes"},
    ]


def test_key_is_optional_and_generated_from_the_title(sandbox):
    # custom-field-intro.md: "The Definition key (if specified) must be unique".
    first = _define(sandbox, key=None, translations=[{"language": "en", "title": "Hire rate (daily)"}])
    assert first.status_code == 201
    assert first.json()["key"] == "hireRateDaily"
    second = _define(sandbox, key=None, translations=[{"language": "en", "title": "Hire rate daily"}])
    assert second.json()["key"] == "hireRateDaily2"


def test_key_is_unique_including_standard_keys(sandbox):
    _define(sandbox)
    assert violated_fields(_define(sandbox)) == ["key"]
    assert violated_fields(_define(sandbox, key="licensePlate")) == ["key"]


@pytest.mark.parametrize(
    ("body", "field_type"),
    [
        ({}, "BOOLEAN"),
        ({}, "DATE"),
        ({"allValues": ["S", "M"], "multiSelect": True}, "DROPDOWN"),
        # working-with-custom-fields.md calls the options `options`.
        ({"options": ["S", "M"]}, "DROPDOWN"),
        ({}, "EMAIL"),
        ({"currency": "EUR", "minimum": 0, "maximum": 1000}, "MONETARY"),
        ({"minimum": 0, "maximum": 10, "unitSi": "kW", "unitUs": "hp"}, "NUMBER"),
        ({"isInteger": True, "minimum": 1}, "NUMBER"),
        ({}, "PHONE_NUMBER"),
        (
            {"minimumLength": 2, "maximumLength": 8, "pattern": "^[A-Z]+$", "defaultStringValue": "NONE"},
            "STRING",
        ),
        ({}, "WEB_ADDRESS"),
        ({}, "JSON"),
    ],
)
def test_every_type_with_its_properties(sandbox, body, field_type):
    answer = _define(sandbox, **{"key": "field", "type": field_type, "maximumLength": None, **body})
    assert answer.status_code == 201, answer.text
    if "options" in body:
        assert answer.json()["allValues"] == ["S", "M"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        # Type-specific properties on another type are refused [A].
        ({"type": "NUMBER"}, "maximumLength"),
        ({"type": "BOOLEAN", "allValues": ["a"]}, "allValues"),
        ({"type": "JSON", "pattern": "x"}, "pattern"),
        ({"currency": "EUR"}, "currency"),
        ({"unitSi": "kg"}, "unitSi"),
        ({"type": "MONETARY", "currency": "EUR", "isInteger": True}, "isInteger"),
        (
            {"type": "NUMBER", "maximumLength": None, "dropDownValueReplacements": {}},
            "dropDownValueReplacements",
        ),
        # Required and well-formed.
        ({"type": "DROPDOWN", "maximumLength": None}, "allValues"),
        ({"type": "DROPDOWN", "maximumLength": None, "allValues": ["a", "a"]}, "allValues"),
        ({"type": "DROPDOWN", "maximumLength": None, "allValues": ["a"], "options": ["b"]}, "options"),
        ({"type": "MONETARY", "maximumLength": None}, "currency"),
        ({"type": "MONETARY", "maximumLength": None, "currency": "euro"}, "currency"),
        ({"type": "NUMBER", "maximumLength": None, "minimum": 5, "maximum": 1}, "minimum"),
        # "isInteger ... Can't be true if unitSi or unitUs is specified".
        ({"type": "NUMBER", "maximumLength": None, "isInteger": True, "unitSi": "kW"}, "isInteger"),
        ({"minimumLength": 9}, "minimumLength"),
        ({"pattern": "("}, "pattern"),
        ({"defaultStringValue": "far too long"}, "defaultStringValue"),
        ({"type": "COLOUR"}, "type"),
        ({"type": "E_MAIL"}, "type"),
        ({"entityType": "PLANET"}, "entityType"),
        ({"scopeType": "WORLD"}, "scopeType"),
        ({"key": "1bad"}, "key"),
        ({"translations": []}, "translations"),
        ({"translations": [{"language": "en"}]}, "translations[0].title"),
        ({"translations": [{"language": "english", "title": "x"}]}, "translations[0].language"),
        ({"title": "Project code"}, "title"),  # with translations: one or the other
        # Names the docs do not use are unknown fields.
        ({"scope": "ACCOUNT"}, "scope"),
        ({"maxLength": 8}, "maxLength"),
        ({"unit": "kg"}, "unit"),
    ],
)
def test_definition_validation(sandbox, body, field):
    assert field in violated_fields(_define(sandbox, **body))
    assert _own(sandbox) == []


def test_type_key_and_entity_type_never_change(sandbox):
    definition = _define(sandbox).json()
    path = f"{DEFINITIONS}/{definition['id']}"
    for change in ({"type": "NUMBER"}, {"key": "other"}, {"entityType": "SITE"}):
        assert list(change) == violated_fields(sandbox.api("PATCH", path, json=change))
    # Sending the current value is no change.
    assert sandbox.api("PATCH", path, json={"type": "STRING", "key": "projectCode"}).status_code == 200


def test_patch_can_lift_a_limit_with_null_but_not_clear_required_properties(sandbox):
    definition = _define(sandbox).json()
    path = f"{DEFINITIONS}/{definition['id']}"
    assert sandbox.api("PATCH", path, json={"maximumLength": None}).json()["maximumLength"] is None
    assert violated_fields(sandbox.api("PATCH", path, json={"translations": None})) == ["translations"]
    assert violated_fields(sandbox.api("PATCH", path, json={"allValues": ["x"]})) == ["allValues"]


def test_standard_definitions_are_listed(sandbox):
    listed = sandbox.api("GET", DEFINITIONS, params={"size": 1000}).json()["content"]
    standard = {d["key"]: d for d in listed if d["key"] in STANDARD_KEYS}
    assert set(standard) == STANDARD_KEYS
    assert all(d["entityType"] == "ASSET" for d in standard.values())
    fuel = standard["engineFuelType"]
    assert (fuel["type"], fuel["allValues"]) == (
        "DROPDOWN",
        ["Diesel", "Petrol", "CNG", "LPG", "HVO100", "Hydrogen", "Bio-diesel"],
    )
    assert standard["fuelTankCapacityTotal"]["type"] == "NUMBER"
    assert standard["warrantyEndDate"]["type"] == "DATE"
    assert standard["oem-licensed"]["type"] == "BOOLEAN"
    assert standard["oemSubscriptionType"]["uiVisible"] is False  # "Not visible in the UI"


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_standard_definitions_cannot_be_changed(sandbox, method):
    plate = sandbox.api("GET", DEFINITIONS, params={"key": "licensePlate"}).json()["content"][0]
    # [A] "When creating a definition using this API it will always be owned by your customer account".
    answer = sandbox.api(method, f"{DEFINITIONS}/{plate['id']}", json={"uiVisible": False})
    assert answer.status_code == 403
    assert answer.json()["code"] == "custom_field_definition_not_owned_by_account"
