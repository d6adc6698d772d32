"""What a definition change does to stored values (api-docs/custom-field-intro.md, "Changing a definition",
and api-docs/custom-field-changing-definitions.md): each rule with the lastIncompatibleValue it keeps.
"""

import pytest

from tests.sync.sandbox.helpers import fleet, violated_fields

DEFINITIONS = "/custom-fields/v1/definitions"
SET_VALUES = "/custom-fields/v1/set-values/"


def _define(sandbox, field_type, **properties):
    # defining-a-custom-field.md's property names.
    body = {
        "key": "field",
        "type": field_type,
        "entityType": "ASSET",
        "translations": [{"language": "en", "title": "Field"}],
        **properties,
    }
    return sandbox.api("POST", DEFINITIONS, json=body).json()


def _set(sandbox, values):
    """One value per owned asset, by key ([A] set-values item {"definitionKey", "value"})."""
    assets = fleet(sandbox)[0][: len(values)]
    for asset, value in zip(assets, values, strict=True):
        body = {"entityId": asset["id"], "values": [{"definitionKey": "field", "value": value}]}
        assert sandbox.api("POST", SET_VALUES, json=body).status_code == 200
    return [a["id"] for a in assets]


def _stored(sandbox, asset_ids):
    """(value, lastIncompatibleValue) per asset, in the order given."""
    by_entity = {v["entityId"]: v for v in sandbox.state()["custom_field_values"]}
    return [(by_entity[a]["value"], by_entity[a]["lastIncompatibleValue"]) for a in asset_ids]


def _patch(sandbox, definition, body):
    return sandbox.api("PATCH", f"{DEFINITIONS}/{definition['id']}", json=body)


@pytest.mark.parametrize("name", ["dropDownValueReplacements", "valueReplacements"])
def test_removed_option_takes_its_replacement(sandbox, name):
    definition = _define(sandbox, "DROPDOWN", allValues=["S", "M", "L"])
    assets = _set(sandbox, ["L", "S"])
    # "If an option is removed from a drop-down list, you must provide a valid replacement value."
    refused = _patch(sandbox, definition, {"allValues": ["S", "M"]})
    assert violated_fields(refused) == ["dropDownValueReplacements"]
    assert _stored(sandbox, assets) == [("L", None), ("S", None)]
    # The two names the docs use for the map (types table / properties table).
    answer = _patch(sandbox, definition, {"allValues": ["S", "M"], name: {"L": "M"}})
    assert answer.status_code == 200
    assert answer.json()["allValues"] == ["S", "M"]
    assert _stored(sandbox, assets) == [("M", "L"), ("S", None)]


@pytest.mark.parametrize(
    ("replacements", "field"),
    [
        ({"L": "XL"}, "dropDownValueReplacements.L"),  # not one of the new options
        ({"L": "M", "S": "M"}, "dropDownValueReplacements.S"),  # S is not removed
    ],
)
def test_replacement_rules(sandbox, replacements, field):
    definition = _define(sandbox, "DROPDOWN", allValues=["S", "M", "L"])
    answer = _patch(sandbox, definition, {"allValues": ["S", "M"], "dropDownValueReplacements": replacements})
    assert field in violated_fields(answer)


def test_replacement_creates_no_duplicate_in_a_multi_value(sandbox):
    definition = _define(sandbox, "DROPDOWN", allValues=["S", "M", "L"], multiSelect=True)
    assets = _set(sandbox, [["M", "L"], ["L"], ["S"]])
    _patch(sandbox, definition, {"allValues": ["S", "M"], "dropDownValueReplacements": {"L": "M"}})
    # "If the replacement value is already selected, a duplicate value will not be created."
    assert _stored(sandbox, assets) == [(["M"], ["M", "L"]), (["M"], ["L"]), (["S"], None)]


def test_multi_to_single_select_clears_values_with_more_than_one_option(sandbox):
    definition = _define(sandbox, "DROPDOWN", allValues=["S", "M"], multiSelect=True)
    assets = _set(sandbox, [["S", "M"], ["M"]])
    assert _patch(sandbox, definition, {"multiSelect": False}).status_code == 200
    # "any value with more than one option will be cleared"; [A] a one-option list reads as that option.
    assert _stored(sandbox, assets) == [(None, ["S", "M"]), ("M", None)]


@pytest.mark.parametrize("field_type", ["NUMBER", "MONETARY"])
def test_narrowed_range_nulls_values_outside(sandbox, field_type):
    extra = {"currency": "EUR"} if field_type == "MONETARY" else {}
    definition = _define(sandbox, field_type, minimum=0, maximum=100, **extra)
    assets = _set(sandbox, [5, 50, 95])
    assert _patch(sandbox, definition, {"minimum": 10, "maximum": 90}).status_code == 200
    # "Any existing value outside the new min/max range will be set to null."
    assert _stored(sandbox, assets) == [(None, 5), (50, None), (None, 95)]


def test_shortened_maximum_length_truncates(sandbox):
    definition = _define(sandbox, "STRING", maximumLength=10)
    assets = _set(sandbox, ["ABCDEFGH", "ABC"])
    assert _patch(sandbox, definition, {"maximumLength": 4}).status_code == 200
    # "If an existing value is longer than the new maximum length, the value will be truncated."
    assert _stored(sandbox, assets) == [("ABCD", "ABCDEFGH"), ("ABC", None)]


@pytest.mark.parametrize(
    ("field_type", "properties", "change", "value"),
    [
        # "Regex patterns can be changed, but ... existing data can become uncompliant with the new pattern."
        ("STRING", {"pattern": "[A-Z]+"}, {"pattern": "[0-9]+"}, "ABC"),
        ("STRING", {}, {"minimumLength": 5}, "ABC"),
        ("NUMBER", {}, {"isInteger": True}, 2.5),
    ],
)
def test_other_changes_keep_values(sandbox, field_type, properties, change, value):
    definition = _define(sandbox, field_type, **properties)
    assets = _set(sandbox, [value])
    assert _patch(sandbox, definition, change).status_code == 200
    assert _stored(sandbox, assets) == [(value, None)]


def test_only_the_latest_incompatible_value_is_kept(sandbox):
    definition = _define(sandbox, "STRING", maximumLength=10)
    assets = _set(sandbox, ["ABCDEFGH"])
    _patch(sandbox, definition, {"maximumLength": 6})
    _patch(sandbox, definition, {"maximumLength": 3})
    # working-with-custom-fields.md: "only the latest incompatible value is stored".
    assert _stored(sandbox, assets) == [("ABC", "ABCDEF")]
    # [A] a new write leaves it for the API to retrieve.
    _set(sandbox, ["XY"])
    assert _stored(sandbox, assets) == [("XY", "ABCDEF")]


def test_a_refused_change_changes_nothing(sandbox):
    definition = _define(sandbox, "STRING", maximumLength=10)
    assets = _set(sandbox, ["ABCDEFGH"])
    assert violated_fields(_patch(sandbox, definition, {"maximumLength": 4, "minimumLength": 5})) == [
        "minimumLength"
    ]
    assert _stored(sandbox, assets) == [("ABCDEFGH", None)]
    assert (
        sandbox.api("GET", DEFINITIONS, params={"key": "field"}).json()["content"][0]["maximumLength"] == 10
    )


def test_deleting_a_definition_deletes_its_values(sandbox):
    definition = _define(sandbox, "STRING")
    _set(sandbox, ["A", "B"])
    assert sandbox.api("DELETE", f"{DEFINITIONS}/{definition['id']}").status_code == 204
    assert sandbox.state()["custom_field_values"] == []
