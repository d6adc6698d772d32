"""Celery shells around the sync services; each task does one short piece of work.

Pushes go to their own queue (CELERY_TASK_ROUTES) so a long sync never starves imports and other
work. They are acknowledged late and rejected back to the queue when their worker process is lost;
and since a worker killed outright (or a Redis that lost its queues) takes its messages with it, every
worker also runs the watchdog (sync/watchdog.py) that resumes runs whose leases ran out. Operations
already done, or held by another task, are never pushed again. Results are not kept: the database
holds every outcome.
"""

from typing import Any, TypedDict

from celery import Task, shared_task
from celery.signals import worker_process_init, worker_process_shutdown, worker_ready, worker_shutdown
from django.conf import settings

from sync import apply, expiry, service, watchdog
from sync.audit_retention import blank_bodies_older_than
from sync.audit_verification import verify_audit_trail as verify_chain
from sync.telematics.pull import pull_fleet


class _PushOptions(TypedDict):
    acks_late: bool
    reject_on_worker_lost: bool
    ignore_result: bool


PUSH_OPTIONS: _PushOptions = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(**PUSH_OPTIONS)
def advance_run(run_id: int, finished_phase: int) -> None:
    apply.advance(run_id, finished_phase)


@shared_task(**PUSH_OPTIONS)
def push_operations(run_id: int, phase: int, operation_ids: list[int]) -> None:
    apply.execute_chunk(run_id, phase, operation_ids)


@shared_task(**PUSH_OPTIONS)
def resume_run(run_id: int) -> None:
    apply.resume(run_id)


@shared_task(bind=True, acks_late=True, max_retries=None)
def sync_now(self: Task, trigger: str = "auto") -> int | None:
    """One coalesced sync; waits politely while another run is still pushing."""
    try:
        return service.coalesced_sync(trigger=trigger).pk
    except service.SyncBusy as busy:
        raise self.retry(countdown=30) from busy


@shared_task(acks_late=True, ignore_result=True)
def run_sync_job(job_id: int) -> None:
    """A plan, drift check or sync now an operator asked for in the admin; its page follows it."""
    service.run_job(job_id)


@shared_task(acks_late=True)
def nightly_reconcile() -> None:
    service.reconcile(trigger="nightly")


@shared_task(ignore_result=True)
def verify_audit_trail() -> None:
    """The daily check of the audit trail's hash chain; its outcome is an AuditVerification row."""
    verify_chain()


@shared_task(ignore_result=True)
def prune_audit_bodies() -> None:
    blank_bodies_older_than(settings.AUDIT_BODY_RETENTION_DAYS)


@shared_task(ignore_result=True)
def expire_unapplied_plans() -> int:
    """The hourly close of plans nobody applied in time (SYNC_PLAN_EXPIRES_AFTER_H)."""
    return expiry.expire_unapplied_plans()


@shared_task(acks_late=True)
def pull_telematics(trigger: str = "schedule") -> int:
    """The daily telematics pull (or one asked for); a pull that was asked too soon records why."""
    return pull_fleet(trigger=trigger).pk


@worker_ready.connect
@worker_process_init.connect
def _start_watchdog(**kwargs: Any) -> None:
    """Each worker process renews its leases; a worker just started first looks for runs to resume."""
    watchdog.start()


@worker_shutdown.connect
@worker_process_shutdown.connect
def _stop_watchdog(**kwargs: Any) -> None:
    watchdog.stop()
