"""The bulk import: read and check every row first, then write them all in one transaction.

django-import-export saves row by row (a few hundred rows/s on the benchmark machine) and, on its bulk
path, cannot tie database errors to rows. This engine checks whole columns at once instead: one query per
referenced table resolves the natural keys into dicts, one query per chunk finds the records being
updated, and the rules spanning rows (duplicates, overlapping rentals) run over the whole file. Only when
every row has passed (or the user chose "valid rows only") does it write, in batches inside a single
transaction: new rows with multi-row INSERTs (sqlwrite.py, faster than `bulk_create`), changed rows with
`bulk_update`. Each batch's rows are copied into the history table by the database (rentalbridge.history,
one INSERT ... SELECT per batch, in the same transaction), naming the import and its user. Then it
announces the changed records once per model and import.

Validation runs outside the write transaction so a Celery job can report its progress; the database
constraints still guard the write, and a refusal there rolls the whole import back.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from rentalbridge.changes import announce_changed
from rentalbridge.db_statistics import refresh_after_bulk_write
from rentalbridge.garbage_collection import long_lived_objects_frozen
from rentalbridge.history import CHANGED, CREATED, current_source, record_bulk
from rentalbridge.imports import cells
from rentalbridge.imports.batch import Batch, RowError
from rentalbridge.imports.bulk_resource import BulkModelResource, ColumnSpec, fetch_values
from rentalbridge.imports.decoding import FileRefused, Table, read_table
from rentalbridge.imports.formulae import neutralise, restore
from rentalbridge.imports.prefetch import rows_where_in
from rentalbridge.imports.preview import changed_cells
from rentalbridge.imports.sqlwrite import insert_rows

Progress = Callable[[str, int, int], None]
ERROR_COLUMN = "error"
PREVIEW_ROWS = 100
NEW, UPDATE, UNCHANGED = "new", "update", "unchanged"


@dataclass
class ImportReport:
    entity: str
    dry_run: bool
    valid_only: bool
    rows_total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_lines: list[int] = field(default_factory=list)
    message: str = ""
    written: bool = False
    rejected_csv: bytes | None = None
    preview: list[dict] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejected_lines)

    @property
    def refused(self) -> bool:
        """True when nothing can be written: the file is unreadable, or rows failed in all-or-nothing mode."""
        return bool(self.message) or (bool(self.errors) and not self.valid_only)

    def summary(self) -> str:
        if self.message:
            return f"File refused: {self.message}"
        verb = "would be" if self.dry_run or self.refused else "were"
        counts = f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged"
        text = f"{self.rows_total} rows: {counts} {verb} imported; {self.rejected} rejected."
        if self.refused:
            text += " Nothing was written because some rows have errors."
        return text


@long_lived_objects_frozen()
def run_import(
    resource: BulkModelResource,
    data: bytes,
    *,
    dry_run: bool = False,
    valid_only: bool = False,
    actor: object = None,
    progress: Progress | None = None,
    on_written: Callable[[ImportReport], None] | None = None,
    history_reason: str = "",
) -> ImportReport:
    """Check `data` (CSV bytes) against the resource's rules and, unless refused or a dry run, write it.

    `on_written` runs inside the write transaction, so a job's "done" commits together with the rows.
    `history_reason` says what wrote the rows in their history (e.g. "import job #12 (assets.csv)").
    """
    report = ImportReport(entity=resource.entity, dry_run=dry_run, valid_only=valid_only)
    step = progress or (lambda stage, done, total: None)
    try:
        step("reading", 0, 1)
        table = read_table(data)
        specs = map_header(resource, table.header)
    except FileRefused as exc:
        report.message = str(exc)
        return report
    report.rows_total = len(table.rows)
    batch = check(resource, table, specs, step)
    actions = classify(resource, batch)
    report.errors = [error for index in sorted(batch.errors) for error in batch.errors[index]]
    report.rejected_lines = [batch.lines[index] for index in sorted(batch.errors)]
    report.new = actions.count(NEW)
    report.updated = actions.count(UPDATE)
    report.unchanged = actions.count(UNCHANGED)
    report.preview = _preview(resource, batch, actions)
    if batch.errors:
        report.rejected_csv = rejected_csv(table, batch)
    if report.refused or dry_run:
        return report
    try:
        reason = history_reason or f"import of {resource.entity} ({current_source().reason})"
        write(resource, batch, actions, actor, step, lambda: on_written and on_written(report), reason)
    except (IntegrityError, DatabaseError) as exc:
        report.message = f"The database refused the import, nothing was written: {exc}"
        return report
    report.written = True
    return report


def map_header(resource: BulkModelResource, header: list[str]) -> list[tuple[int, ColumnSpec]]:
    """Pair each header cell with its column; refuse unknown, duplicate or missing required columns."""
    specs = {spec.name.lower(): spec for spec in resource.bulk_columns()}
    mapped, unknown, seen = [], [], set()
    for position, name in enumerate(header):
        key = name.strip().lower()
        if key == ERROR_COLUMN or (not key and position == len(header) - 1):
            continue  # the error column of a rejected-rows file, or a trailing delimiter
        if key in seen:
            raise FileRefused(f"The column {name!r} appears twice in the header.")
        seen.add(key)
        if key not in specs:
            unknown.append(name)
        elif not specs[key].readonly:
            mapped.append((position, specs[key]))
    missing = [spec.name for key, spec in specs.items() if spec.required and key not in seen]
    if unknown or missing:
        problems = []
        if missing:
            problems.append(
                f"the required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"{'are' if len(missing) > 1 else 'is'} missing"
            )
        if unknown:
            problems.append(
                f"{', '.join(repr(name) for name in unknown)} "
                f"{'are not among its columns' if len(unknown) > 1 else 'is not one of its columns'}"
            )
        expected = ", ".join(spec.name for spec in specs.values())
        raise FileRefused(
            f"This is not {'an' if resource.entity[0] in 'aeiou' else 'a'} "
            f"{resource.entity.replace('-', ' ')} file: {'; '.join(problems)}. "
            f"Its columns are: {expected} (download the template for an example)."
        )
    return mapped


def check(
    resource: BulkModelResource, table: Table, specs: list[tuple[int, ColumnSpec]], step: Progress
) -> Batch:
    """Every rule, cheapest first; rows keep all their errors so the user can fix them in one go."""
    batch = Batch(lines=table.lines, raw={})
    total = len(specs) + 4
    misshapen = _check_shape(batch, table)
    for done, (position, spec) in enumerate(specs, start=1):
        column = [row[position] if position < len(row) else "" for row in table.rows]
        if table.escapes:
            column = [restore(text) for text in column]
        batch.raw[spec.name] = column
        batch.columns[spec.attname] = spec.name
        # Every mapped column has one or the other: map_header leaves the read-only ones out.
        if spec.lookup_model is not None:
            batch.values[spec.attname] = _lookup_column(batch, spec, spec.lookup_model, column)
        elif spec.parse is not None:
            batch.values[spec.attname] = _parse_column(batch, spec, spec.parse, column)
        step("checking", done, total)
    resource.resolve(batch)
    resource.check_rows(batch)
    step("checking", len(specs) + 1, total)
    batch.existing = resource.match(batch)
    _reject_duplicates(resource, batch)
    step("checking", len(specs) + 2, total)
    matched = [pk for pk in batch.existing if pk is not None]
    batch.stored = fetch_values(resource._meta.model, matched, resource.write_attnames(batch))
    step("checking", len(specs) + 3, total)
    resource.check_set(batch)
    # A misshapen row's cells are not where the header says: its shape is its only meaningful error.
    for index, error in misshapen.items():
        batch.errors[index] = [error]
    step("checking", total, total)
    return batch


def _check_shape(batch: Batch, table: Table) -> dict[int, RowError]:
    """Refuse rows with more or fewer cells than the header: a cut download or a stray delimiter.

    Reading such a row would put values under the wrong columns, or blank the fields of missing cells.
    """
    width = len(table.header)
    misshapen = {}
    for index, row in enumerate(table.rows):
        if len(row) != width:
            extra = table.delimiter.join(row[width:])
            misshapen[index] = RowError(
                table.lines[index],
                "",
                extra,
                "shape",
                f"the row has {len(row)} cells but the header has {width} columns",
            )
            batch.errors[index].append(misshapen[index])
    return misshapen


def _parse_column(batch: Batch, spec: ColumnSpec, parse: cells.Parser, column: list[str]) -> list:
    memo: dict[str, Any] = {}
    out = []
    failed = cells.CellError
    for index, text in enumerate(column):
        try:
            result = memo[text]
        except KeyError:
            try:
                result = parse(text)
            except failed as exc:
                result = exc
            memo[text] = result
        if type(result) is failed:
            batch.reject(index, spec.name, result.rule, result.message)
            result = None
        out.append(result)
    return out


def _lookup_column(batch: Batch, spec: ColumnSpec, model: type[Model], column: list[str]) -> list:
    texts = [text.strip() for text in column]
    key = spec.lookup_field
    found: dict[str, int] = dict(rows_where_in(model._default_manager.all(), key, texts, "pk"))
    label = model._meta.verbose_name
    out = []
    for index, text in enumerate(texts):
        pk = found.get(text) if text else None
        if pk is None:
            if text:
                batch.reject(index, spec.name, "unknown_reference", f"no {label} has the reference {text!r}")
            elif not spec.nullable:
                batch.reject(index, spec.name, "required", f"the {label} reference is required")
        out.append(pk)
    return out


def _reject_duplicates(resource: BulkModelResource, batch: Batch) -> None:
    """Two rows for one record: the first wins, later ones are rejected naming the first."""
    first_by_key: dict[tuple, int] = {}
    first_by_pk: dict[int, int] = {}
    key_columns = [batch.columns.get(name, name) for name in resource.natural_key]
    for index, key in enumerate(resource.keys(batch)):
        pk = batch.existing[index]
        earlier = first_by_key.get(key) if key is not None else None
        if earlier is None and pk is not None:
            earlier = first_by_pk.get(pk)
        if earlier is not None:
            batch.reject(
                index,
                key_columns[-1],
                "duplicate",
                f"the same record ({', '.join(key_columns)}) is already in row {batch.lines[earlier]} "
                "of this file",
            )
            continue
        if key is not None:
            first_by_key[key] = index
        if pk is not None:
            first_by_pk[pk] = index


def classify(resource: BulkModelResource, batch: Batch) -> list[str | None]:
    """new / update / unchanged per row (None for rejected rows), comparing with the stored values."""
    attnames = resource.write_attnames(batch)
    columns = [batch.values[name] for name in attnames]
    actions: list[str | None] = []
    for index, pk in enumerate(batch.existing):
        if index in batch.errors:
            actions.append(None)
        elif pk is None:
            actions.append(NEW)
        else:
            stored = batch.stored[pk]
            same = all(column[index] == stored[name] for name, column in zip(attnames, columns, strict=True))
            actions.append(UNCHANGED if same else UPDATE)
    return actions


def write(
    resource: BulkModelResource,
    batch: Batch,
    actions: list[str | None],
    actor: object,
    step: Progress,
    on_written: Callable[[], object],
    history_reason: str,
) -> None:
    model = resource._meta.model
    history_user = actor if getattr(actor, "pk", None) else None
    attnames = resource.write_attnames(batch)
    size = settings.IMPORTS_BATCH_SIZE
    new = [index for index, action in enumerate(actions) if action == NEW]
    changed = [index for index, action in enumerate(actions) if action == UPDATE]
    total = len(new) + len(changed)
    has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    update_fields = [*attnames, "updated_at"] if has_updated_at else attnames
    now = timezone.now()
    pks: list[int] = []
    step("writing", 0, total)
    with transaction.atomic():
        resource.before_write(batch, new + changed)
        columns = [batch.values[name] for name in attnames]
        for start in range(0, len(new), size):
            indexes = new[start : start + size]
            inserted = insert_rows(model, attnames, [[column[i] for i in indexes] for column in columns])
            record_bulk(model, inserted, CREATED, reason=history_reason, user=history_user)
            pks += inserted
            step("writing", start + len(indexes), total)
        for start in range(0, len(changed), size):
            objects = []
            for index in changed[start : start + size]:
                obj = model(pk=batch.existing[index], **batch.row(index, attnames))
                if has_updated_at:
                    obj.updated_at = now
                objects.append(obj)
            model.objects.bulk_update(objects, update_fields, batch_size=size)
            updated = [obj.pk for obj in objects]
            record_bulk(model, updated, CHANGED, reason=history_reason, user=history_user)
            pks += updated
            step("writing", len(new) + start + len(objects), total)
        announce_changed(model, pks, actor, reason=history_reason)
        on_written()
    refresh_after_bulk_write(model, total)


def _preview(resource: BulkModelResource, batch: Batch, actions: list[str | None]) -> list[dict]:
    """The first rows as the preview page shows them; an updated row carries its changed cells."""
    key_columns = [batch.columns[name] for name in resource.natural_key if name in batch.columns]
    shown = range(min(len(batch), PREVIEW_ROWS))
    changes = changed_cells(resource, batch, [index for index in shown if actions[index] == UPDATE])
    rows = []
    for index in shown:
        key = " / ".join(batch.raw[column][index].strip() for column in key_columns)
        row = {"line": batch.lines[index], "action": actions[index] or "rejected", "key": key}
        rows.append({**row, "changes": changes[index]} if index in changes else row)
    return rows


def rejected_csv(table: Table, batch: Batch) -> bytes:
    """The rejected rows as they came, plus an `error` column; the file can be fixed and imported again.

    A row with the wrong number of cells is written exactly as it came (the error after its last cell), so
    it is refused again until someone fixes it: padding or cutting it would make it importable as is.
    Cells a spreadsheet would evaluate are made inert; the importer reads them back to what they were.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=table.delimiter, lineterminator="\r\n")
    # A re-uploaded rejected-rows file brings its old error column: replace it, do not add a second one.
    keep = [i for i, name in enumerate(table.header) if name.strip().lower() != ERROR_COLUMN]
    writer.writerow([*(neutralise(table.header[i]) for i in keep), ERROR_COLUMN])
    width = len(table.header)
    for index in sorted(batch.errors):
        row = table.rows[index]
        cells_ = [row[i] for i in keep] if len(row) == width else row
        text = "; ".join(_error_text(error) for error in batch.errors[index])
        writer.writerow([*(neutralise(restore(cell)) for cell in cells_), neutralise(text)])
    return out.getvalue().encode("utf-8-sig")


def _error_text(error: RowError) -> str:
    if error.column:
        return f"{error.column}: {error.message}"
    return f"{error.message} (cells beyond the header: {error.value})" if error.value else error.message
