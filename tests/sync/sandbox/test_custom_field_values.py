"""Custom-field values: per-type rules, create/patch/delete, set-values by key or id, shared assets.

Paths: changelogs/custom-fields-api-v1.md and changelogs/custom-fields-def-key.md (set-values/ with its
trailing slash). Value bodies and the read shape are [A] (decisions.md); type rules from
defining-a-custom-field.md ("Phone number stored in E.164 format", "Date stored in ISO8601 format").
"""

import pytest

from tests.sync.sandbox.helpers import foreign_asset, owned_asset, violated_fields

DEFINITIONS = "/custom-fields/v1/definitions"
VALUES = "/custom-fields/v1/values"
SET_VALUES = "/custom-fields/v1/set-values/"


def _define(sandbox, key, field_type, **properties):
    # defining-a-custom-field.md's property names.
    body = {
        "key": key,
        "type": field_type,
        "entityType": properties.pop("entityType", "ASSET"),
        "translations": [{"language": "en", "title": key}],
        **properties,
    }
    answer = sandbox.api("POST", DEFINITIONS, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.mark.parametrize(
    ("field_type", "properties", "good", "bad"),
    [
        ("BOOLEAN", {}, [True, False], ["true", 1]),
        ("DATE", {}, ["2025-02-28"], ["2025-02-30", "28/02/2025", "2025-02-28T10:00:00Z", 20250228]),
        ("DROPDOWN", {"allValues": ["S", "M", "L"]}, ["M"], ["XL", ["M"], ""]),
        (
            "DROPDOWN",
            {"allValues": ["S", "M"], "multiSelect": True},
            [["S", "M"], ["M"]],
            ["S", ["S", "S"], ["XL"], []],
        ),
        ("EMAIL", {}, ["ops@acme.example"], ["ops@", "ops acme.example", 5]),
        ("MONETARY", {"currency": "EUR", "minimum": 0}, [0, 12.5, 1000000], [-1, "12.50", True]),
        ("NUMBER", {"minimum": -10, "maximum": 10}, [-10, 0.25, 10], [10.5, -11, "3", False]),
        ("NUMBER", {"isInteger": True}, [3, 3.0, -7], [3.5]),
        (
            "PHONE_NUMBER",
            {},
            ["+4512345678", "+12025550123"],
            ["12345678", "+45 12 34 56 78", "+0123", "+1234567890123456"],
        ),
        (
            "STRING",
            {"minimumLength": 2, "maximumLength": 4, "pattern": "[A-Z]+"},
            ["AB", "ABCD"],
            ["A", "ABCDE", "ab", "AB1", 12],
        ),
        (
            "WEB_ADDRESS",
            {},
            ["https://acme.example/x?y=1", "http://acme.example"],
            ["acme.example", "ftp://acme.example", "https://", "https://a b.example"],
        ),
        ("JSON", {}, [{"a": [1, None]}, [1, 2], "text", 4, False], []),
    ],
)
def test_values_per_type(sandbox, field_type, properties, good, bad):
    definition = _define(sandbox, "field", field_type, **properties)
    asset_id = owned_asset(sandbox)["id"]
    for value in good:
        # [A] set-values item {"definitionKey", "value"} (custom-fields-def-key.md: keys "as an alternative").
        answer = sandbox.api(
            "POST",
            SET_VALUES,
            json={"entityId": asset_id, "values": [{"definitionKey": "field", "value": value}]},
        )
        assert answer.status_code == 200, (value, answer.text)
        assert answer.json()["values"][0]["value"] == value
    for value in bad:
        answer = sandbox.api(
            "POST",
            SET_VALUES,
            json={"entityId": asset_id, "values": [{"definitionId": definition["id"], "value": value}]},
        )
        assert violated_fields(answer) == ["values[0].value"], value


def test_value_create_patch_clear_and_delete(sandbox):
    definition = _define(sandbox, "projectCode", "STRING", maximumLength=8)
    asset_id = owned_asset(sandbox)["id"]
    # [A] POST values {"definitionId", "entityId", "value"}.
    created = sandbox.api(
        "POST", VALUES, json={"definitionId": definition["id"], "entityId": asset_id, "value": "P-17"}
    )
    assert created.status_code == 201
    value = created.json()
    # [A] read shape, with custom-field-intro.md's lastIncompatibleValue.
    assert value == {
        "id": value["id"],
        "definitionId": definition["id"],
        "definitionKey": "projectCode",
        "entityId": asset_id,
        "value": "P-17",
        "lastIncompatibleValue": None,
    }
    path = f"{VALUES}/{value['id']}"
    assert violated_fields(sandbox.api("PATCH", path, json={"value": "P-1234567"})) == ["value"]
    assert sandbox.api("PATCH", path, json={"value": "P-18"}).json()["value"] == "P-18"
    listed = sandbox.api("GET", VALUES, params={"entityId": asset_id}).json()["content"]
    assert [v["value"] for v in listed] == ["P-18"]
    # [A] null clears a value; the record stays.
    assert sandbox.api("PATCH", path, json={"value": None}).json()["value"] is None
    assert sandbox.api("DELETE", path).status_code == 204
    assert sandbox.api("DELETE", path).json()["code"] == "custom_field_value_not_found"


@pytest.mark.parametrize(
    ("make_body", "field"),
    [
        (lambda d, a: {"entityId": a, "value": "x"}, "definitionId"),
        (lambda d, a: {"definitionId": "nope", "entityId": a, "value": "x"}, "definitionId"),
        (lambda d, a: {"definitionId": d, "entityId": "no-such-asset", "value": "x"}, "entityId"),
        # [A] a new value has a value: null clears an existing one.
        (lambda d, a: {"definitionId": d, "entityId": a, "value": None}, "value"),
        # Keys are for set-values only (custom-fields-def-key.md).
        (lambda d, a: {"definitionKey": "projectCode", "entityId": a, "value": "x"}, "definitionKey"),
    ],
)
def test_value_create_rules(sandbox, make_body, field):
    definition = _define(sandbox, "projectCode", "STRING")
    body = make_body(definition["id"], owned_asset(sandbox)["id"])
    assert field in violated_fields(sandbox.api("POST", VALUES, json=body))
    assert sandbox.state()["custom_field_values"] == []


def test_one_value_per_entity_and_definition(sandbox):
    definition = _define(sandbox, "projectCode", "STRING")
    body = {"definitionId": definition["id"], "entityId": owned_asset(sandbox)["id"], "value": "A"}
    assert sandbox.api("POST", VALUES, json=body).status_code == 201
    assert violated_fields(sandbox.api("POST", VALUES, json=body)) == ["definitionId"]


def test_set_values_by_key_and_id_is_all_or_nothing(sandbox):
    _define(sandbox, "projectCode", "STRING")
    rate = _define(sandbox, "hireRate", "MONETARY", currency="EUR", minimum=0)
    asset_id = owned_asset(sandbox)["id"]
    bad = {
        "entityId": asset_id,
        "values": [
            {"definitionKey": "projectCode", "value": "P-1"},
            {"definitionId": rate["id"], "value": -3},
        ],
    }
    assert violated_fields(sandbox.api("POST", SET_VALUES, json=bad)) == ["values[1].value"]
    assert sandbox.state()["custom_field_values"] == []
    good = {
        "entityId": asset_id,
        "values": [
            {"definitionKey": "projectCode", "value": "P-1"},
            {"definitionId": rate["id"], "value": 12.5},
        ],
    }
    answer = sandbox.api("POST", SET_VALUES, json=good)
    assert answer.status_code == 200
    assert {v["definitionKey"]: v["value"] for v in answer.json()["values"]} == {
        "projectCode": "P-1",
        "hireRate": 12.5,
    }
    # null clears [A]; the other value stays.
    cleared = {"entityId": asset_id, "values": [{"definitionKey": "hireRate", "value": None}]}
    sandbox.api("POST", SET_VALUES, json=cleared)
    assert {v["definitionKey"]: v["value"] for v in sandbox.state()["custom_field_values"]} == {
        "projectCode": "P-1",
        "hireRate": None,
    }


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{"definitionKey": "nope", "value": 1}], "values[0].definitionKey"),
        ([{"definitionId": "nope", "value": 1}], "values[0].definitionId"),
        (
            [{"definitionKey": "projectCode", "value": "a"}, {"definitionKey": "projectCode", "value": "b"}],
            "values[1].definitionKey",
        ),
        ([{"key": "projectCode", "value": "a"}], "values[0]"),
        ([{"definitionKey": "projectCode", "definitionId": "x", "value": "a"}], "values[0]"),
        ([{"definitionKey": "projectCode"}], "values[0]"),
        ([], "values"),
    ],
)
def test_set_values_shape(sandbox, items, field):
    _define(sandbox, "projectCode", "STRING")
    answer = sandbox.api("POST", SET_VALUES, json={"entityId": owned_asset(sandbox)["id"], "values": items})
    assert field in violated_fields(answer)


def test_set_values_path_has_a_trailing_slash(sandbox):
    _define(sandbox, "projectCode", "STRING")
    body = {
        "entityId": owned_asset(sandbox)["id"],
        "values": [{"definitionKey": "projectCode", "value": "x"}],
    }
    # custom-fields-def-key.md: POST /api/custom-fields/v1/set-values/ (with the slash).
    assert sandbox.api("POST", "/custom-fields/v1/set-values/", json=body).status_code == 200
    without = sandbox.api("POST", "/custom-fields/v1/set-values", json=body)
    assert (without.status_code, without.json()["code"]) == (404, "not_found")


def test_standard_fields_are_settable_by_key(sandbox):
    asset_id = owned_asset(sandbox)["id"]
    # custom-field-intro.md's standard keys.
    body = {
        "entityId": asset_id,
        "values": [
            {"definitionKey": "licensePlate", "value": "AB 12 345"},
            {"definitionKey": "engineFuelType", "value": "HVO100"},
            {"definitionKey": "oem-licensed", "value": True},
            {"definitionKey": "warrantyEndDate", "value": "2027-06-30"},
        ],
    }
    answer = sandbox.api("POST", SET_VALUES, json=body)
    assert answer.status_code == 200
    assert [v["definitionKey"] for v in answer.json()["values"]] == [
        "licensePlate",
        "engineFuelType",
        "oem-licensed",
        "warrantyEndDate",
    ]
    wrong = {"entityId": asset_id, "values": [{"definitionKey": "engineFuelType", "value": "Coal"}]}
    assert violated_fields(sandbox.api("POST", SET_VALUES, json=wrong)) == ["values[0].value"]


def test_values_on_shared_assets_are_403(sandbox):
    definition = _define(sandbox, "projectCode", "STRING")
    shared = foreign_asset(sandbox)["id"]
    # [A] a value on an asset the account does not own is a write to that asset.
    for path, body in (
        (VALUES, {"definitionId": definition["id"], "entityId": shared, "value": "x"}),
        (SET_VALUES, {"entityId": shared, "values": [{"definitionKey": "projectCode", "value": "x"}]}),
        (SET_VALUES, {"entityId": shared, "values": [{"definitionKey": "licensePlate", "value": "x"}]}),
    ):
        answer = sandbox.api("POST", path, json=body)
        assert answer.status_code == 403
        assert answer.json()["code"] == "only_owner_of_the_asset_can_edit_given_fields"
    assert sandbox.state()["custom_field_values"] == []


def test_entities_of_other_types(sandbox):
    site_field = _define(sandbox, "gate", "STRING", entityType="SITE")
    account_field = _define(sandbox, "tier", "STRING", entityType="ACCOUNT")
    asset_id = owned_asset(sandbox)["id"]
    # An asset id is no site.
    wrong = {"definitionId": site_field["id"], "entityId": asset_id, "value": "North"}
    assert violated_fields(sandbox.api("POST", VALUES, json=wrong)) == ["entityId"]
    account_id = sandbox.api("GET", "/asset/v1/assets/" + asset_id).json()["ownerAccountId"]
    ok = {"definitionId": account_field["id"], "entityId": account_id, "value": "gold"}
    assert sandbox.api("POST", VALUES, json=ok).status_code == 201


def test_nan_is_not_json(sandbox):
    _define(sandbox, "hours", "NUMBER")
    # RFC 8259 has no NaN: a body carrying one is not JSON.
    body = '{"entityId": "x", "values": [{"definitionKey": "hours", "value": NaN}]}'
    answer = sandbox.api("POST", SET_VALUES, data=body, headers={"Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["code"]) == (400, "bad_request")
