"""Custom-field definitions: created first, since values of every other kind refer to them."""

from collections.abc import Collection, Iterator
from typing import Any

from rentalbridge.customfields.models import CustomFieldDefinition, FieldType
from sync.kinds.base import Desired, Push, RecordKind, first
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


class DefinitionKind(RecordKind):
    name = "definition"
    label = "custom-field definition"
    phase = 1
    model = CustomFieldDefinition
    key_field = "key"

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        definitions = CustomFieldDefinition.objects.all()
        if keys is not None:
            definitions = definitions.filter(key__in=keys)
        for d in definitions.iterator():
            yield Desired(d.key, _payload(d), d.updated_at)

    def push(self, api: TrackunitApi, push: Push) -> str:
        if push.action == "delete":
            api.delete_custom_field_definition(push.remote_id)
            return push.remote_id
        remote_id = push.remote_id
        if not remote_id:
            # Idempotent create: a definition an earlier, interrupted run created is found by its key.
            found = first(api.list_custom_field_definitions(key=push.key), key=push.key)
            if found is None:
                remote_id = api.create_custom_field_definition(push.payload)["id"]
                CustomFieldDefinition.objects.filter(key=push.key).update(trackunit_id=remote_id)
                return remote_id
            remote_id = found["id"]
        body = {k: v for k, v in push.payload.items() if k not in IMMUTABLE}
        api.update_custom_field_definition(remote_id, body)
        CustomFieldDefinition.objects.filter(key=push.key).update(trackunit_id=remote_id)
        return remote_id

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for record in api.list_custom_field_definitions():
            yield record["key"], record["id"], record
