"""Celery shells over the import services: the work and its error handling live in jobs and retention."""

from celery import shared_task

from rentalbridge.imports import jobs, retention


@shared_task(name="imports.run_import_job", acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> str:
    return jobs.run_job(job_id).status


@shared_task(name="imports.remove_expired_files")
def remove_expired_files() -> int:
    return retention.remove_expired_files()
