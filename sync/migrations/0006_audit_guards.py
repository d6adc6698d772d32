"""The database refuses the last two ways to lose audit rows, and refuses to be migrated out of refusing.

0003 stops UPDATE and DELETE. Still open were TRUNCATE on PostgreSQL (no row trigger sees it) and, on
SQLite, INSERT OR REPLACE, which deletes the row it conflicts with without firing delete triggers (unless
recursive triggers are on). Migrating backwards past this migration is refused instead of dropping the
guards: an audit trail must outlive a rollback of the code.

TRUNCATE of an empty table loses nothing and is allowed (Django's test runner truncates every table).
A session may allow it deliberately with `SET rentalbridge.allow_audit_truncate = 'on'`: a named act
for throwaway databases, no weaker than the table owner's power to drop the trigger.
"""

from django.db import migrations
from django.db.migrations.exceptions import IrreversibleError

TRUNCATE_REFUSED = "sync attempts are append-only: TRUNCATE refused"
REPLACE_REFUSED = "sync attempts are append-only: an existing row may not be replaced"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION sync_attempt_no_truncate() RETURNS trigger AS $$ BEGIN "
            "IF current_setting('rentalbridge.allow_audit_truncate', true) = 'on' "
            "OR NOT EXISTS (SELECT 1 FROM sync_syncattempt) THEN RETURN NULL; END IF; "
            f"RAISE EXCEPTION '{TRUNCATE_REFUSED}'; END; $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(
            "CREATE TRIGGER sync_attempt_no_truncate BEFORE TRUNCATE ON sync_syncattempt "
            "FOR EACH STATEMENT EXECUTE FUNCTION sync_attempt_no_truncate()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER sync_attempt_no_replace BEFORE INSERT ON sync_syncattempt "
            "WHEN EXISTS (SELECT 1 FROM sync_syncattempt WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{REPLACE_REFUSED}'); END"
        )


def refuse_backwards(apps, schema_editor):
    raise IrreversibleError(
        "sync.0006_audit_guards keeps the audit trail's guards: migrating backwards past it would drop "
        "them. If you really mean to, drop the triggers by hand (see sync/migrations/0003 and 0006) and "
        "fake this migration backwards."
    )


class Migration(migrations.Migration):
    dependencies = [("sync", "0005_run_leases")]

    operations = [migrations.RunPython(forwards, refuse_backwards)]
