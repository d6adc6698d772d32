"""Tamper evidence for the audit trail: body digests and a hash chain, and a database that lets retention
blank old bodies but still refuses every other change.

Existing attempts are sealed into the chain here (in id order, as the application does from now on) so an
existing log verifies. That backfill is an UPDATE, which 0003's trigger refuses: on PostgreSQL the trigger
is disabled for the backfill only, inside this migration's transaction; on SQLite adding the columns
rebuilds the table, which drops its triggers, so they are all created again afterwards (0003's DELETE
guard and 0006's replace guard unchanged, the UPDATE guard in its new form).

The only UPDATE allowed afterwards blanks both bodies and sets bodies_pruned_at on a row not yet pruned,
changing nothing else (compared column by column, so the digests and the chain stay as they were).
"""

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError
from django.db.models import Q
from django.utils import timezone

from sync.audit_chain import GENESIS, body_digest, link

MESSAGE = "sync attempts are append-only"
REPLACE_REFUSED = "sync attempts are append-only: an existing row may not be replaced"
# Columns retention may change; every other column must stay as it was.
PRUNABLE = ("request_body", "response_body", "bodies_pruned_at")
BATCH = 2000

POSTGRES_GUARD = f"""
CREATE OR REPLACE FUNCTION sync_attempt_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.bodies_pruned_at IS NULL AND NEW.bodies_pruned_at IS NOT NULL
        AND NEW.request_body = '' AND NEW.response_body = ''
        AND to_jsonb(NEW) - 'request_body' - 'response_body' - 'bodies_pruned_at'
            = to_jsonb(OLD) - 'request_body' - 'response_body' - 'bodies_pruned_at'
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE}';
END; $$ LANGUAGE plpgsql
"""


def sqlite_guards(columns: list[str]) -> list[str]:
    unchanged = " AND ".join(f'NEW."{column}" IS OLD."{column}"' for column in columns)
    pruning = (
        "OLD.bodies_pruned_at IS NULL AND NEW.bodies_pruned_at IS NOT NULL "
        f"AND NEW.request_body = '' AND NEW.response_body = '' AND {unchanged}"
    )
    return [
        f"CREATE TRIGGER sync_attempt_no_update BEFORE UPDATE ON sync_syncattempt WHEN NOT ({pruning}) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        "CREATE TRIGGER sync_attempt_no_delete BEFORE DELETE ON sync_syncattempt "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        "CREATE TRIGGER sync_attempt_no_replace BEFORE INSERT ON sync_syncattempt "
        "WHEN EXISTS (SELECT 1 FROM sync_syncattempt WHERE id = NEW.id) "
        f"BEGIN SELECT RAISE(ABORT, '{REPLACE_REFUSED}'); END",
    ]


def seal_existing_attempts(SyncAttempt, schema_editor) -> None:
    """Digests and chain hashes for rows written before the chain existed, in id order."""
    fields = ["id", "created_at", "run_id", "operation_id", "kind", "key", "action", "method", "url"]
    fields += ["status_code", "duration_ms", "attempt", "outcome", "error_code", "error_message"]
    fields += ["triggered_by", "request_body", "response_body"]
    rows = SyncAttempt.objects.using(schema_editor.connection.alias).order_by("id").values(*fields)
    previous, last_id = GENESIS, 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(id__gt=last_id)[:BATCH]):
            sealed = []
            for row in batch:
                row["request_sha256"] = body_digest(row["request_body"])
                row["response_sha256"] = body_digest(row["response_body"])
                chain_hash = link(previous, row)
                sealed.append(
                    (row["request_sha256"], row["response_sha256"], previous, chain_hash, row["id"])
                )
                previous, last_id = chain_hash, row["id"]
            cursor.executemany(
                "UPDATE sync_syncattempt SET request_sha256 = %s, response_sha256 = %s, "
                "previous_hash = %s, chain_hash = %s WHERE id = %s",
                sealed,
            )


def forwards(apps, schema_editor):
    SyncAttempt = apps.get_model("sync", "SyncAttempt")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # PostgreSQL alters no table with deferred foreign-key checks pending: run them first.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE sync_syncattempt DISABLE TRIGGER sync_attempt_append_only")
        seal_existing_attempts(SyncAttempt, schema_editor)
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE sync_syncattempt ENABLE TRIGGER sync_attempt_append_only")
        schema_editor.execute(POSTGRES_GUARD)
    elif vendor == "sqlite":
        for name in ("sync_attempt_no_update", "sync_attempt_no_delete", "sync_attempt_no_replace"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        seal_existing_attempts(SyncAttempt, schema_editor)
        columns = [field.column for field in SyncAttempt._meta.concrete_fields if field.name not in PRUNABLE]
        for statement in sqlite_guards(columns):
            schema_editor.execute(statement)
    else:
        seal_existing_attempts(SyncAttempt, schema_editor)


def refuse_backwards(apps, schema_editor):
    raise IrreversibleError(
        "sync.0008_attempt_chain keeps the audit trail's guards and its hash chain: migrating backwards "
        "past it would drop them. If you really mean to, drop the triggers by hand (see sync/migrations/"
        "0003, 0006 and 0008) and fake this migration backwards."
    )


class Migration(migrations.Migration):
    dependencies = [("sync", "0007_telematics_pulls")]

    operations = [
        migrations.CreateModel(
            name="AuditVerification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("verified_at", models.DateTimeField(db_index=True, default=timezone.now)),
                ("intact", models.BooleanField()),
                (
                    "attempts_checked",
                    models.PositiveBigIntegerField(help_text="Rows that held, in id order."),
                ),
                (
                    "first_broken_id",
                    models.BigIntegerField(
                        blank=True, help_text="The first attempt that did not.", null=True
                    ),
                ),
                ("message", models.TextField()),
                (
                    "head_hash",
                    models.CharField(
                        help_text="Chain hash of the last row that held: compare with later verifications.",
                        max_length=64,
                    ),
                ),
            ],
            options={"verbose_name": "audit verification", "ordering": ["-verified_at", "-id"]},
        ),
        migrations.AddConstraint(
            model_name="auditverification",
            constraint=models.CheckConstraint(
                condition=Q(intact=True, first_broken_id__isnull=True)
                | Q(intact=False, first_broken_id__isnull=False),
                name="auditverification_broken_id_iff_not_intact",
            ),
        ),
        migrations.AddField(
            model_name="syncattempt",
            name="bodies_pruned_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When retention blanked the bodies (digests kept).",
                null=True,
            ),
        ),
        *[
            migrations.AddField(
                model_name="syncattempt",
                name=name,
                field=models.CharField(db_default="", editable=False, max_length=64),
            )
            for name in ("request_sha256", "response_sha256", "previous_hash", "chain_hash")
        ],
        migrations.AlterField(
            model_name="syncattempt",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=timezone.now, editable=False),
        ),
        migrations.AddConstraint(
            model_name="syncattempt",
            constraint=models.CheckConstraint(
                condition=Q(bodies_pruned_at__isnull=True) | Q(request_body="", response_body=""),
                name="syncattempt_pruned_bodies_blank",
            ),
        ),
        migrations.RunPython(forwards, refuse_backwards),
    ]
