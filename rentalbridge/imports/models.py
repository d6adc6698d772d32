"""ImportJob: one uploaded file on its way from preview to written rows, with progress for the admin page.

The file itself is kept in the row (not on a disk the web server and the Celery worker might not share), and
so is the CSV of rejected rows that a "valid rows only" import hands back. Both are removed once the job is
IMPORTS_FILE_RETENTION_DAYS old (retention.py); the summary, errors and preview stay.
"""

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    RUNNING = "RUNNING", "Running"
    PREVIEW = "PREVIEW", "Checked, waiting for confirmation"
    DONE = "DONE", "Imported"
    REJECTED = "REJECTED", "Refused, nothing written"
    FAILED = "FAILED", "Failed"


FINISHED = (JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED)


class ImportJob(models.Model):
    entity = models.CharField(max_length=32, help_text="The registry name, e.g. assets or contract-items.")
    file_name = models.CharField(max_length=255)
    source = models.BinaryField(null=True, editable=False, help_text="The uploaded file, until retention.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    confirmed = models.BooleanField(default=False, help_text="False: check only (preview). True: write.")
    valid_only = models.BooleanField(default=False, help_text="Write the valid rows, hand back the rest.")
    run_async = models.BooleanField(default=False)
    stage = models.CharField(max_length=64, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why the whole file was refused, or the crash.")
    errors = models.JSONField(default=list, blank=True, help_text="The first row errors, for the page.")
    error_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=list, blank=True, help_text="The first rows and what happens to each.")
    rejected_csv = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    files_removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When retention removed the uploaded file and the rejected rows."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(files_removed_at__isnull=True)
                | models.Q(source__isnull=True, rejected_csv__isnull=True),
                name="import_job_files_removed_means_no_files",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} import #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def rows_valid(self) -> int:
        return self.rows_total - self.rows_rejected

    @property
    def percent(self) -> int:
        if self.is_finished or self.status == JobStatus.PREVIEW:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
