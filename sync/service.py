"""The operator's verbs, shared by the admin, the management commands and the Celery tasks."""

import time

from sync import remote_assets, worker_client
from sync.apply import apply_plan, progress
from sync.audit import AttemptRecorder
from sync.models import RunStatus, SyncRun
from sync.plan import make_plan

DONE = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.STALE)


def sync_now(*, trigger: str, user=None, only_failed: bool = False) -> SyncRun:
    """Plan afresh and apply that plan (a plan with nothing to do finishes at once; a plan applied while
    another run pushes to the account waits its turn)."""
    run = make_plan(trigger=trigger, user=user, only_failed=only_failed)
    return apply_plan(run, user=user)


def match_assets(*, trigger: str, user=None) -> remote_assets.MatchReport:
    """Read Trackunit's asset list now and match it to local assets (each sync also does, per run)."""
    recorder = AttemptRecorder(triggered_by=user.get_username() if user else trigger)
    return remote_assets.refresh(worker_client.api_for(recorder))


def wait_for(run: SyncRun, *, timeout: float, poll: float = 0.5, on_progress=None) -> SyncRun:
    deadline = time.monotonic() + timeout
    while True:
        run.refresh_from_db()
        if on_progress:
            on_progress(run, progress(run))
        if run.status in DONE or time.monotonic() > deadline:
            return run
        time.sleep(poll)
