from django.db import migrations

MESSAGE = "sync attempts are append-only"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION sync_attempt_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(
            "CREATE TRIGGER sync_attempt_append_only BEFORE UPDATE OR DELETE ON sync_syncattempt "
            "FOR EACH ROW EXECUTE FUNCTION sync_attempt_append_only()"
        )
    elif vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER sync_attempt_no_{event.lower()} BEFORE {event} ON sync_syncattempt "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER sync_attempt_append_only ON sync_syncattempt")
        schema_editor.execute("DROP FUNCTION sync_attempt_append_only()")
    elif vendor == "sqlite":
        for event in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER sync_attempt_no_{event}")


class Migration(migrations.Migration):
    """The database itself refuses to change or delete an audit row, whatever code path tries."""

    dependencies = [("sync", "0002_sync_engine")]

    operations = [migrations.RunPython(forwards, backwards)]
