"""Custom Fields API: definitions with rules, values checked with rentalbridge.customfields.rules."""

import pytest

from sync.trackunit import wire


def _define(sandbox, **kw):
    body = {
        "key": "projectCode",
        "title": "Project code",
        "type": "STRING",
        "entityType": "ASSET",
        "maxLength": 8,
    }
    body.update(kw)
    return sandbox.api("POST", wire.CUSTOM_FIELD_DEFINITIONS, json=body)


def _asset_id(sandbox):
    return sandbox.api("GET", wire.ASSETS, params={"size": 1}).json()["content"][0]["id"]


def test_definition_crud_and_rules(sandbox):
    created = _define(sandbox)
    assert created.status_code == 201
    definition = created.json()
    assert definition["uiVisible"] is True
    assert definition["scope"] == "ACCOUNT"
    listed = sandbox.api("GET", wire.CUSTOM_FIELD_DEFINITIONS).json()["content"]
    assert [d["id"] for d in listed] == [definition["id"]]
    path = wire.CUSTOM_FIELD_DEFINITION.format(definition_id=definition["id"])
    assert _define(sandbox).json()["violations"][0]["field"] == "key"
    type_change = sandbox.api("PATCH", path, json={"type": "NUMBER"})
    assert type_change.status_code == 400
    assert type_change.json()["violations"][0]["field"] == "type"
    assert sandbox.api("PATCH", path, json={"title": "Project"}).json()["title"] == "Project"
    assert sandbox.api("DELETE", path).status_code == 204
    assert sandbox.api("DELETE", path).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "DROPDOWN", "maxLength": None}, "options"),
        ({"type": "NUMBER", "maxLength": None, "minimum": 5, "maximum": 1}, "minimum"),
        ({"type": "MONETARY", "maxLength": None, "currency": "euro"}, "currency"),
        ({"type": "COLOUR"}, "type"),
        ({"entityType": "PLANET"}, "entityType"),
        ({"key": "1bad"}, "key"),
        ({"type": "NUMBER"}, "maxLength"),
    ],
)
def test_definition_validation(sandbox, body, field):
    answer = _define(sandbox, **body)
    assert answer.status_code == 400
    assert field in [v["field"] for v in answer.json()["violations"]]


def test_values_are_checked_against_the_definition(sandbox):
    definition = _define(sandbox).json()
    asset_id = _asset_id(sandbox)
    ok = sandbox.api(
        "POST",
        wire.CUSTOM_FIELD_VALUES,
        json=wire.custom_field_value_body(definition_id=definition["id"], entity_id=asset_id, value="P-17"),
    )
    assert ok.status_code == 201
    too_long = sandbox.api(
        "PATCH",
        wire.CUSTOM_FIELD_VALUE.format(value_id=ok.json()["id"]),
        json=wire.value_patch_body(value="P-1234567"),
    )
    assert too_long.status_code == 400
    assert too_long.json()["code"] == wire.CONSTRAINT_VIOLATION
    assert too_long.json()["violations"][0]["field"] == "projectCode"
    listed = sandbox.api("GET", wire.CUSTOM_FIELD_VALUES, params={"entityId": asset_id}).json()["content"]
    assert [v["value"] for v in listed] == ["P-17"]
    duplicate = sandbox.api(
        "POST",
        wire.CUSTOM_FIELD_VALUES,
        json=wire.custom_field_value_body(definition_id=definition["id"], entity_id=asset_id, value="P-18"),
    )
    assert duplicate.status_code == 400
    unknown_entity = sandbox.api(
        "POST",
        wire.CUSTOM_FIELD_VALUES,
        json=wire.custom_field_value_body(
            definition_id=definition["id"], entity_id="no-such-asset", value="x"
        ),
    )
    assert unknown_entity.json()["violations"][0]["field"] == "entityId"
    assert sandbox.api("DELETE", wire.CUSTOM_FIELD_VALUE.format(value_id=ok.json()["id"])).status_code == 204


def test_set_values_by_key_is_all_or_nothing(sandbox):
    _define(sandbox)
    _define(sandbox, key="hireRate", title="Rate", type="MONETARY", currency="EUR", maxLength=None, minimum=0)
    asset_id = _asset_id(sandbox)
    bad = sandbox.api(
        "POST",
        wire.CUSTOM_FIELD_SET_VALUES,
        json=wire.set_values_body(entity_id=asset_id, values={"projectCode": "P-1", "hireRate": -3}),
    )
    assert bad.status_code == 400
    assert bad.json()["violations"][0]["field"] == "hireRate"
    assert sandbox.state()["custom_field_values"] == []
    good = sandbox.api(
        "POST",
        wire.CUSTOM_FIELD_SET_VALUES,
        json=wire.set_values_body(entity_id=asset_id, values={"projectCode": "P-1", "hireRate": 12.5}),
    )
    assert good.status_code == 200
    assert {v["key"]: v["value"] for v in good.json()["values"]} == {
        "projectCode": "P-1",
        "hireRate": "12.50",
    }
    unknown = sandbox.api(
        "POST",
        wire.CUSTOM_FIELD_SET_VALUES,
        json=wire.set_values_body(entity_id=asset_id, values={"nope": 1}),
    )
    assert unknown.json()["violations"][0]["field"] == "values[0].key"


def test_narrowing_rules_adapts_stored_values(sandbox):
    text = _define(sandbox).json()
    size = _define(
        sandbox, key="size", title="Size", type="DROPDOWN", options=["S", "M", "L"], maxLength=None
    ).json()
    asset_id = _asset_id(sandbox)
    sandbox.api(
        "POST",
        wire.CUSTOM_FIELD_SET_VALUES,
        json=wire.set_values_body(entity_id=asset_id, values={"projectCode": "ABCDEFGH", "size": "L"}),
    )
    shorter = wire.definition_patch_body(max_length=4)
    sandbox.api("PATCH", wire.CUSTOM_FIELD_DEFINITION.format(definition_id=text["id"]), json=shorter)
    size_path = wire.CUSTOM_FIELD_DEFINITION.format(definition_id=size["id"])
    refused = sandbox.api("PATCH", size_path, json=wire.definition_patch_body(options=["S", "M"]))
    assert refused.json()["violations"][0]["field"] == "optionReplacements"
    replaced = wire.definition_patch_body(options=["S", "M"], option_replacements={"L": "M"})
    assert sandbox.api("PATCH", size_path, json=replaced).status_code == 200
    values = {v["key"]: v for v in sandbox.state()["custom_field_values"]}
    assert values["projectCode"]["value"] == "ABCD"
    assert values["projectCode"]["lastIncompatibleValue"] == "ABCDEFGH"
    assert values["size"]["value"] == "M"
    assert values["size"]["lastIncompatibleValue"] == "L"
