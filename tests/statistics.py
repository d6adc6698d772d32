"""What the database's statistics say a table holds (PostgreSQL, the suite's database)."""

from django.db import connection
from django.db.models import Model


def table_rows_counted(model: type[Model]) -> float:
    """The row count PostgreSQL plans by: -1 for a table never analysed."""
    assert connection.vendor == "postgresql", "the suite runs on PostgreSQL"
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table])
        return cursor.fetchone()[0]
