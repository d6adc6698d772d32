"""Custom Fields API: definitions, values, and set-values by definition key or id.

Paths from changelogs/custom-fields-api-v1.md and changelogs/custom-fields-def-key.md (set-values is
documented as /api/custom-fields/v1/set-values/, trailing slash: the path without it is not served). The
value bodies and their answers are [A] (the REST value schema is not published): POST values
{"definitionId", "entityId", "value"}, PATCH {"value"}, set-values {"entityId", "values": [{"definitionKey"
or "definitionId", "value"}]}, and each value answers {"id", "definitionId", "definitionKey", "entityId",
"value", "lastIncompatibleValue"}. `null` clears a value [A]. set-values is all-or-nothing [A].
"""

from collections.abc import Mapping
from typing import Any

from sync.sandbox import assets, customfield_changes, customfield_definitions, customfield_standard, spec
from sync.sandbox.common import filtered, new_id
from sync.sandbox.customfield_values import check_value
from sync.sandbox.web import ApiError, Request, Response, Route, check, constraint_violation, paginate

# Where the sandbox keeps each entity a value may belong to; [A] no groups are modelled, so any id goes.
ENTITY_KINDS = {"ASSET": "assets", "SITE": "sites", "CUSTOMER": "customers", "RENTAL_CONTRACT": "contracts"}


# --- definitions ---------------------------------------------------------------------------------------
def _definitions(app) -> dict[str, dict]:
    return app.store.kind("custom_field_definitions")


def _definition(app, definition_id: str) -> dict:
    definition = _definitions(app).get(definition_id)
    if definition is None:
        raise ApiError(404, spec.DEFINITION_NOT_FOUND, f"no custom field definition {definition_id}")
    return definition


def _own_definition(app, definition_id: str) -> dict:
    definition = _definition(app, definition_id)
    if customfield_standard.is_standard(definition):
        raise ApiError(
            403,
            spec.DEFINITION_NOT_OWNED,
            f"{definition['key']} is a Trackunit standard field: it cannot change",
        )
    return definition


def list_definitions(app, request: Request) -> Response:
    """[A] `entityType` and `key` filters: the docs document none for this list."""
    with app.store.lock:
        return paginate(request, filtered(_definitions(app).values(), request.arg, "entityType", "key"))


def create_definition(app, request: Request) -> Response:
    record, violations = customfield_definitions.read_create(request.json())
    check(violations)
    with app.store.lock:
        taken = {d["key"] for d in _definitions(app).values()}
        if record["key"] is None:
            record["key"] = customfield_definitions.generate_key(record, taken)
        elif record["key"] in taken:
            check([spec.violation("key", f"{record['key']!r} is already used by another definition")])
        definition = {"id": new_id(), **record}
        _definitions(app)[definition["id"]] = definition
        return Response.json(201, definition)


def patch_definition(app, request: Request, definition_id: str) -> Response:
    """Changes a definition and adapts its stored values; nothing changes on a 400."""
    body = request.json()
    with app.store.lock:
        old = _own_definition(app, definition_id)
        new, replacements, violations = customfield_definitions.read_patch(body, old)
        check(violations)
        name = next(
            (n for n in customfield_definitions.REPLACEMENTS if n in body), "dropDownValueReplacements"
        )
        check(customfield_changes.replacement_violations(old, new, replacements, name))
        values = [v for v in _values(app).values() if v["definitionId"] == definition_id]
        for record, value, incompatible in customfield_changes.adapt(new, values, replacements):
            if incompatible:
                record["lastIncompatibleValue"] = record["value"]
            record["value"] = value
        old.update(new)
        return Response.json(200, old)


def delete_definition(app, request: Request, definition_id: str) -> Response:
    with app.store.lock:
        _own_definition(app, definition_id)
        del _definitions(app)[definition_id]
        values = _values(app)
        for value_id in [k for k, v in values.items() if v["definitionId"] == definition_id]:
            del values[value_id]
        return Response.empty()


# --- values --------------------------------------------------------------------------------------------
def _values(app) -> dict[str, dict]:
    return app.store.kind("custom_field_values")


def _value(app, value_id: str) -> dict:
    record = _values(app).get(value_id)
    if record is None:
        raise ApiError(404, spec.VALUE_NOT_FOUND, f"no custom field value {value_id}")
    return record


def _entity_violations(app, definition: Mapping[str, Any], entity_id: str, name: str) -> list[spec.Violation]:
    """The entity must exist; [A] a value on a shared asset is a write to that asset (403)."""
    kind = ENTITY_KINDS.get(definition["entityType"])
    if definition["entityType"] == "ACCOUNT":
        exists = entity_id == app.config.account_id
    else:
        exists = kind is None or entity_id in app.store.kind(kind)
    if not exists:
        return [spec.violation(name, f"no {definition['entityType']} {entity_id}")]
    if kind == "assets":
        assets.refuse_unless_owned(app.store.kind("assets")[entity_id], "set its custom field values")
    return []


def _value_violations(definition: Mapping[str, Any], value: Any, name: str) -> list[spec.Violation]:
    problem = None if value is None else check_value(definition, value)
    return [spec.violation(name, f"{definition['key']}: {problem}")] if problem else []


def _find_value(app, definition_id: str, entity_id: str) -> dict | None:
    return next(
        (
            v
            for v in _values(app).values()
            if v["definitionId"] == definition_id and v["entityId"] == entity_id
        ),
        None,
    )


def _store_value(app, definition: Mapping[str, Any], entity_id: str, value: Any) -> dict:
    """Write a value; [A] lastIncompatibleValue stays: "only the latest incompatible value is stored"."""
    record = _find_value(app, definition["id"], entity_id)
    if record is None:
        record = {
            "id": new_id(),
            "definitionId": definition["id"],
            "definitionKey": definition["key"],
            "entityId": entity_id,
            "value": value,
            "lastIncompatibleValue": None,
        }
        _values(app)[record["id"]] = record
    record["value"] = value
    return record


def list_values(app, request: Request) -> Response:
    """GET by `entityId` (api-docs/custom-field-intro.md); [A] also by `definitionId`."""
    with app.store.lock:
        return paginate(request, filtered(_values(app).values(), request.arg, "entityId", "definitionId"))


def create_value(app, request: Request) -> Response:
    body = request.json()
    check(_create_shape(body))
    with app.store.lock:
        definition = _definitions(app).get(body["definitionId"])
        if definition is None:
            raise constraint_violation(
                [spec.violation("definitionId", f"no definition {body['definitionId']}")]
            )
        violations = _entity_violations(app, definition, body["entityId"], "entityId")
        check(violations + _value_violations(definition, body["value"], "value"))
        if _find_value(app, definition["id"], body["entityId"]) is not None:
            check(
                [
                    spec.violation(
                        "definitionId", "this entity already has a value for the definition: PATCH it"
                    )
                ]
            )
        return Response.json(201, _store_value(app, definition, body["entityId"], body["value"]))


def _create_shape(body: Any) -> list[spec.Violation]:
    if not isinstance(body, Mapping):
        return spec.object_body(body)
    checker = spec.Checker(body)
    checker.only(("definitionId", "entityId", "value"))
    checker.text("definitionId", required=True)
    checker.text("entityId", required=True)
    # [A] a new value has a value: clearing is PATCH or set-values with null, or DELETE.
    checker.given("value", required=True)
    return checker.violations


def patch_value(app, request: Request, value_id: str) -> Response:
    body = request.json()
    if not isinstance(body, Mapping) or set(body) != {"value"}:
        check([spec.violation("body", 'must be {"value": ...} (null clears the value)')])
    with app.store.lock:
        record = _value(app, value_id)
        definition = _definition(app, record["definitionId"])
        check(_entity_violations(app, definition, record["entityId"], "entityId"))
        check(_value_violations(definition, body["value"], "value"))
        record["value"] = body["value"]
        return Response.json(200, record)


def delete_value(app, request: Request, value_id: str) -> Response:
    with app.store.lock:
        record = _value(app, value_id)
        check(
            _entity_violations(app, _definition(app, record["definitionId"]), record["entityId"], "entityId")
        )
        del _values(app)[value_id]
        return Response.empty()


def set_values(app, request: Request) -> Response:
    """Every item is checked before any is written; answers {"values": [...]} with each item's record."""
    body = request.json()
    check(_set_values_shape(body))
    entity_id = body["entityId"]
    with app.store.lock:
        by_key = {d["key"]: d for d in _definitions(app).values()}
        chosen: list[tuple[dict, Any]] = []
        violations: list[spec.Violation] = []
        for index, item in enumerate(body["values"]):
            name, reference = next((n, item[n]) for n in ("definitionKey", "definitionId") if n in item)
            definition = (
                by_key.get(reference) if name == "definitionKey" else _definitions(app).get(reference)
            )
            if definition is None:
                violations.append(spec.violation(f"values[{index}].{name}", f"no definition {reference!r}"))
                continue
            if definition["id"] in [d["id"] for d, _ in chosen]:
                violations.append(spec.violation(f"values[{index}].{name}", "names a definition twice"))
            violations += _value_violations(definition, item["value"], f"values[{index}].value")
            chosen.append((definition, item["value"]))
        check(violations)
        for definition in {d["id"]: d for d, _ in chosen}.values():
            check(_entity_violations(app, definition, entity_id, "entityId"))
        written = [_store_value(app, definition, entity_id, value) for definition, value in chosen]
        return Response.json(200, {"values": written})


def _set_values_shape(body: Any) -> list[spec.Violation]:
    if not isinstance(body, Mapping):
        return spec.object_body(body)
    checker = spec.Checker(body)
    checker.only(("entityId", "values"))
    checker.text("entityId", required=True)
    items = body.get("values")
    if not isinstance(items, list) or not items:
        checker.fail("values", "must be a non-empty list of {definitionKey or definitionId, value}")
        return checker.violations
    for index, item in enumerate(items):
        keys = set(item) if isinstance(item, Mapping) else set()
        if keys not in ({"definitionKey", "value"}, {"definitionId", "value"}) or not all(
            isinstance(item[k], str) for k in keys - {"value"}
        ):
            checker.fail(
                f"values[{index}]", 'must be {"definitionKey" or "definitionId": <string>, "value": ...}'
            )
    return checker.violations


ROUTES = [
    Route("GET", spec.CUSTOM_FIELD_DEFINITIONS, list_definitions, "custom-fields"),
    Route("POST", spec.CUSTOM_FIELD_DEFINITIONS, create_definition, "custom-fields"),
    Route("PATCH", spec.CUSTOM_FIELD_DEFINITION, patch_definition, "custom-fields"),
    Route("DELETE", spec.CUSTOM_FIELD_DEFINITION, delete_definition, "custom-fields"),
    Route("GET", spec.CUSTOM_FIELD_VALUES, list_values, "custom-fields"),
    Route("POST", spec.CUSTOM_FIELD_VALUES, create_value, "custom-fields"),
    Route("PATCH", spec.CUSTOM_FIELD_VALUE, patch_value, "custom-fields"),
    Route("DELETE", spec.CUSTOM_FIELD_VALUE, delete_value, "custom-fields"),
    Route("POST", spec.CUSTOM_FIELD_SET_VALUES, set_values, "custom-fields"),
]
