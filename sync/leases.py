"""Who answers for a run, for each operation being pushed and for each sync job, and until when.

A task working on a run holds the run's lease and, while it pushes one operation, that operation's claim;
the process's watchdog (sync/watchdog.py) renews both every SYNC_HEARTBEAT_S for as long as the task
runs. A worker that dies stops renewing, so its leases run out SYNC_LEASE_S later and the run is resumed
(sync.apply.resume_lost_runs) without waiting for the broker's visibility timeout. The claim makes the
push of an operation exclusive: a redelivered or resumed task skips an operation another task holds.
A sync job (plan, drift check, sync now) is leased the same way, so one whose worker died is closed as
failed (sync.service.fail_lost_jobs) instead of showing "running" for ever.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from sync.models import OperationStatus, RunStatus, SyncJob, SyncOperation, SyncRun

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)

_lock = threading.Lock()
_held_runs: Counter[int] = Counter()
_held_operations: set[int] = set()
_held_jobs: set[int] = set()


def expiry(extra_s: float = 0.0) -> datetime:
    """When a lease taken now runs out, `extra_s` later than usual (a chunk waiting for its countdown)."""
    return timezone.now() + timedelta(seconds=settings.SYNC_LEASE_S + extra_s)


def hold_run(run_id: int, extra_s: float = 0.0) -> None:
    """Extend the run's lease to at least `SYNC_LEASE_S + extra_s` from now (never shortens it)."""
    until = Value(expiry(extra_s))
    SyncRun.objects.filter(pk=run_id).update(lease_until=Greatest(Coalesce("lease_until", until), until))


@contextmanager
def holding_run(run_id: int) -> Iterator[None]:
    """This process works on the run: the watchdog keeps its lease alive until the block ends."""
    with _lock:
        _held_runs[run_id] += 1
    hold_run(run_id)
    try:
        yield
    finally:
        with _lock:
            _held_runs[run_id] -= 1
            if _held_runs[run_id] <= 0:
                del _held_runs[run_id]


class Claim:
    """A task's hold on one operation; false when the operation was done or another task held it."""

    def __init__(self, held: bool) -> None:
        self.held = held
        self.released = False

    def __bool__(self) -> bool:
        return self.held

    def released_with_outcome(self) -> None:
        """The UPDATE that recorded the operation's outcome also cleared `claimed_until`, so the end of
        the claim needs no query of its own."""
        self.released = True


@contextmanager
def operation_claim(operation_id: int) -> Iterator[Claim]:
    """Claim a pending operation for this task; the claim is false when it is done or another task holds
    it. Handed back when the block ends, unless the block released it with the operation's outcome."""
    now = timezone.now()
    claimed = (
        SyncOperation.objects.filter(pk=operation_id, status=OperationStatus.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=expiry())
    )
    claim = Claim(bool(claimed))
    if not claim:
        yield claim
        return
    with _lock:
        _held_operations.add(operation_id)
    try:
        yield claim
    finally:
        with _lock:
            _held_operations.discard(operation_id)
        if not claim.released:
            SyncOperation.objects.filter(pk=operation_id).update(claimed_until=None)


@contextmanager
def holding_job(job_id: int) -> Iterator[None]:
    """This process does the job (its lease was taken when it started): the watchdog keeps the lease
    alive until the block ends."""
    with _lock:
        _held_jobs.add(job_id)
    try:
        yield
    finally:
        with _lock:
            _held_jobs.discard(job_id)


def renew_held() -> None:
    """Push out the leases and claims this process holds (the watchdog's heartbeat)."""
    with _lock:
        runs, operations, jobs = list(_held_runs), list(_held_operations), list(_held_jobs)
    if runs:
        until = Value(expiry())
        SyncRun.objects.filter(pk__in=runs, status__in=ACTIVE).update(
            lease_until=Greatest(Coalesce("lease_until", until), until)
        )
    if operations:
        SyncOperation.objects.filter(pk__in=operations, status=OperationStatus.PENDING).update(
            claimed_until=expiry()
        )
    if jobs:
        SyncJob.objects.filter(pk__in=jobs, status=SyncJob.Status.RUNNING).update(lease_until=expiry())


def lost_runs() -> list[SyncRun]:
    """Unfinished runs whose lease ran out and none of whose operations is still claimed."""
    now = timezone.now()
    # Claimed operations are pending ones, so the (run, status) index finds them.
    live_claim = SyncOperation.objects.filter(
        run=OuterRef("pk"), status=OperationStatus.PENDING, claimed_until__gte=now
    )
    unleased = Q(lease_until__lt=now) | Q(lease_until__isnull=True, applied_at__lt=now - _lease())
    return list(SyncRun.objects.filter(status__in=ACTIVE).filter(unleased).filter(~Exists(live_claim)))


def take_over(run: SyncRun) -> bool:
    """Lease a lost run to the caller; only one of several watchdogs finding it at once gets it."""
    unchanged = Q(lease_until__isnull=True) if run.lease_until is None else Q(lease_until=run.lease_until)
    return bool(SyncRun.objects.filter(unchanged, pk=run.pk).update(lease_until=expiry()))


def _lease() -> timedelta:
    return timedelta(seconds=settings.SYNC_LEASE_S)
