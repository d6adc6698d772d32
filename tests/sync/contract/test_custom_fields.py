"""Custom fields: documented definitions, changes and values, built by the client and served by the sandbox.

Sources: guides/sdk-docs/save-data-from-your-app/defining-a-custom-field.md (property names, types,
translations, scopeType), working-with-custom-fields.md (a definition with `title`/`options`, and
`dropDownValueReplacements`), api-docs/custom-field-intro.md (changing definitions, the standard fields),
changelogs/custom-fields-api-v1.md and changelogs/custom-fields-def-key.md (paths).
The REST value schema is not published: value bodies are marked [A].
"""

import pytest

from sync.trackunit import wire

# defining-a-custom-field.md's manifest example (a JavaScript literal there), as JSON.
DOCUMENTED_DEFINITION = {
    "type": "STRING",
    "entityType": "ASSET",
    "key": "myKey",
    "translations": [{"language": "en", "title": "String Field", "description": "String Field Description"}],
    "uiEditable": True,
    "uiVisible": True,
    "scopeType": "ACCOUNT",
}
# working-with-custom-fields.md, literally (the older spelling: a flat title, `options`).
DOCUMENTED_DROPDOWN = {
    "type": "DROPDOWN",
    "entityType": "ASSET",
    "key": "myDropdownKey",
    "title": "Dropdown Field",
    "uiEditable": True,
    "uiVisible": True,
    "options": ["Option 1", "Option 2", "Option 3"],
}
# custom-field-intro.md lists these among Trackunit's standard asset fields.
STANDARD_KEYS = {
    "engineManufacturer",
    "licensePlate",
    "oem-licensed",
    "purchaseDate",
    "fuelTankCapacityTotal",
}
SET_VALUES = "/custom-fields/v1/set-values/"  # trailing slash as custom-fields-def-key.md prints it


def test_the_client_builds_the_documented_definition():
    built = wire.definition_body(
        key="myKey",
        title="String Field",
        description="String Field Description",
        type="STRING",
        entity_type="ASSET",
        ui_editable=True,
        ui_visible=True,
        scope_type="ACCOUNT",
    )
    assert built == DOCUMENTED_DEFINITION


def test_the_client_builds_type_properties_with_the_documented_names():
    number = wire.definition_body(
        key="tank",
        title="Tank",
        type="NUMBER",
        entity_type="ASSET",
        minimum=0,
        maximum=2000,
        unit_si="L",
        unit_us="gal",
    )
    assert {k: number[k] for k in ("minimum", "maximum", "unitSi", "unitUs")} == {
        "minimum": 0,
        "maximum": 2000,
        "unitSi": "L",
        "unitUs": "gal",
    }
    text = wire.definition_body(
        key="code",
        title="Code",
        type="STRING",
        entity_type="RENTAL_CONTRACT",
        minimum_length=2,
        maximum_length=20,
        pattern="^\\w+$",
        default_string_value="none",
    )
    assert {k: text[k] for k in ("minimumLength", "maximumLength", "pattern", "defaultStringValue")} == {
        "minimumLength": 2,
        "maximumLength": 20,
        "pattern": "^\\w+$",
        "defaultStringValue": "none",
    }
    dropdown = wire.definition_body(
        key="myDropdownKey",
        title="Dropdown Field",
        type="DROPDOWN",
        entity_type="ASSET",
        all_values=["Option 1", "Option 2", "Option 3"],
        multi_select=False,
    )
    assert dropdown["allValues"] == ["Option 1", "Option 2", "Option 3"]
    assert dropdown["multiSelect"] is False
    money = wire.definition_body(
        key="limit", title="Limit", type="MONETARY", entity_type="CUSTOMER", currency="EUR"
    )
    assert money["currency"] == "EUR"


def test_the_client_reads_the_older_documented_spelling():
    read = wire.read_definition(DOCUMENTED_DROPDOWN)
    assert read["allValues"] == ["Option 1", "Option 2", "Option 3"]
    assert wire.definition_title(read) == "Dropdown Field"


def test_the_client_builds_the_documented_option_replacement():
    payload = wire.definition_body(
        key="myDropdownKey",
        title="Dropdown Field",
        type="DROPDOWN",
        entity_type="ASSET",
        all_values=["Option 2", "Option 3", "Option 4"],
    )
    patch = wire.definition_patch_body(payload, value_replacements={"Option 1": "Option 4"})
    # working-with-custom-fields.md: "dropDownValueReplacements": {"Option 1": "Option 4"}; never the
    # key, type or entity type, which cannot change.
    assert patch["dropDownValueReplacements"] == {"Option 1": "Option 4"}
    assert not {"key", "type", "entityType"} & set(patch)


def test_the_client_sets_values_by_key_with_the_documented_path():
    assert wire.CUSTOM_FIELD_SET_VALUES == SET_VALUES
    # [A] the body: the changelog says keys work "as an alternative to definition UUIDs".
    assert wire.set_values_body(entity_id="e-1", values={"myKey": "My new value", "gone": None}) == {
        "entityId": "e-1",
        "values": [
            {"definitionKey": "myKey", "value": "My new value"},
            {"definitionKey": "gone", "value": None},
        ],
    }


def _own_asset(sandbox) -> str:
    content = sandbox.api("GET", "/asset/v1/assets", params={"size": 1000}).json()["content"]
    return next(a["id"] for a in content if a["permissions"]["edit"])


def _shared_asset(sandbox) -> str:
    content = sandbox.api("GET", "/asset/v1/assets", params={"size": 1000}).json()["content"]
    return next(a["id"] for a in content if not a["permissions"]["edit"])


def test_the_sandbox_accepts_the_documented_definition_and_answers_it(sandbox):
    answer = sandbox.api("POST", "/custom-fields/v1/definitions", json=DOCUMENTED_DEFINITION)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["id"]
    assert {k: created[k] for k in DOCUMENTED_DEFINITION} == DOCUMENTED_DEFINITION
    assert wire.read_definition(created)["key"] == "myKey"


def test_the_sandbox_accepts_the_older_documented_dropdown(sandbox):
    answer = sandbox.api("POST", "/custom-fields/v1/definitions", json=DOCUMENTED_DROPDOWN)
    assert answer.status_code == 201, answer.text
    assert wire.read_definition(answer.json())["allValues"] == ["Option 1", "Option 2", "Option 3"]


def test_the_key_is_optional_as_documented(sandbox):
    # custom-field-intro.md: "The Definition key (if specified) must be unique".
    body = {k: v for k, v in DOCUMENTED_DEFINITION.items() if k != "key"}
    answer = sandbox.api("POST", "/custom-fields/v1/definitions", json=body)
    assert answer.status_code == 201, answer.text


def test_the_sandbox_refuses_a_type_change(sandbox):
    created = sandbox.api("POST", "/custom-fields/v1/definitions", json=DOCUMENTED_DEFINITION).json()
    answer = sandbox.api("PATCH", f"/custom-fields/v1/definitions/{created['id']}", json={"type": "NUMBER"})
    assert (answer.status_code, answer.json()["code"]) == (400, "constraint_violation")


def test_the_sandbox_refuses_a_json_definition_with_string_rules(sandbox):
    body = {**DOCUMENTED_DEFINITION, "key": "blob", "type": "JSON", "maximumLength": 5}
    answer = sandbox.api("POST", "/custom-fields/v1/definitions", json=body)
    assert answer.status_code == 400
    assert "maximumLength" in {v["field"] for v in answer.json()["violations"]}
    json_field = sandbox.api(
        "POST", "/custom-fields/v1/definitions", json={**DOCUMENTED_DEFINITION, "key": "blob", "type": "JSON"}
    )
    assert json_field.status_code == 201, json_field.text


def test_standard_fields_exist_and_are_settable_by_key_but_not_changeable(sandbox):
    listed = sandbox.api("GET", "/custom-fields/v1/definitions", params={"size": 1000}).json()["content"]
    by_key = {d.get("key"): d for d in listed}
    assert set(by_key) >= STANDARD_KEYS
    asset = _own_asset(sandbox)
    body = {"entityId": asset, "values": [{"definitionKey": "licensePlate", "value": "AB 12 345"}]}
    answer = sandbox.api("POST", SET_VALUES, json=body)
    assert answer.status_code == 200, answer.text
    refused = sandbox.api(
        "PATCH", f"/custom-fields/v1/definitions/{by_key['licensePlate']['id']}", json={"uiVisible": False}
    )
    assert refused.status_code == 403


def test_set_values_lives_at_the_documented_path_only(sandbox):
    asset = _own_asset(sandbox)
    body = {"entityId": asset, "values": [{"definitionKey": "licensePlate", "value": "AB 12 345"}]}
    assert sandbox.api("POST", SET_VALUES.rstrip("/"), json=body).status_code == 404


def _values_of(sandbox, entity_id: str) -> dict[str, dict]:
    content = sandbox.api("GET", "/custom-fields/v1/values", params={"entityId": entity_id}).json()["content"]
    return {v["definitionKey"]: v for v in content}


@pytest.mark.parametrize(
    ("definition", "value", "patch", "expected"),
    [
        # custom-field-intro.md: "Any existing value outside the new min/max range will be set to null."
        ({"type": "NUMBER", "maximum": 100}, 80, {"maximum": 50}, None),
        # "If an existing value is longer than the new maximum length, the value will be truncated."
        ({"type": "STRING", "maximumLength": 10}, "abcdefghij", {"maximumLength": 4}, "abcd"),
        # "When changing a multi-select field to a single-select field, any value with more than one
        # option will be cleared."
        (
            {"type": "DROPDOWN", "allValues": ["A", "B"], "multiSelect": True},
            ["A", "B"],
            {"multiSelect": False},
            None,
        ),
        # "Any existing value that contains the deleted value will be changed to the replacement value."
        (
            {"type": "DROPDOWN", "allValues": ["A", "B"]},
            "A",
            {"allValues": ["B", "C"], "dropDownValueReplacements": {"A": "C"}},
            "C",
        ),
        # "Regex patterns can be changed, but ... existing data can become uncompliant": kept.
        ({"type": "STRING", "pattern": "^[a-z]+$"}, "abc", {"pattern": "^[0-9]+$"}, "abc"),
    ],
)
def test_changing_a_definition_treats_values_as_documented(sandbox, definition, value, patch, expected):
    asset = _own_asset(sandbox)
    body = {
        "key": "changing",
        "entityType": "ASSET",
        "translations": [{"language": "en", "title": "C"}],
        **definition,
    }
    created = sandbox.api("POST", "/custom-fields/v1/definitions", json=body)
    assert created.status_code == 201, created.text
    set_answer = sandbox.api(
        "POST",
        SET_VALUES,
        json={"entityId": asset, "values": [{"definitionKey": "changing", "value": value}]},
    )
    assert set_answer.status_code == 200, set_answer.text
    changed = sandbox.api("PATCH", f"/custom-fields/v1/definitions/{created.json()['id']}", json=patch)
    assert changed.status_code == 200, changed.text
    stored = _values_of(sandbox, asset)["changing"]
    assert stored["value"] == expected
    # "The existing value will be saved for retrieval in the API in the lastIncompatibleValue field."
    assert stored["lastIncompatibleValue"] == (None if expected == value else value)


def test_removing_an_option_without_a_replacement_is_refused(sandbox):
    body = {**DOCUMENTED_DROPDOWN, "key": "sizes"}
    created = sandbox.api("POST", "/custom-fields/v1/definitions", json=body).json()
    answer = sandbox.api(
        "PATCH",
        f"/custom-fields/v1/definitions/{created['id']}",
        json={"allValues": ["Option 2", "Option 3"]},
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "constraint_violation")


def test_values_on_a_shared_asset_are_refused(sandbox):
    body = {
        "entityId": _shared_asset(sandbox),
        "values": [{"definitionKey": "licensePlate", "value": "AB 1"}],
    }
    assert sandbox.api("POST", SET_VALUES, json=body).status_code == 403
