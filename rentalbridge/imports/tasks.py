"""Celery shell over the import service: the work and its error handling live in jobs.run_job."""

from celery import shared_task

from rentalbridge.imports import jobs


@shared_task(name="imports.run_import_job", acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> str:
    return jobs.run_job(job_id).status
