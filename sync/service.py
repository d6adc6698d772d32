"""The operator's verbs, shared by the admin, the management commands and the Celery tasks.

Work that grows with the fleet (planning, reading Trackunit for drift, sync now) is a SyncJob when the
admin asks for it: the request only records the job and queues it (`start_job`), a worker runs it
(`run_job`) and the job page follows its progress.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from sync import approval, attention, dispatch, leases, remote_assets, triggers, worker_client
from sync.apply import PlanNotApplicable, abandon_stalled_runs, apply_plan, progress
from sync.audit import AttemptRecorder
from sync.drift import detect_drift
from sync.models import RunStatus, SyncJob, SyncRun
from sync.plan import Progress, make_plan
from sync.trackunit.errors import TrackunitError

log = logging.getLogger(__name__)
DONE = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.STALE)
LOST_JOB = "The worker doing this job stopped before it finished (killed or restarted): start it again."


def sync_now(
    *, trigger: str, user: User | None = None, only_failed: bool = False, on_progress: Progress | None = None
) -> SyncRun:
    """Plan afresh and apply that plan (a plan with nothing to do finishes at once; a plan applied while
    another run pushes to the account waits its turn)."""
    run = make_plan(trigger=trigger, user=user, only_failed=only_failed, on_progress=on_progress)
    return apply_plan(run, user=user)


class SyncBusy(Exception):
    """Another run is still queued or pushing: the coalesced sync asks again later."""


def coalesced_sync(*, trigger: str) -> SyncRun:
    """The sync a burst of changes asked for (sync/triggers.py): plan, then apply or hold for approval
    (sync/approval.py), unless a run is busy.

    Runs that stopped making progress are closed first, so a stuck run cannot hold every later sync back.
    """
    abandon_stalled_runs(timedelta(seconds=settings.SYNC_STALLED_AFTER_S))
    if SyncRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).exists():
        raise SyncBusy
    triggers.clear_request()
    causes = triggers.take_causes()
    user = User.objects.filter(pk=causes.user_id).first() if causes.user_id else None
    run = make_plan(trigger=trigger, user=user, detail=causes.detail)
    return approval.apply_or_hold(run)


def reconcile(*, trigger: str) -> SyncRun:
    """The nightly check: record what someone changed in Trackunit, retry the records waiting for
    Trackunit, then push local changes (or hold them for approval)."""
    detect_drift(trigger=trigger)
    attention.wake_waiting()
    run = make_plan(trigger=trigger, detail="the nightly schedule")
    return approval.apply_or_hold(run)


def match_assets(
    *, trigger: str, user: AbstractBaseUser | AnonymousUser | None = None
) -> remote_assets.MatchReport:
    """Read Trackunit's asset list now and match it to local assets (each sync also does, per run)."""
    recorder = AttemptRecorder(triggered_by=user.get_username() if user else trigger)
    return remote_assets.refresh(worker_client.api_for(recorder))


def start_job(action: str, *, user: User | None = None) -> SyncJob:
    """Record a job and queue it for a worker once this transaction commits; returns at once."""
    job = SyncJob.objects.create(action=action, created_by=user if getattr(user, "pk", None) else None)
    transaction.on_commit(lambda: dispatch.enqueue("run_sync_job", job.pk))
    return job


def run_job(job_id: int) -> SyncJob:
    """Do one queued job (a redelivered task finds it taken and does nothing); its outcome is on the job."""
    if not SyncJob.objects.filter(pk=job_id, status=SyncJob.Status.QUEUED).update(
        status=SyncJob.Status.RUNNING, stage="starting", lease_until=leases.expiry()
    ):
        return SyncJob.objects.get(pk=job_id)
    job = SyncJob.objects.select_related("created_by").get(pk=job_id)
    with leases.holding_job(job.pk):
        _do(job)
    job.finished_at = timezone.now()
    job.save(update_fields=["run", "drift_found", "status", "stage", "message", "finished_at"])
    return job


def _do(job: SyncJob) -> None:
    """The job's work; its outcome (status, run, drift found, message) is set on `job`."""
    report = _reporter(job.pk)
    try:
        if job.action == SyncJob.Action.PLAN:
            job.run = make_plan(trigger="admin", user=job.created_by, on_progress=report)
        elif job.action == SyncJob.Action.SYNC_NOW:
            job.run = make_plan(trigger="admin", user=job.created_by, on_progress=report)
            apply_plan(job.run, user=job.created_by)
        elif job.action == SyncJob.Action.RETRY_FAILED:
            job.run = make_plan(trigger="retry", user=job.created_by, only_failed=True, on_progress=report)
            apply_plan(job.run, user=job.created_by)
        else:
            report("reading Trackunit", 0, 1)
            job.drift_found = len(detect_drift(trigger="admin", user=job.created_by))
        job.status, job.stage = SyncJob.Status.DONE, ""
    except PlanNotApplicable as error:
        job.status, job.message = SyncJob.Status.FAILED, str(error)
    except TrackunitError as error:
        job.status, job.message = SyncJob.Status.FAILED, f"Could not read Trackunit: {error}"
    except Exception as error:
        log.exception("sync job %s failed", job.pk)
        job.status, job.message = SyncJob.Status.FAILED, f"The job failed: {error!r}"


def fail_lost_jobs() -> int:
    """Close as failed the running jobs whose worker stopped renewing their lease (it was killed or
    restarted mid-job), so their page says so instead of "running" for ever; the watchdog calls this.
    A plan such a job left half-made is removed by its own lease (sync.plan.remove_abandoned_plans).
    Returns how many."""
    now = timezone.now()
    return SyncJob.objects.filter(status=SyncJob.Status.RUNNING, lease_until__lt=now).update(
        status=SyncJob.Status.FAILED, finished_at=now, message=LOST_JOB
    )


def _reporter(job_id: int) -> Progress:
    def report(stage: str, done: int, total: int) -> None:
        SyncJob.objects.filter(pk=job_id).update(stage=stage[:200], progress_done=done, progress_total=total)

    return report


def wait_for(
    run: SyncRun,
    *,
    timeout: float,
    poll: float = 0.5,
    on_progress: Callable[[SyncRun, dict[str, int]], None] | None = None,
) -> SyncRun:
    deadline = time.monotonic() + timeout
    while True:
        run.refresh_from_db()
        if on_progress:
            on_progress(run, progress(run))
        if run.status in DONE or time.monotonic() > deadline:
            return run
        time.sleep(poll)
