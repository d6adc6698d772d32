"""Uploaded files are not kept forever: retention removes them from jobs IMPORTS_FILE_RETENTION_DAYS old.

An upload holds customers' names, addresses and phone numbers; once its job is over, the job's summary,
errors and preview are what anyone needs, so the file and the rejected-rows CSV go. A preview nobody
confirmed within the same time is closed (nothing was written) and its file goes too, or an abandoned
upload would be kept for good. Jobs still queued or running are never touched.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from rentalbridge.imports.models import FINISHED, ImportJob, JobStatus


def remove_expired_files(now: datetime | None = None) -> int:
    """Remove the files of finished jobs (and close stale previews) past the retention; return how many."""
    now = now or timezone.now()
    days = settings.IMPORTS_FILE_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    holding = ImportJob.objects.filter(files_removed_at__isnull=True)
    removed = {"source": None, "rejected_csv": None, "files_removed_at": now}
    expired_previews = holding.filter(status=JobStatus.PREVIEW, created_at__lt=cutoff).update(
        status=JobStatus.REJECTED,
        message=f"Not confirmed within {days} days: the file was removed and nothing was written.",
        finished_at=now,
        **removed,
    )
    finished = holding.filter(Q(status__in=FINISHED) & Q(finished_at__lt=cutoff)).update(**removed)
    return expired_previews + finished
