"""Before -> after for the changed cells of an import preview's updated rows.

The job keeps its preview as row, action and record only; the cells are worked out again when the page is
shown, from the head of the stored file: the preview covers the first rows only, so a large file is not
parsed again, and the same engine checks give the same values the write would store.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from rentalbridge.imports.bulk_resource import BulkModelResource
from rentalbridge.imports.decoding import FileRefused, Table, decode, sniff_delimiter
from rentalbridge.imports.engine import UPDATE, check, map_header
from rentalbridge.imports.formulae import may_hold_escapes
from rentalbridge.imports.models import ImportJob
from rentalbridge.imports.registry import resource_for

HEAD_BYTES = 1 << 20


@dataclass(frozen=True)
class CellChange:
    column: str
    before: str
    after: str


def changed_cells(job: ImportJob) -> dict[int, list[CellChange]]:
    """Row number -> its changed cells, for the preview's updated rows; {} once the file is gone."""
    lines = {row["line"] for row in job.preview or [] if row.get("action") == UPDATE}
    if not lines or job.source is None:
        return {}
    resource = resource_for(job.entity)
    try:
        table = _head_table(bytes(job.source), max(lines))
        specs = map_header(resource, table.header)
    except FileRefused:
        return {}
    keep = [index for index, line in enumerate(table.lines) if line in lines]
    rows = Table(
        table.header,
        [table.rows[i] for i in keep],
        [table.lines[i] for i in keep],
        table.encoding,
        table.delimiter,
        table.escapes,
    )
    batch = check(resource, rows, specs, lambda stage, done, total: None)
    labels = _stored_labels(resource, batch)
    changes: dict[int, list[CellChange]] = {}
    for index, pk in enumerate(batch.existing):
        if pk is None or pk not in batch.stored:
            continue
        stored = batch.stored[pk]
        found = [
            CellChange(column, _text(labels.get((attname, stored[attname]), stored[attname])), after)
            for attname, column in batch.columns.items()
            if attname in stored and batch.values[attname][index] != stored[attname]
            for after in [batch.raw[column][index].strip()]
        ]
        if found:
            changes[rows.lines[index]] = found
    return changes


def _head_table(data: bytes, last_line: int) -> Table:
    """The header and the rows up to `last_line` (Excel's numbering), read from as little of the file as
    holds them whole: the head grows until a record after them shows they were not cut."""
    size = HEAD_BYTES
    while True:
        head = data[:size]
        complete = len(head) == len(data)
        text, encoding = decode(head, complete=complete)
        delimiter = sniff_delimiter(text)
        records = []
        try:
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
                records.append(record)
                if len(records) > last_line:
                    break
        except csv.Error:
            if complete:
                raise FileRefused("The CSV is malformed.") from None
        if complete or len(records) > last_line:
            break
        size *= 4
    header = [name.strip() for name in records[0]] if records else []
    rows, lines = [], []
    for number, record in enumerate(records[1:last_line], start=2):
        if any(cell.strip() for cell in record):
            rows.append(record)
            lines.append(number)
    return Table(header, rows, lines, encoding, delimiter, may_hold_escapes(text))


def _stored_labels(resource: BulkModelResource, batch) -> dict[tuple[str, Any], Any]:
    """(attname, stored id) -> the natural key the file would hold, for the columns naming other records."""
    labels: dict[tuple[str, Any], Any] = {}
    for spec in resource.bulk_columns():
        if spec.lookup_model is None or spec.attname not in batch.columns:
            continue
        ids = {values[spec.attname] for values in batch.stored.values()} - {None}
        rows = spec.lookup_model.objects.filter(pk__in=ids).values_list("pk", spec.lookup_field)
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
