"""The database refuses to change or delete a history row: history is append-only, like the audit trail.

On PostgreSQL a row trigger on each history table raises on UPDATE and DELETE, whatever code path tries
(simple-history's clean-up commands included). SQLite, the development database, gets no trigger: it drops
a table's triggers whenever a later migration rebuilds the table, so a guard there would vanish silently;
the application itself never updates or deletes history rows (no admin, no code path does).
TRUNCATE is not guarded: pytest-django empties every table with it between transactional tests.
"""

from django.db import migrations

MESSAGE = "history rows are append-only"


def append_only(*tables: str) -> migrations.RunPython:
    """A migration operation adding the guard to the given history tables (and removing it backwards)."""

    def forwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION USING MESSAGE = '{MESSAGE}: ' || TG_OP || ' refused on ' "
            "|| TG_TABLE_NAME; END; "
            "$$ LANGUAGE plpgsql"
        )
        for table in tables:
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION history_append_only()"
            )

    def backwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')

    return migrations.RunPython(forwards, backwards)
