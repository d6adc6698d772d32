"""Trigram indexes for finding an asset by any part of its name, reference, PIN or serial number.

The admin searches with icontains, which PostgreSQL runs as UPPER(column::text) LIKE UPPER('%...%'): a
GIN index over that same expression with gin_trgm_ops (pg_trgm) serves it, so part of a PIN read off a
machine plate is found among 100,000 assets without reading them all. Only on PostgreSQL: SQLite has no
such index and migrates past this unchanged. The indexes are not declared on the model because they only
exist on one database; the migration state is left as it is, so makemigrations sees nothing to add.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# column -> index name
SEARCHED = {
    "name": "asset_name_trgm",
    "external_reference": "asset_reference_trgm",
    "pin": "asset_pin_trgm",
    "serial_number": "asset_serial_trgm",
}


def add_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, name in SEARCHED.items():
        # Exactly the expression Django's icontains compares, so the planner matches it to the index.
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "assets_asset" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def remove_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SEARCHED.values():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("assets", "0003_telematics_readings")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes),
    ]
