"""Custom-field definitions: created first, since values of every other kind refer to them."""

from collections.abc import Iterator
from typing import Any

from rentalbridge.customfields.models import CustomFieldDefinition, FieldType
from sync.kinds.base import Push, UpsertKind, first
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi

# Trackunit never changes these after creation; a PATCH must not carry them.
IMMUTABLE = ("key", "type", "entityType")


def _payload(d: CustomFieldDefinition) -> dict[str, Any]:
    typed = {
        FieldType.DROPDOWN: {"options": d.options, "multi_select": d.multi_select},
        FieldType.MONETARY: {"currency": d.currency},
        FieldType.NUMBER: {"minimum": d.minimum, "maximum": d.maximum, "unit": d.unit or None},
        FieldType.STRING: {"max_length": d.max_length, "pattern": d.pattern or None},
    }.get(d.type, {})
    return wire.definition_body(
        key=d.key,
        title=d.title,
        type=d.type,
        entity_type=d.entity_type,
        description=d.description or None,
        ui_visible=d.ui_visible,
        ui_editable=d.ui_editable,
        scope=d.scope,
        **typed,
    )


class DefinitionKind(UpsertKind):
    name = "definition"
    label = "custom-field definition"
    phase = 1
    model = CustomFieldDefinition
    key_field = "key"
    remote_id_field = "trackunit_id"

    def payload(self, record: CustomFieldDefinition) -> dict[str, Any]:
        return _payload(record)

    def find_remote(self, api: TrackunitApi, key: str) -> dict[str, Any] | None:
        return first(api.list_custom_field_definitions(key=key), key=key)

    def create_remote(self, api: TrackunitApi, payload: dict[str, Any]) -> dict[str, Any]:
        return api.create_custom_field_definition(payload)

    def update_remote(self, api: TrackunitApi, remote_id: str, push: Push) -> None:
        api.update_custom_field_definition(
            remote_id, {k: v for k, v in push.payload.items() if k not in IMMUTABLE}
        )

    def delete_remote(self, api: TrackunitApi, push: Push) -> None:
        api.delete_custom_field_definition(push.remote_id)

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for record in api.list_custom_field_definitions():
            yield record["key"], record["id"], record
