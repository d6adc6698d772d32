"""Custom Fields API: definitions with their rules, and values checked against them.

Every value goes through rentalbridge.customfields.rules.check_value, the same function RentalBridge uses
before saving, so a value the app accepts is a value the sandbox accepts and vice versa.
"""

from typing import Any

from rentalbridge.customfields import rules
from sync.sandbox.common import filtered, new_id
from sync.sandbox.web import ApiError, Request, Response, Route, check, constraint_violation, paginate
from sync.trackunit import wire

FIELDS = (
    "key",
    "title",
    "description",
    "type",
    "entityType",
    "options",
    "multiSelect",
    "minimum",
    "maximum",
    "maxLength",
    "pattern",
    "currency",
    "unit",
    "uiVisible",
    "uiEditable",
    "scope",
)
DEFAULTS = {"multiSelect": False, "uiVisible": True, "uiEditable": True, "scope": "ACCOUNT"}
IMMUTABLE = ("key", "type", "entityType", "currency")
# [A] which rule fields make sense for which type; others are refused so a typo cannot pass silently.
RULE_FIELDS_BY_TYPE = {
    rules.DROPDOWN: ("options", "multiSelect"),
    rules.NUMBER: ("minimum", "maximum", "unit"),
    rules.MONETARY: ("minimum", "maximum", "currency"),
    rules.STRING: ("maxLength", "pattern"),
}
RULE_FIELD_NAMES = {"multi_select": "multiSelect", "max_length": "maxLength"}
ENTITY_KINDS = {"ASSET": "assets", "SITE": "sites", "CUSTOMER": "customers", "RENTAL_CONTRACT": "contracts"}


def _definition(app, definition_id: str) -> dict:
    definition = app.store.kind("custom_field_definitions").get(definition_id)
    if definition is None:
        raise ApiError(404, wire.DEFINITION_NOT_FOUND, f"no custom field definition {definition_id}")
    return definition


def _check_rules(definition: dict) -> None:
    violations = [
        wire.violation(name, f"not used by {definition['type']} fields")
        for name in ("options", "minimum", "maximum", "maxLength", "pattern", "currency", "unit")
        if definition.get(name) not in (None, [])
        and name not in RULE_FIELDS_BY_TYPE.get(definition["type"], ())
    ]
    check(violations)
    try:
        rules.check_definition(wire.definition_rules(definition))
    except rules.RuleViolation as exc:
        raise constraint_violation(
            [wire.violation(RULE_FIELD_NAMES.get(exc.rule, exc.rule), exc.message)]
        ) from None


def list_definitions(app, request: Request) -> Response:
    with app.store.lock:
        records = filtered(
            app.store.kind("custom_field_definitions").values(), request.arg, "entityType", "key"
        )
        return paginate(request, records)


def create_definition(app, request: Request) -> Response:
    body = request.json()
    check(wire.validate_definition(body))
    definition = {"id": new_id(), **{name: body.get(name, DEFAULTS.get(name)) for name in FIELDS}}
    if definition["type"] == rules.DROPDOWN:
        definition["options"] = definition["options"] or []
    _check_rules(definition)
    with app.store.lock:
        definitions = app.store.kind("custom_field_definitions")
        if any(d["key"] == definition["key"] for d in definitions.values()):
            check([wire.violation("key", f"{definition['key']!r} is already used by another definition")])
        definitions[definition["id"]] = definition
        return Response.json(201, definition)


def patch_definition(app, request: Request, definition_id: str) -> Response:
    """Changes rules and adapts stored values the way Trackunit describes; nothing changes on a 400."""
    body = request.json()
    check(wire.validate_definition(body, partial=True))
    with app.store.lock:
        definition = _definition(app, definition_id)
        check(
            [
                wire.violation(name, "cannot be changed after creation")
                for name in IMMUTABLE
                if name in body and body[name] != definition[name]
            ]
        )
        replacements = body.get("optionReplacements") or {}
        updated = {**definition, **{k: v for k, v in body.items() if k != "optionReplacements"}}
        for name in ("multiSelect", "uiVisible", "uiEditable", "scope"):
            if updated[name] is None:
                updated[name] = DEFAULTS[name]
        _check_rules(updated)
        new_rules = wire.definition_rules(updated)
        bad_replacements = [
            wire.violation(f"optionReplacements.{old}", f"{new!r} is not one of the new options")
            for old, new in replacements.items()
            if new not in (updated.get("options") or [])
        ]
        check(bad_replacements)
        changes = _adapt_values(app, definition_id, new_rules, replacements)
        definition.update(updated)
        values = app.store.kind("custom_field_values")
        for value_id, (value, last) in changes.items():
            values[value_id].update({"value": value, "lastIncompatibleValue": last})
        return Response.json(200, definition)


def _adapt_values(app, definition_id: str, new_rules: rules.FieldRules, replacements: dict) -> dict:
    """What each stored value becomes under the new rules; raises if a removed option has no replacement."""
    changes: dict[str, tuple[Any, Any]] = {}
    missing: set[str] = set()
    for record in app.store.kind("custom_field_values").values():
        if record["definitionId"] != definition_id or record["value"] is None:
            continue
        old = record["value"]
        try:
            rules.check_value(new_rules, old)
            continue
        except rules.RuleViolation as exc:
            rule = exc.rule
        if new_rules.type == rules.DROPDOWN and rule == "options":
            chosen = old if isinstance(old, list) else [old]
            unknown = [o for o in chosen if o not in new_rules.options and o not in replacements]
            missing.update(unknown)
            mapped = [replacements.get(o, o) for o in chosen]
            new_value = list(dict.fromkeys(mapped)) if isinstance(old, list) else mapped[0]
            changes[record["id"]] = (new_value, old)
        elif new_rules.type == rules.STRING and rule == "max_length":
            changes[record["id"]] = (old[: new_rules.max_length], old)
        else:
            changes[record["id"]] = (None, old)
    if missing:
        check(
            [
                wire.violation("optionReplacements", f"option {option!r} is still used: name a replacement")
                for option in sorted(missing)
            ]
        )
    return changes


def delete_definition(app, request: Request, definition_id: str) -> Response:
    with app.store.lock:
        _definition(app, definition_id)
        del app.store.kind("custom_field_definitions")[definition_id]
        values = app.store.kind("custom_field_values")
        for value_id in [k for k, v in values.items() if v["definitionId"] == definition_id]:
            del values[value_id]
        return Response.empty()


# --- values --------------------------------------------------------------------------------------------
def _checked(definition: dict, value: Any) -> Any:
    try:
        return rules.check_value(wire.definition_rules(definition), value)
    except rules.RuleViolation as exc:
        raise constraint_violation([wire.violation(definition["key"], exc.message)]) from None


def _ensure_entity(app, definition: dict, entity_id: str) -> None:
    kind = ENTITY_KINDS.get(definition["entityType"])
    if kind is not None and entity_id not in app.store.kind(kind):
        check([wire.violation("entityId", f"no {definition['entityType']} {entity_id}")])


def _value_record(definition: dict, entity_id: str, value: Any) -> dict:
    return {
        "id": new_id(),
        "definitionId": definition["id"],
        "key": definition["key"],
        "entityId": entity_id,
        "entityType": definition["entityType"],
        "value": value,
        "lastIncompatibleValue": None,
    }


def list_values(app, request: Request) -> Response:
    with app.store.lock:
        records = filtered(
            app.store.kind("custom_field_values").values(), request.arg, "entityId", "definitionId"
        )
        return paginate(request, records)


def create_value(app, request: Request) -> Response:
    body = request.json()
    check(wire.validate_value(body))
    with app.store.lock:
        definition = app.store.kind("custom_field_definitions").get(body["definitionId"])
        if definition is None:
            check([wire.violation("definitionId", f"no definition {body['definitionId']}")])
        _ensure_entity(app, definition, body["entityId"])
        value = _checked(definition, body["value"])
        values = app.store.kind("custom_field_values")
        if any(
            v["definitionId"] == definition["id"] and v["entityId"] == body["entityId"]
            for v in values.values()
        ):
            check(
                [
                    wire.violation(
                        "definitionId", "this entity already has a value for the definition: PATCH it"
                    )
                ]
            )
        record = _value_record(definition, body["entityId"], value)
        values[record["id"]] = record
        return Response.json(201, record)


def _value(app, value_id: str) -> dict:
    record = app.store.kind("custom_field_values").get(value_id)
    if record is None:
        raise ApiError(404, wire.VALUE_NOT_FOUND, f"no custom field value {value_id}")
    return record


def patch_value(app, request: Request, value_id: str) -> Response:
    body = request.json()
    check(wire.validate_value(body, partial=True))
    with app.store.lock:
        record = _value(app, value_id)
        definition = _definition(app, record["definitionId"])
        record["value"] = _checked(definition, body["value"])
        record["lastIncompatibleValue"] = None
        return Response.json(200, record)


def delete_value(app, request: Request, value_id: str) -> Response:
    with app.store.lock:
        _value(app, value_id)
        del app.store.kind("custom_field_values")[value_id]
        return Response.empty()


def set_values(app, request: Request) -> Response:
    """[A] Answers {"values": [...]} with every value record of the call, created or updated."""
    body = request.json()
    check(wire.validate_set_values(body))
    entity_id = body["entityId"]
    with app.store.lock:
        by_key = {d["key"]: d for d in app.store.kind("custom_field_definitions").values()}
        violations = [
            wire.violation(f"values[{i}].key", f"no definition with key {item['key']!r}")
            for i, item in enumerate(body["values"])
            if item["key"] not in by_key
        ]
        check(violations)
        checked = []
        for item in body["values"]:
            definition = by_key[item["key"]]
            _ensure_entity(app, definition, entity_id)
            checked.append((definition, _checked(definition, item["value"])))
        values = app.store.kind("custom_field_values")
        answer = []
        for definition, value in checked:
            record = next(
                (
                    v
                    for v in values.values()
                    if v["definitionId"] == definition["id"] and v["entityId"] == entity_id
                ),
                None,
            )
            if record is None:
                record = _value_record(definition, entity_id, value)
                values[record["id"]] = record
            record.update({"value": value, "lastIncompatibleValue": None})
            answer.append(record)
        return Response.json(200, {"values": answer})


ROUTES = [
    Route("GET", wire.CUSTOM_FIELD_DEFINITIONS, list_definitions, "custom-fields"),
    Route("POST", wire.CUSTOM_FIELD_DEFINITIONS, create_definition, "custom-fields"),
    Route("PATCH", wire.CUSTOM_FIELD_DEFINITION, patch_definition, "custom-fields"),
    Route("DELETE", wire.CUSTOM_FIELD_DEFINITION, delete_definition, "custom-fields"),
    Route("GET", wire.CUSTOM_FIELD_VALUES, list_values, "custom-fields"),
    Route("POST", wire.CUSTOM_FIELD_VALUES, create_value, "custom-fields"),
    Route("PATCH", wire.CUSTOM_FIELD_VALUE, patch_value, "custom-fields"),
    Route("DELETE", wire.CUSTOM_FIELD_VALUE, delete_value, "custom-fields"),
    Route("POST", wire.CUSTOM_FIELD_SET_VALUES, set_values, "custom-fields"),
]
