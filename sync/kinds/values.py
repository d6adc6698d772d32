"""Custom-field values, set per record by definition key once the record and definitions exist remotely."""

from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from assets.models import Asset, Depot
from contracts.models import Contract
from customers.models import Customer
from rentalbridge.customfields.models import CustomFieldValue, EntityType
from sync import remote_assets
from sync.kinds.base import Desired, Kind, NotReady, Push
from sync.planned import PlannedOperation
from sync.trackunit import wire
from sync.trackunit.endpoints import TrackunitApi

# entity type -> (model, the field holding its Trackunit id, the kind whose push creates it remotely)
ENTITIES: dict[str, tuple[type[Model], str, str | None]] = {
    EntityType.ASSET: (Asset, "trackunit_asset_id", "asset_reference"),
    EntityType.SITE: (Depot, "trackunit_site_id", "depot"),
    EntityType.CUSTOMER: (Customer, "trackunit_id", "customer"),
    EntityType.RENTAL_CONTRACT: (Contract, "trackunit_id", None),
}
SEPARATOR = ":"


class ValuesKind(Kind):
    name = "custom_fields"
    label = "custom-field values"
    phase = 8

    def _records(self) -> dict[str, tuple[dict[str, Any], datetime]]:
        """key -> ({definition key: value}, newest update) for every record holding values."""
        types = ContentType.objects.get_for_models(*(model for model, _, _ in ENTITIES.values()))
        entity_of = {types[model].pk: (entity, model) for entity, (model, _, _) in ENTITIES.items()}
        grouped: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
        newest: dict[tuple[int, int], datetime] = {}
        rows = CustomFieldValue.objects.values_list(
            "content_type_id", "object_id", "definition__key", "value", "updated_at"
        )
        for content_type_id, object_id, key, value, updated_at in rows.iterator(chunk_size=5000):
            if content_type_id not in entity_of:
                continue
            grouped[(content_type_id, object_id)][key] = value
            newest[(content_type_id, object_id)] = max(
                updated_at, newest.get((content_type_id, object_id), updated_at)
            )
        references: dict[tuple[int, int], str] = {}
        for content_type_id, (_, model) in entity_of.items():
            ids = [object_id for (ct, object_id) in grouped if ct == content_type_id]
            for pk, reference in model._default_manager.filter(pk__in=ids).values_list(
                "pk", "external_reference"
            ):
                references[(content_type_id, pk)] = reference
        return {
            f"{entity_of[record[0]][0]}{SEPARATOR}{references[record]}": (
                dict(sorted(values.items())),
                newest[record],
            )
            for record, values in grouped.items()
            if record in references
        }

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        for key, (values, version) in self._records().items():
            if keys is not None and key not in keys:
                continue
            entity, reference = key.split(SEPARATOR, 1)
            parent_kind = ENTITIES[entity][2]
            depends = [f"definition:{name}" for name in values]
            if parent_kind:
                depends.append(f"{parent_kind}:{reference}")
            yield Desired(key, values, version, tuple(depends))

    def blocked(self, operations: list[PlannedOperation]) -> dict[str, str]:
        assets = {op.key.split(SEPARATOR, 1)[1]: op.key for op in operations if op.key.startswith("ASSET:")}
        reasons = remote_assets.foreign_reasons(list(assets))
        return {assets[reference]: reason for reference, reason in reasons.items()}

    def push(self, api: TrackunitApi, push: Push) -> str:
        entity, reference = push.key.split(SEPARATOR, 1)
        if entity == EntityType.ASSET:
            remote_assets.ensure_writable(reference)
        model, id_field, _ = ENTITIES[entity]
        entity_id = push.remote_id or (
            model._default_manager.filter(external_reference=reference)
            .values_list(id_field, flat=True)
            .first()
        )
        if not entity_id:
            message = f"{model._meta.verbose_name} {reference} is not in Trackunit yet"
            raise remote_assets.not_in_trackunit(message) if entity == EntityType.ASSET else NotReady(message)
        values = dict(push.payload or {})
        # A value removed locally is cleared remotely.
        for removed in (push.previous or {}).keys() - values.keys():
            values[removed] = None
        api.set_custom_field_values(wire.set_values_body(entity_id=str(entity_id), values=values))
        return str(entity_id)
