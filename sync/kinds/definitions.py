"""Custom-field definitions: created first, since values of every other kind refer to them.

Trackunit's standard fields (rentalbridge.customfields.standard) exist there already and belong to
Trackunit: a local definition with such a key is never pushed; its values are set by key all the same.
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from rentalbridge.customfields.models import CustomFieldDefinition, FieldType
from rentalbridge.customfields.standard import STANDARD_FIELDS
from sync.kinds.base import Push, UpsertKind, first
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi


def _payload(d: CustomFieldDefinition) -> dict[str, Any]:
    by_type: dict[str, dict[str, Any]] = {
        FieldType.DROPDOWN: {"all_values": d.options, "multi_select": d.multi_select},
        FieldType.MONETARY: {"currency": d.currency, "minimum": d.minimum, "maximum": d.maximum},
        FieldType.NUMBER: {
            "minimum": d.minimum,
            "maximum": d.maximum,
            "unit_si": d.unit_si or None,
            "unit_us": d.unit_us or None,
            "is_integer": d.is_integer,
        },
        FieldType.STRING: {
            "minimum_length": d.min_length,
            "maximum_length": d.max_length,
            "pattern": d.pattern or None,
            "default_string_value": d.default_string_value or None,
        },
    }
    typed = by_type.get(d.type, {})
    return wire.definition_body(
        key=d.key,
        title=d.title,
        type=d.type,
        entity_type=d.entity_type,
        description=d.description or None,
        ui_visible=d.ui_visible,
        ui_editable=d.ui_editable,
        scope_type=d.scope,
        **typed,
    )


class DefinitionKind(UpsertKind[CustomFieldDefinition]):
    name = "definition"
    label = "custom-field definition"
    phase = 1
    # 2: the documented property names (translations, allValues, scopeType, unitSi/unitUs, ...).
    mapping_version = 2
    model = CustomFieldDefinition
    key_field = "key"
    remote_id_field = "trackunit_id"

    def rows(self) -> QuerySet:
        return CustomFieldDefinition.objects.exclude(key__in=STANDARD_FIELDS)

    def payload(self, record: CustomFieldDefinition) -> dict[str, Any]:
        return _payload(record)

    def find_remote(self, api: TrackunitApi, key: str) -> dict[str, Any] | None:
        return first(api.list_custom_field_definitions(key=key), key=key)

    def create_remote(self, api: TrackunitApi, payload: dict[str, Any]) -> dict[str, Any]:
        return api.create_custom_field_definition(payload)

    def update_remote(self, api: TrackunitApi, remote_id: str, push: Push) -> None:
        previous = (push.previous or {}).get("allValues") or []
        kept = push.body.get("allValues") or []
        stored = (
            CustomFieldDefinition.objects.filter(key=push.key)
            .values_list("value_replacements", flat=True)
            .first()
            or {}
        )
        replacements = {
            option: stored[option] for option in previous if option not in kept and option in stored
        }
        api.update_custom_field_definition(
            remote_id, wire.definition_patch_body(push.body, value_replacements=replacements)
        )

    def delete_remote(self, api: TrackunitApi, push: Push) -> None:
        api.delete_custom_field_definition(push.remote_id)

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for record in api.list_custom_field_definitions():
            definition = wire.read_definition(record)
            # Definitions made elsewhere may have no key; the standard ones are Trackunit's, not ours.
            if definition.get("key") and definition["key"] not in STANDARD_FIELDS:
                yield definition["key"], definition["id"], definition
