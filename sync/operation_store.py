"""Writing a plan's operations in bulk: COPY on PostgreSQL, one prepared INSERT per batch on SQLite.

The ORM's bulk_create spends most of a 300,000-operation first plan preparing each field of each row
(and encoding each JSON value again); the planner already holds the payload's canonical JSON, so rows go
to the database as they are. The columns are SyncOperation's, named once here.
"""

import json
from collections.abc import Sequence

from django.db import connection

from sync.ledger import canonical_json
from sync.models import SyncOperation
from sync.planned import PlannedOperation

COLUMNS = (
    "run_id",
    "phase",
    "kind",
    "key",
    "action",
    "fields",
    "payload",
    "payload_hash",
    "source_version",
    "depends_on",
    "status",
    "remote_id",
    "error_code",
    "error_message",
)


def store_operations(run_id: int, operations: Sequence[PlannedOperation]) -> None:
    """Insert `operations` as rows of run `run_id` (the caller decides the transaction)."""
    if not operations:
        return
    table = SyncOperation._meta.db_table
    adapt_time = connection.ops.adapt_datetimefield_value
    rows = [
        (
            run_id,
            op.phase,
            op.kind,
            op.key,
            op.action,
            canonical_json(op.fields),
            op.payload_json if op.payload_json is not None else _json_or_null(op.payload),
            op.payload_hash,
            op.source_version if connection.vendor == "postgresql" else adapt_time(op.source_version),
            json.dumps(list(op.depends_on)),
            op.status,
            "",
            op.error_code[:100],
            op.error_message,
        )
        for op in operations
    ]
    quoted = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def _json_or_null(payload: object) -> str | None:
    return None if payload is None else canonical_json(payload)
