"""CSV columns of custom-field definitions and values.

A value row names its field by key, the kind of record by entity type and the record by its external
reference; its cell is read with the same `rules.from_text` the admin form uses, so "yes", "2026-05-01" or
"red, blue" mean the same everywhere. Dropdown options are written separated by "|" in one cell.
"""

from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from import_export.fields import Field
from import_export.widgets import Widget

from rentalbridge.customfields import rules
from rentalbridge.customfields.models import (
    ENTITY_MODELS,
    CustomFieldDefinition,
    CustomFieldValue,
    EntityType,
)
from rentalbridge.imports import cells
from rentalbridge.imports.batch import Batch
from rentalbridge.imports.bulk_resource import BulkModelResource, reference_field
from rentalbridge.imports.prefetch import rows_where_in

OPTION_SEPARATOR = "|"
# The definition's settings its rules are made of (CustomFieldDefinition.rules).
RULE_ATTNAMES = [
    *("key", "type", "options", "multi_select", "minimum", "maximum", "max_length", "min_length"),
    *("pattern", "currency", "is_integer", "unit_si", "unit_us"),
]


def _options(text: str) -> list[str]:
    return [option.strip() for option in text.split(OPTION_SEPARATOR) if option.strip()]


class OptionsWidget(Widget):
    def clean(self, value, row=None, **kwargs):
        return _options(value or "")

    def render(self, value, obj=None, **kwargs):
        return OPTION_SEPARATOR.join(value or [])


class CustomFieldDefinitionResource(BulkModelResource):
    entity = "custom-field-definitions"
    natural_key = ("key",)
    required_columns = ("key", "entity_type", "title", "type")
    column_parsers = {"options": _options}
    example_row = {
        "key": "fuel_type",
        "entity_type": "ASSET",
        "title": "Fuel type",
        "type": "DROPDOWN",
        "multi_select": "no",
        "options": "Diesel|Electric|HVO",
        "ui_visible": "yes",
        "ui_editable": "yes",
        "scope": "ACCOUNT",
    }

    options = Field(attribute="options", column_name="options", widget=OptionsWidget())

    class Meta:
        model = CustomFieldDefinition
        fields = (
            "key",
            "entity_type",
            "title",
            "description",
            "type",
            "multi_select",
            "options",
            "currency",
            "minimum",
            "maximum",
            "unit_si",
            "unit_us",
            "is_integer",
            "min_length",
            "max_length",
            "pattern",
            "default_string_value",
            "ui_visible",
            "ui_editable",
            "scope",
        )
        import_id_fields = ("key",)
        skip_unchanged = True
        report_skipped = True

    def check_set(self, batch: Batch) -> None:
        self._check_rules(batch)
        if not batch.has("type"):
            return
        for index in batch.ok_indexes():
            pk = batch.existing[index]
            if pk is not None and batch.stored[pk]["type"] != batch.get("type", index):
                stored = batch.stored[pk]["type"]
                batch.reject(
                    index, "type", "type_change", f"the type of a custom field cannot change (it is {stored})"
                )

    def _check_rules(self, batch: Batch) -> None:
        """A definition's settings must agree, including the stored ones of columns the file leaves out."""
        for index, values in self.effective_values(batch, RULE_ATTNAMES).items():
            definition = CustomFieldDefinition(**{k: v for k, v in values.items() if v is not None})
            try:
                rules.check_definition(definition.rules)
            except rules.RuleViolation as exc:
                column = exc.rule if exc.rule in batch.raw else "type"
                batch.reject(index, column, exc.rule, exc.message)


class CustomFieldValueResource(BulkModelResource):
    entity = "custom-field-values"
    natural_key = ("definition_id", "content_type_id", "object_id")
    required_columns = ("definition_key", "entity_type", "record_reference", "value")
    column_parsers = {
        "entity_type": cells.choices_parser(list(EntityType.choices)),
        "record_reference": cells.text_parser(required=True),
        "value": str,
    }
    # Export: the entity type is the definition's; record reference and value text come from export_chunk.
    export_paths = {"entity_type": "definition__entity_type", "record_reference": None, "value": None}
    export_chunk_paths = ("content_type_id", "object_id", "definition__type", "value")
    example_row = {
        "definition_key": "fuel_type",
        "entity_type": "ASSET",
        "record_reference": "FLT-00001",
        "value": "Diesel",
    }

    definition = reference_field("definition", CustomFieldDefinition, key="key")
    entity_type = Field(column_name="entity_type")
    record_reference = Field(column_name="record_reference")
    value = Field(attribute="value", column_name="value")

    class Meta:
        model = CustomFieldValue
        fields = ("definition", "entity_type", "record_reference", "value")
        import_id_fields = ("definition", "entity_type", "record_reference")

    # --- export -----------------------------------------------------------------------------------------
    def export_chunk(self, rows: list[dict]) -> None:
        """Record references (one query per kind of record in a chunk), values as the importer reads them."""
        wanted = defaultdict(set)
        for row in rows:
            wanted[row["content_type_id"]].add(row["object_id"])
        references = {}
        for content_type_id, ids in wanted.items():
            content_type = ContentType.objects.get_for_id(content_type_id)
            model = content_type.model_class()
            if model is None:
                raise LookupError(
                    f"custom-field values point at {content_type}, a model that no longer exists"
                )
            for pk, reference in model._default_manager.filter(pk__in=ids).values_list(
                "pk", "external_reference"
            ):
                references[(content_type_id, pk)] = reference
        for row in rows:
            row["record_reference"] = references.get((row["content_type_id"], row["object_id"]), "")
            row["value"] = rules.to_text(row["value"], row["definition__type"])

    # --- import -----------------------------------------------------------------------------------------
    def write_attnames(self, batch: Batch) -> list[str]:
        return ["definition_id", "content_type_id", "object_id", "value"]

    def resolve(self, batch: Batch) -> None:
        """Find each row's record by entity type + reference, and read its value by its definition's rules."""
        definitions = {
            d.pk: d
            for d in CustomFieldDefinition.objects.filter(
                pk__in={pk for pk in batch.values["definition_id"] if pk is not None}
            )
        }
        content_types = {
            entity: ContentType.objects.get_for_model(apps.get_model(*natural_key))
            for entity, natural_key in ENTITY_MODELS.items()
        }
        records = _records_by_reference(batch, content_types)
        batch.columns.update({"content_type_id": "entity_type", "object_id": "record_reference"})
        size = len(batch)
        content_type_ids: list[int | None] = [None] * size
        object_ids: list[int | None] = [None] * size
        texts, values = batch.values["value"], [None] * size
        for index in batch.ok_indexes():
            definition = definitions[batch.get("definition_id", index)]
            entity, reference = batch.get("entity_type", index), batch.get("record_reference", index)
            if entity != definition.entity_type:
                batch.reject(
                    index,
                    "entity_type",
                    "entity_type",
                    f"{definition.key} holds values of {definition.entity_type} records, not {entity}",
                )
                continue
            if entity not in content_types:
                batch.reject(index, "entity_type", "entity_type", f"RentalBridge keeps no {entity} records")
                continue
            object_ids[index] = records[entity].get(reference)
            content_type_ids[index] = content_types[entity].pk
            if object_ids[index] is None:
                label = EntityType(entity).label.lower()
                batch.reject(
                    index,
                    "record_reference",
                    "unknown_reference",
                    f"no {label} has the reference {reference!r}",
                )
            try:
                values[index] = rules.from_text(definition.rules, texts[index])
            except rules.RuleViolation as exc:
                batch.reject(index, "value", f"custom_field_{exc.rule}", f"{definition.title}: {exc.message}")
        batch.values.update({"content_type_id": content_type_ids, "object_id": object_ids, "value": values})


def _records_by_reference(batch: Batch, content_types: dict) -> dict[str, dict[str, int]]:
    wanted = defaultdict(set)
    for index in batch.ok_indexes():
        wanted[batch.get("entity_type", index)].add(batch.get("record_reference", index))
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for entity, references in wanted.items():
        if entity not in content_types:
            continue
        model = content_types[entity].model_class()
        found[entity].update(rows_where_in(model.objects.all(), "external_reference", references, "pk"))
    return found
