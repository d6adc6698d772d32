"""Exports that stream: rows read from the database in chunks, written to CSV or XLSX as they come.

A 100,000-row export must cost no more than importing those rows and hold no more than one chunk at a time.
So rows are read with values() (plain values, not a model instance per row), the related records'
natural keys come in the same query as a join (`owning_depot__external_reference`), and what no column path
holds (a custom-field value's record reference) is looked up once per chunk by the resource's
`export_chunk`. Each cell is still rendered by its resource field's widget and made formula-safe by
`neutralise`, so the cells are exactly those django-import-export wrote and the importer reads back.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from import_export.fields import Field
from import_export.widgets import CharWidget, ForeignKeyWidget, Widget

from rentalbridge.imports.formulae import neutralise
from rentalbridge.imports.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE
from rentalbridge.imports.xlsx import write_xlsx

if TYPE_CHECKING:  # the resources call this module
    from _typeshed import SupportsWrite

    from rentalbridge.imports.bulk_resource import BulkModelResource

CHUNK_ROWS = 2000
# Excel opens UTF-8 CSV correctly only with a byte-order mark; the importer accepts both.
BOM = "\ufeff"
_TEXT_WIDGETS = (Widget, CharWidget)
# The first characters of the only cells neutralise() changes: an apostrophe (an escape, or one before a
# formula) or a character a spreadsheet evaluates. tests/imports/test_export.py keeps this in step with it.
FORMULA_STARTS = frozenset("'=+-@\t\r")
_REMEMBERED_VALUES = 10_000


@dataclass(frozen=True)
class ExportColumn:
    header: str
    key: str  # the row's key: a values() path, or the field name `export_chunk` fills
    render: Callable[[Any], Any]


def export_columns(
    resource: "BulkModelResource", selected_fields: list[str] | None = None, native: bool = False
) -> list[ExportColumn]:
    """The columns of an export in the resource's order (or the admin form's selection).

    `native` keeps numbers and dates as such, for XLSX, as django-import-export does for binary formats.
    """
    columns = []
    for field in resource.get_export_fields(selected_fields):
        name = resource.get_field_name(field)
        if name in resource.export_paths:
            path = resource.export_paths[name]
            columns.append(ExportColumn(field.column_name, path or name, _as_is if path is None else _text))
        elif isinstance(field.widget, ForeignKeyWidget):
            key = f"{field.attribute}__{field.widget.field}"
            columns.append(ExportColumn(field.column_name, key, _text))
        else:
            columns.append(ExportColumn(field.column_name, field.attribute, _widget_renderer(field, native)))
    return columns


def export_rows(
    resource: "BulkModelResource",
    queryset: QuerySet | None = None,
    selected_fields: list[str] | None = None,
    native: bool = False,
) -> Iterator[list[list[Any]]]:
    """The exported cells, a chunk of rows at a time: one query read in chunks (a server-side cursor on
    PostgreSQL), plus what `export_chunk` asks per chunk."""
    columns = export_columns(resource, selected_fields, native)
    queryset = resource.get_queryset() if queryset is None else queryset
    computed = {name for name, path in resource.export_paths.items() if path is None}
    paths = {column.key for column in columns if column.key not in computed}
    paths |= set(resource.export_chunk_paths)
    # The changelist may join for its own display; values() reads only these paths, ordered as it is.
    rows = queryset.prefetch_related(None).values("pk", *sorted(paths)).iterator(chunk_size=CHUNK_ROWS)
    cells = [(column.key, column.render) for column in columns]
    while chunk := list(islice(rows, CHUNK_ROWS)):
        resource.export_chunk(chunk)
        yield [[_formula_safe(render(row[key])) for key, render in cells] for row in chunk]


def headers(resource: "BulkModelResource", selected_fields: list[str] | None = None) -> list[str]:
    return [field.column_name for field in resource.get_export_fields(selected_fields)]


def csv_text(
    resource: "BulkModelResource",
    queryset: QuerySet | None = None,
    selected_fields: list[str] | None = None,
    bom: bool = False,
) -> Iterator[str]:
    """The CSV file in pieces of one chunk each (header first), for a streamed response or a file."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(resource, selected_fields))
    yield (BOM if bom else "") + _drain(buffer)
    for chunk in export_rows(resource, queryset, selected_fields):
        writer.writerows(chunk)
        yield _drain(buffer)


def write_csv(
    resource: "BulkModelResource", out: "SupportsWrite[str]", queryset: QuerySet | None = None
) -> int:
    """Write the CSV export to a text stream; returns the number of records written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(resource))
    count = 0
    for chunk in export_rows(resource, queryset):
        writer.writerows(chunk)
        count += len(chunk)
    return count


def xlsx_file(
    resource: "BulkModelResource", queryset: QuerySet | None = None, selected_fields: list[str] | None = None
) -> IO[bytes]:
    """The XLSX export in a temporary file (deleted when closed), positioned at its start: the workbook is
    written to disk a chunk at a time, never held whole (rentalbridge.imports.xlsx)."""
    out = tempfile.TemporaryFile(prefix="rentalbridge-export-", suffix=".xlsx")  # noqa: SIM115 - returned open
    title = str(resource._meta.model._meta.verbose_name_plural).capitalize()
    rows = export_rows(resource, queryset, selected_fields, native=True)
    write_xlsx(out, title, headers(resource, selected_fields), rows)
    out.seek(0)
    return out


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _formula_safe(value: Any) -> Any:
    """neutralise(), asked only about text that starts as a formula or an escape could: nearly no cell."""
    if type(value) is str and value[:1] in FORMULA_STARTS:
        return neutralise(value)
    return value


def _as_is(value: Any) -> Any:
    return value


def _text(value: Any) -> Any:
    """A natural key or a derived text: empty when there is none, as ForeignKeyWidget renders it."""
    return "" if value is None else value


def _widget_renderer(field: Field, native: bool) -> Callable[[Any], Any]:
    """The field widget's render, remembered per value for all but text: formatting a date or an amount
    the widget's way (localised number and date formats) costs 10-40 µs, and a column repeats its values."""
    widget = field.widget
    options = {"force_native_type": True} if native else {}
    if type(widget) in _TEXT_WIDGETS:
        # What Widget and CharWidget render for text (force_str of a str is that str), without the call.
        return lambda value: value if type(value) is str else widget.render(value, **options)
    rendered: dict[tuple[type, Any], Any] = {}

    def render(value: Any) -> Any:
        # By type and text: Decimal("1.0") equals Decimal("1.00") but is written differently.
        key = (type(value), str(value) if isinstance(value, Decimal) else value)
        try:
            return rendered[key]
        except KeyError:
            if len(rendered) >= _REMEMBERED_VALUES:
                rendered.clear()
            rendered[key] = result = widget.render(value, **options)
            return result
        except TypeError:  # an unhashable value (a JSON list): rendered every time
            return widget.render(value, **options)

    return render


def export_response(
    resource: "BulkModelResource",
    queryset: QuerySet,
    selected_fields: list[str] | None,
    xlsx: bool,
    filename: str,
) -> StreamingHttpResponse | FileResponse:
    """The admin's download: CSV streamed as it is read (with the BOM Excel needs), XLSX from a temp file."""
    if xlsx:
        return FileResponse(
            xlsx_file(resource, queryset, selected_fields),
            as_attachment=True,
            filename=filename,
            content_type=XLSX_CONTENT_TYPE,
        )
    response = StreamingHttpResponse(
        (piece.encode() for piece in csv_text(resource, queryset, selected_fields, bom=True)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
