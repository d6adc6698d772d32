"""Checking the audit trail's hash chain against the database, and remembering each check.

The walk streams rows in id order; the bodies' digests are computed by the database (SHA-256 over their
UTF-8), so up to 200 kB of bodies per row never cross the wire just to be hashed.
"""

from django.db.models import Func, TextField

from sync.audit_chain import CONTENT_FIELDS, ChainReport, verify
from sync.models import AuditVerification, SyncAttempt

CHUNK = 2000


class BodyDigest(Func):
    """Hex SHA-256 of a text column's UTF-8, in the database (Django's SHA256 needs pgcrypto on PostgreSQL;
    sha256() is built in since PostgreSQL 11; Django registers SHA256 on every SQLite connection)."""

    function = "SHA256"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')"
        return super().as_sql(compiler, connection, template=template, **extra_context)


def verify_audit_trail() -> AuditVerification:
    """Walk the whole chain, record the outcome and return it (the first broken row, if any)."""
    rows = (
        SyncAttempt.objects.order_by("id")
        .annotate(
            request_body_sha256=BodyDigest("request_body"), response_body_sha256=BodyDigest("response_body")
        )
        .values(
            "id",
            *CONTENT_FIELDS,
            "previous_hash",
            "chain_hash",
            "bodies_pruned_at",
            "request_body_sha256",
            "response_body_sha256",
        )
        .iterator(chunk_size=CHUNK)
    )
    report = verify(rows)
    return AuditVerification.objects.create(
        intact=report.intact,
        attempts_checked=report.checked,
        first_broken_id=report.broken_id,
        message=describe(report),
        head_hash=report.head_hash,
    )


def describe(report: ChainReport) -> str:
    if report.intact:
        return f"{report.checked} attempts verified, chain intact"
    created = report.broken_created_at.isoformat() if report.broken_created_at else "unknown"
    return (
        f"attempt #{report.broken_id} (created {created}): {report.problem} "
        f"({report.checked} attempts before it verified)"
    )
