"""Before -> after for the changed cells of an import preview's updated rows.

Worked out once, while the file is checked (the engine has the stored and the parsed values of every row at
hand then), and kept with the job's preview rows: showing the preview page reads the job, not the file.
"""

import json
from datetime import date
from decimal import Decimal
from typing import Any

from rentalbridge.imports.batch import Batch
from rentalbridge.imports.bulk_resource import BulkModelResource


def changed_cells(resource: BulkModelResource, batch: Batch, indexes: list[int]) -> dict[int, list[dict]]:
    """Row index -> its changed cells ({"column", "before", "after"}), for these rows of updated records."""
    labels = _stored_labels(resource, batch, indexes)
    changes: dict[int, list[dict]] = {}
    for index in indexes:
        stored = batch.stored_record(index)
        changes[index] = [
            {
                "column": column,
                "before": _text(labels.get((attname, stored[attname]), stored[attname])),
                "after": batch.raw[column][index].strip(),
            }
            for attname, column in batch.columns.items()
            if attname in stored and batch.values[attname][index] != stored[attname]
        ]
    return changes


def _stored_labels(
    resource: BulkModelResource, batch: Batch, indexes: list[int]
) -> dict[tuple[str, Any], Any]:
    """(attname, stored id) -> the natural key the file would hold, for the columns naming other records."""
    labels: dict[tuple[str, Any], Any] = {}
    for spec in resource.bulk_columns():
        if spec.lookup_model is None or spec.attname not in batch.columns:
            continue
        ids = {batch.stored_record(index)[spec.attname] for index in indexes} - {None}
        rows = spec.lookup_model._default_manager.filter(pk__in=ids).values_list("pk", spec.lookup_field)
        labels.update({(spec.attname, pk): key for pk, key in rows})
    return labels


def _text(value: Any) -> str:
    """A stored value as the file would hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
