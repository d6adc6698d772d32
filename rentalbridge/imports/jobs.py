"""The life of an ImportJob: create it from an upload, check it (preview), confirm it, write it.

The admin, the Celery task and the tests all go through these functions. A file with more lines than
IMPORTS_ASYNC_THRESHOLD_ROWS (so possibly that many rows) is parsed, checked and written by a Celery worker;
the request only reads its header. A smaller file runs in the request.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from rentalbridge.imports.decoding import FileRefused, read_header
from rentalbridge.imports.engine import ImportReport, map_header, run_import
from rentalbridge.imports.models import ImportJob, JobStatus
from rentalbridge.imports.registry import resource_for
from rentalbridge.imports.uploads import too_large_message

logger = logging.getLogger(__name__)
ERRORS_KEPT = 500


def create_job(entity: str, data: bytes, file_name: str, user) -> ImportJob:
    """Store an upload once its header fits the entity; raise FileRefused for a file refused whole.

    Only the first bytes are decoded here: parsing a large file is the worker's job, not the request's.
    """
    if len(data) > settings.IMPORTS_MAX_FILE_BYTES:
        raise FileRefused(too_large_message(settings.IMPORTS_MAX_FILE_BYTES))
    map_header(resource_for(entity), read_header(data))
    return ImportJob.objects.create(
        entity=entity,
        file_name=file_name[:255],
        source=data,
        created_by=user if getattr(user, "pk", None) else None,
        run_async=_line_count(data) - 1 > settings.IMPORTS_ASYNC_THRESHOLD_ROWS,
    )


def _line_count(data: bytes) -> int:
    """Lines of the file without decoding it: never fewer than its rows (a quoted newline adds one)."""
    breaks = max(data.count(b"\n"), data.count(b"\r"))
    return breaks + (not data.endswith((b"\n", b"\r", b"\n\x00", b"\r\x00")))


def start(job: ImportJob, *, confirmed: bool = False, valid_only: bool = False) -> ImportJob:
    """Queue the check (confirmed=False) or the write; small files run at once in this process."""
    job.confirmed, job.valid_only = confirmed, valid_only
    job.status, job.stage, job.progress_done, job.progress_total = JobStatus.QUEUED, "queued", 0, 0
    job.save(update_fields=["confirmed", "valid_only", "status", "stage", "progress_done", "progress_total"])
    if job.run_async:
        from rentalbridge.imports.tasks import run_import_job

        transaction.on_commit(lambda: run_import_job.delay(job.pk))
        return job
    return run_job(job.pk)


def run_job(job_id: int) -> ImportJob:
    """Run one queued job to its next resting state (PREVIEW, DONE or REJECTED); safe to run twice.

    A job left RUNNING by a killed worker runs again when its task is redelivered: the write is one
    transaction that also marks the job DONE, so it either happened completely or not at all.
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return job  # already finished: a redelivered task must not import twice
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, stage="reading")
    try:
        if job.source is None:
            raise ValueError("the uploaded file is gone (removed by retention)")
        report = run_import(
            resource_for(job.entity),
            bytes(job.source),
            dry_run=not job.confirmed,
            valid_only=job.valid_only,
            actor=job.created_by or "import",
            progress=lambda stage, done, total: _progress(job.pk, stage, done, total),
            on_written=lambda report: _record(job, report),
            history_reason=f"import job #{job.pk} ({job.file_name})",
        )
        if not report.written:
            _record(job, report)
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        job.status, job.message, job.finished_at = (
            JobStatus.FAILED,
            f"The import failed: {exc!r}",
            timezone.now(),
        )
        job.save(update_fields=["status", "message", "finished_at"])
    return job


def _progress(job_id: int, stage: str, done: int, total: int) -> None:
    # Inside the write transaction nobody else would see the update (and SQLite would wait for the lock).
    if not connection.in_atomic_block:
        ImportJob.objects.filter(pk=job_id).update(stage=stage, progress_done=done, progress_total=total)


def _record(job: ImportJob, report: ImportReport) -> None:
    if report.message or (report.refused and job.confirmed):
        job.status = JobStatus.REJECTED
    else:
        job.status = JobStatus.DONE if job.confirmed else JobStatus.PREVIEW
    job.stage = ""
    job.rows_total = report.rows_total
    job.rows_new, job.rows_updated, job.rows_unchanged = report.new, report.updated, report.unchanged
    job.rows_rejected = report.rejected
    job.message = report.message
    job.errors = [error.as_dict() for error in report.errors[:ERRORS_KEPT]]
    job.error_count = len(report.errors)
    job.preview = report.preview
    job.rejected_csv = report.rejected_csv
    job.finished_at = timezone.now() if job.status != JobStatus.PREVIEW else None
    job.save()


def summary(job: ImportJob) -> str:
    """One sentence for messages and the CLI."""
    counts = f"{job.rows_new} new, {job.rows_updated} updated, {job.rows_unchanged} unchanged"
    return f"{job.rows_total} rows: {counts}, {job.rows_rejected} rejected."
