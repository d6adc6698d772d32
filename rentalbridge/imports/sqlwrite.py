"""Insert many checked rows fast: COPY on PostgreSQL, multi-row `INSERT ... RETURNING pk` elsewhere.

Measured on the 2-core benchmark machine, `bulk_create` spends about 100 us per row compiling each value of
each object (bench/csv_import.py, "bare bulk_create"): 100,000 assets alone take longer than the whole
import may. The rows here are already checked and typed column by column, so each column is adapted once
per value with the adapter Django would use for that field, and whole batches go out as one statement.
Defaults and auto_now/auto_now_add are filled in as Django would. Backends that cannot return rows from a
bulk insert fall back to `bulk_create`.
"""

import sqlite3
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

from django.db import connection, models
from django.utils import timezone

MAX_ROWS_PER_STATEMENT = 2000
_POSTGRES_MAX_PARAMS = 65535


def insert_rows(
    model: type[models.Model], attnames: list[str], columns: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert rows given column by column (one sequence per attname, equally long); return their pks."""
    count = len(columns[0]) if columns else 0
    if not count:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:
        objects = [model(**dict(zip(attnames, row, strict=True))) for row in zip(*columns, strict=True)]
        model._default_manager.bulk_create(objects, batch_size=MAX_ROWS_PER_STATEMENT)
        return [obj.pk for obj in objects]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_attname = dict(zip(attnames, columns, strict=True))
    now = timezone.now()
    adapted = [_adapted(field, by_attname.get(field.attname), count, now) for field in fields]
    if connection.vendor == "postgresql":
        return _copy(model, fields, adapted, count)
    quote = connection.ops.quote_name
    per_statement = max(1, min(MAX_ROWS_PER_STATEMENT, _max_params() // len(fields)))
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = f" RETURNING {quote(model._meta.pk.column)}"
    params = list(chain.from_iterable(zip(*adapted, strict=True)))
    width = len(fields)
    pks: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, count, per_statement):
            rows = min(per_statement, count - start)
            chunk = params[start * width : (start + rows) * width]
            cursor.execute(head + ", ".join([placeholder] * rows) + returning, chunk)
            pks += [pk for (pk,) in cursor.fetchall()]
    return pks


def _copy(model: type[models.Model], fields: list[models.Field], adapted: list, count: int) -> list[int]:
    """PostgreSQL: ids drawn from the table's sequence up front, then one COPY for all the rows.

    psycopg's client-side parameter binding (Django's default) quotes every value in Python, which made
    multi-row INSERTs slower than the import's whole budget; COPY sends the values in its own format.
    """
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    columns = ", ".join(quote(column) for column in [pk, *(f.column for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
        )
        pks = [pk_value for (pk_value,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for pk_value, row in zip(pks, zip(*adapted, strict=True), strict=True):
                copy.write_row((pk_value, *row))
    return pks


def _adapted(field: models.Field, column: Sequence[Any] | None, count: int, now) -> Sequence[Any]:
    """One column's database values: adapted as Django would, or the field's default/auto_now value."""
    adapt = _adapter(field)
    if column is None:
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        return [adapt(now if automatic else field.get_default())] * count
    return column if adapt is _identity else list(map(adapt, column))


def _identity(value: Any) -> Any:
    return value


def _adapter(field: models.Field) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField | models.JSONField | models.UUIDField):
        return lambda value: field.get_db_prep_save(value, connection)
    if connection.vendor == "postgresql":
        return _identity  # psycopg adapts dates and decimals itself
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: connection.ops.adapt_decimalfield_value(
            value, field.max_digits, field.decimal_places
        )
    return _identity


def _max_params() -> int:
    if connection.vendor == "postgresql":
        return _POSTGRES_MAX_PARAMS
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or _POSTGRES_MAX_PARAMS
