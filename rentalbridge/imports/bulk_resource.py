"""A django-import-export ModelResource that also describes how the bulk engine reads and checks it.

The resource's fields stay the single declaration of the CSV columns: export, the admin's format and
field lists and django-import-export's own row-by-row import all use them. The bulk engine derives a parser
per column from the same fields (ForeignKeyWidget -> a lookup by the other record's natural key, a model
field -> its type, choices and validators) and calls the hooks below for the rules that span columns or rows.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tablib
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from import_export import resources
from import_export.fields import Field
from import_export.widgets import ForeignKeyWidget

from rentalbridge.imports import cells
from rentalbridge.imports.batch import Batch
from rentalbridge.imports.export import export_rows, headers
from rentalbridge.imports.formulae import neutralise
from rentalbridge.imports.prefetch import rows_where_in


def reference_field(attribute: str, model: type[models.Model], key: str = "external_reference") -> Field:
    """A column holding another record's natural key (`<attribute>_reference`, or `_key` for keys)."""
    suffix = "reference" if key == "external_reference" else key
    return Field(
        attribute=attribute, column_name=f"{attribute}_{suffix}", widget=ForeignKeyWidget(model, key)
    )


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    attname: str
    parse: cells.Parser | None = None
    lookup_model: type[models.Model] | None = None
    lookup_field: str = ""
    required: bool = False
    readonly: bool = False
    nullable: bool = True


class BulkModelResource(resources.ModelResource):
    """Subclasses set `entity`, `natural_key` (attnames), `required_columns` and `example_row`."""

    entity: str = ""
    natural_key: tuple[str, ...] = ("external_reference",)
    required_columns: tuple[str, ...] = ()
    example_row: dict[str, str] = {}
    # Parsers that replace the one derived from the model field, and those of columns that are no field.
    column_parsers: dict[str, cells.Parser] = {}
    # The streaming export (rentalbridge.imports.export) reads columns with values(). A column named here
    # reads this path instead of its field's, or (None) is filled by `export_chunk`, which may need the
    # extra `export_chunk_paths`.
    export_paths: dict[str, str | None] = {}
    export_chunk_paths: tuple[str, ...] = ()

    def bulk_columns(self) -> list[ColumnSpec]:
        opts = self._meta.model._meta
        specs = []
        for field in (self.fields[name] for name in self.get_export_order()):
            name = field.column_name
            if field.readonly:
                specs.append(ColumnSpec(name, name, readonly=True))
                continue
            model_field = _model_field(opts, field.attribute)
            required = name in self.required_columns
            if isinstance(field.widget, ForeignKeyWidget):
                if model_field is None:
                    raise ImproperlyConfigured(f"{name}: a reference column must be a concrete model field")
                specs.append(
                    ColumnSpec(
                        name,
                        model_field.attname,
                        lookup_model=field.widget.model,
                        lookup_field=field.widget.field,
                        required=required,
                        nullable=model_field.null,
                    )
                )
            elif model_field is not None:
                parser = self.column_parsers.get(name) or cells.field_parser(model_field)
                specs.append(ColumnSpec(name, model_field.attname, parser, required=required))
            else:
                parser = self.column_parsers.get(name) or cells.text_parser()
                specs.append(ColumnSpec(name, name, parser, required=required))
        return specs

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        """django-import-export's export, through the same streaming rows as the admin and export_csv."""
        selected = kwargs.get("export_fields")
        dataset = tablib.Dataset(headers=headers(self, selected))
        for chunk in export_rows(self, queryset, selected, native=kwargs.get("force_native_type", False)):
            dataset.extend(chunk)
        return dataset

    def export_chunk(self, rows: list[dict[str, Any]]) -> None:
        """Fill the columns `export_paths` marks None in a chunk of rows: one query per chunk, not per row."""

    def template_csv(self) -> str:
        """The header row and one example row, for staff to fill in."""
        names = [field.column_name for field in self.get_export_fields() if not field.readonly]
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerow([neutralise(self.example_row.get(name, "")) for name in names])
        return out.getvalue()

    # --- hooks, in the order the engine calls them ---------------------------------------------------
    def resolve(self, batch: Batch) -> None:
        """Derive attributes that no single column holds (e.g. a generic relation's target)."""

    def check_rows(self, batch: Batch) -> None:
        """Rules across the columns of one row (off-rent before on-rent...)."""

    def match(self, batch: Batch) -> list[int | None]:
        """The primary key each row updates, or None for a new record; by `natural_key` by default."""
        return lookup_keys(self._meta.model, self.natural_key, self.keys(batch))

    def keys(self, batch: Batch) -> list[tuple | None]:
        """Each row's natural key, None where a part is missing (the row is rejected for that already)."""
        columns = [batch.values.get(name) or [None] * len(batch) for name in self.natural_key]
        return [None if None in key or "" in key else key for key in zip(*columns, strict=True)]

    def check_set(self, batch: Batch) -> None:
        """Rules across rows and stored records (overlapping rentals...), once `existing` is known."""

    def before_write(self, batch: Batch, indexes: list[int]) -> None:
        """Called first inside the write transaction with the rows about to be written (to lock what
        a concurrent writer must wait for)."""

    def write_attnames(self, batch: Batch) -> list[str]:
        """The attributes written for each row: the imported columns and what `resolve` derived."""
        return [name for name in batch.values if not name.startswith("_")]

    def effective_values(self, batch: Batch, attnames: list[str]) -> dict[int, dict[str, Any]]:
        """What each valid row's record holds after the import, for rules that span several columns.

        The file's value where it has the column; otherwise the stored record's, or the field's default for
        a new record: a column absent from the file leaves its field as it is, so a rule must see what stays.
        """
        model = self._meta.model
        absent = [name for name in attnames if not batch.has(name)]
        rows = list(batch.ok_indexes())
        pks = {pk for pk in (batch.existing[i] for i in rows) if pk is not None}
        stored = fetch_values(model, pks, absent) if absent else {}
        defaults = {name: model._meta.get_field(name).get_default() for name in absent}
        effective = {}
        for index in rows:
            pk = batch.existing[index]
            kept = stored.get(pk, defaults) if pk is not None else defaults
            effective[index] = {
                name: batch.values[name][index] if batch.has(name) else kept[name] for name in attnames
            }
        return effective


def _model_field(opts, attribute: str | None) -> models.Field | None:
    if not attribute:
        return None
    try:
        field = opts.get_field(attribute)
    except FieldDoesNotExist:  # a virtual column, e.g. a custom-field value's record reference
        return None
    return field if field.concrete else None


def lookup_keys(
    model: type[models.Model], natural_key: tuple[str, ...], keys: list[tuple | None]
) -> list[int | None]:
    """Primary keys for natural keys, fetched by the key's first part."""
    firsts = {key[0] for key in keys if key is not None}
    found: dict[tuple, int] = {}
    for *parts, pk in rows_where_in(
        model._default_manager.all(), natural_key[0], firsts, *natural_key[1:], "pk"
    ):
        found[tuple(parts)] = pk
    return [found.get(key) if key is not None else None for key in keys]


def fetch_values(
    model: type[models.Model], pks: Iterable[int], attnames: list[str]
) -> dict[int, dict[str, Any]]:
    """The stored values of the given records, to tell updated rows from unchanged ones."""
    stored = {}
    for pk, *values in rows_where_in(model._default_manager.all(), "pk", pks, *attnames):
        stored[pk] = dict(zip(attnames, values, strict=True))
    return stored
