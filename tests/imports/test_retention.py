"""Uploaded files are not kept forever: retention removes them, the job's summary and errors stay."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from rentalbridge.celery import app
from rentalbridge.imports import tasks
from rentalbridge.imports.models import ImportJob, JobStatus
from rentalbridge.imports.retention import remove_expired_files

FILE = b"external_reference,name\r\nC1,Alpha\r\n"
REJECTED = b"external_reference,name,error\r\nC2,,name: a value is required\r\n"
ERRORS = [{"line": 2, "column": "name", "value": "", "rule": "required", "message": "a value is required"}]


def job(status: str, age_days: float, created_by=None, **fields) -> ImportJob:
    """A job that finished (or, for previews and running jobs, was created) `age_days` ago."""
    when = timezone.now() - timedelta(days=age_days)
    created = ImportJob.objects.create(
        entity="customers",
        file_name="customers.csv",
        source=FILE,
        rejected_csv=REJECTED,
        status=status,
        rows_total=2,
        rows_new=1,
        rows_rejected=1,
        errors=ERRORS,
        error_count=1,
        created_by=created_by,
        finished_at=when if status in (JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED) else None,
        **fields,
    )
    ImportJob.objects.filter(pk=created.pk).update(created_at=when)
    return created


def files_of(job_: ImportJob) -> tuple:
    job_.refresh_from_db()
    return (None if job_.source is None else bytes(job_.source), job_.rejected_csv is not None)


@pytest.mark.django_db
def test_files_of_jobs_finished_longer_ago_than_the_retention_are_removed_and_the_rest_stays(settings):
    settings.IMPORTS_FILE_RETENTION_DAYS = 30
    old_done, old_rejected, old_failed = (job(s, 31) for s in (JobStatus.DONE, JobStatus.REJECTED, "FAILED"))
    recent_done = job(JobStatus.DONE, 29)
    old_running, old_queued = job(JobStatus.RUNNING, 40), job(JobStatus.QUEUED, 40)
    old_preview, recent_preview = job(JobStatus.PREVIEW, 31), job(JobStatus.PREVIEW, 1)

    assert remove_expired_files() == 4

    for removed in (old_done, old_rejected, old_failed):
        assert files_of(removed) == (None, False)
        assert removed.files_removed_at is not None
        # The summary, errors and counts a clerk or auditor looks at stay.
        assert (removed.rows_total, removed.rows_new, removed.rows_rejected) == (2, 1, 1)
        assert (removed.errors, removed.error_count) == (ERRORS, 1)
    for kept in (recent_done, old_running, old_queued, recent_preview):
        assert files_of(kept) == (FILE, True)
    old_preview.refresh_from_db()
    assert old_preview.status == JobStatus.REJECTED
    assert old_preview.source is None
    assert "Not confirmed within 30 days" in old_preview.message
    assert remove_expired_files() == 0  # already removed: nothing to do


@pytest.mark.django_db
def test_the_retention_is_the_configured_number_of_days(settings):
    done = job(JobStatus.DONE, 8)
    settings.IMPORTS_FILE_RETENTION_DAYS = 10
    assert remove_expired_files() == 0
    settings.IMPORTS_FILE_RETENTION_DAYS = 7
    assert remove_expired_files() == 1
    assert files_of(done) == (None, False)


@pytest.mark.django_db
def test_the_job_page_says_the_files_were_removed(admin_client_for, back_office_user, settings):
    settings.IMPORTS_FILE_RETENTION_DAYS = 30
    old = job(JobStatus.DONE, 31, created_by=back_office_user)
    remove_expired_files()
    client = admin_client_for(back_office_user)
    page = client.get(reverse("admin:customers_customer_import_job", args=[old.pk])).content.decode()
    assert "were removed on" in page
    assert "Download the rejected rows" not in page
    assert client.get(reverse("admin:customers_customer_import_rejected", args=[old.pk])).status_code == 404


def test_celery_beat_runs_the_retention_task_daily():
    schedule = django_settings.CELERY_BEAT_SCHEDULE.values()
    (entry,) = [e for e in schedule if e["task"] == tasks.remove_expired_files.name]
    assert entry["schedule"].hour == {3}
    assert tasks.remove_expired_files.name in app.tasks


@pytest.mark.e2e
def test_a_real_worker_runs_the_beat_task_by_its_name(transactional_db, celery_worker):
    """The worker keeps its own settings: the default retention of 30 days."""
    old = job(JobStatus.DONE, 31)
    result = app.send_task(tasks.remove_expired_files.name)
    assert result.get(timeout=30) == 1
    assert files_of(old) == (None, False)
