"""Celery shells around the sync services; each task does one short piece of work.

Pushes go to their own queue (CELERY_TASK_ROUTES) so a long sync never starves imports and other
work, and they are acknowledged late: a worker killed mid-chunk has its chunk redelivered, and
operations already done are not pushed again.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from sync import apply, service, triggers
from sync.models import RunStatus, SyncRun


@shared_task(acks_late=True)
def advance_run(run_id: int, finished_phase: int) -> None:
    apply.advance(run_id, finished_phase)


@shared_task(acks_late=True)
def push_operations(run_id: int, phase: int, operation_ids: list[int]) -> None:
    apply.execute_chunk(run_id, phase, operation_ids)


@shared_task(bind=True, acks_late=True, max_retries=None)
def sync_now(self, trigger: str = "auto") -> int | None:
    """One coalesced sync; waits politely while another run is still pushing."""
    apply.abandon_stalled_runs(timedelta(seconds=settings.SYNC_STALLED_AFTER_S))
    if SyncRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).exists():
        raise self.retry(countdown=30)
    triggers.clear_request()
    return service.sync_now(trigger=trigger).pk


@shared_task(acks_late=True)
def nightly_reconcile() -> None:
    from sync.drift import detect_drift

    detect_drift(trigger="nightly")
    service.sync_now(trigger="nightly")
