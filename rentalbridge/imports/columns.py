"""The columns an entity's file may hold, as the import form lists them: name, required or not, and for
dates the formats read (the same list a refused file is answered with, so the clerk can fix the header)."""

from dataclasses import dataclass

from django.db import models

from rentalbridge.imports.registry import resource_for

DATE_FORMATS = "YYYY-MM-DD, e.g. 2026-12-31 (also 31/12/2026 or 31.12.2026, day first)"


@dataclass(frozen=True)
class ExpectedColumn:
    name: str
    required: bool
    hint: str = ""


def expected_columns(entity: str) -> list[ExpectedColumn]:
    """The writable columns of `entity`'s files, in the template's order."""
    resource = resource_for(entity)
    opts = resource._meta.model._meta
    columns = []
    for spec in resource.bulk_columns():
        if spec.readonly:
            continue
        field = next((f for f in opts.concrete_fields if f.attname == spec.attname), None)
        is_date = isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
        columns.append(ExpectedColumn(spec.name, spec.required, DATE_FORMATS if is_date else ""))
    return columns


def date_columns(entity: str) -> dict[str, str]:
    """Column name -> the date formats read, for the columns that hold dates."""
    return {column.name: column.hint for column in expected_columns(entity) if column.hint}
