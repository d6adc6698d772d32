"""Apply a plan: push exactly the reviewed operations, phase by phase, through Celery.

Phases follow dependencies (definitions, depots, customers, contacts, asset references, rental data,
assignments, values; deletes last, children first). Within a phase operations run in parallel chunks,
paced by the client's shared rate limits. The last chunk of a phase to finish moves the run on with a
conditional UPDATE, so exactly one worker starts the next phase and a redelivered task cannot double it.
An operation whose prerequisite failed is skipped with that reason instead of being sent to fail.

Only one run pushes to a Trackunit account at a time (a database constraint on running runs); a run
applied while another pushes waits its turn, oldest first, so an older plan never lands after a newer one.
Nothing depends on the broker keeping its messages: tasks hold leases (sync/leases.py) that their
worker's watchdog renews, and a run whose leases ran out (its worker was killed, Redis lost its queues)
is resumed from what the database says is still pending. Operations are claimed one at a time and
upserts look a record up before creating it, so a redelivered or resumed task never sends a duplicate.
A Retry-After longer than the client waits puts the rest of the chunk back on the queue with that
countdown instead of failing its operations.
"""

import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from rentalbridge.db_statistics import refresh_after_bulk_write
from sync import attention, dispatch, leases, ledger, worker_client
from sync.audit import AttemptRecorder
from sync.kinds import BY_NAME, Kind
from sync.kinds.base import NotReady, Push, WaitingForTrackunit, chunked
from sync.models import OperationStatus, RunStatus, SyncOperation, SyncRun, SyncState
from sync.remote_assets import ForeignAsset
from sync.trackunit.client import ClientConfig
from sync.trackunit.endpoints import TrackunitApi
from sync.trackunit.errors import LocalRateLimitExceeded, NotFound, RateLimited, TrackunitError

log = logging.getLogger(__name__)
FINISHED = 32767
STALE_LIST_MAX = 10


class PlanNotApplicable(Exception):
    """The plan was applied already or is stale; the message says which."""


class TryLater(Exception):
    """Trackunit asked to come back after longer than the client waits: the chunk is rescheduled."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Trackunit asked to come back in {seconds:.1f}s")
        self.seconds = seconds


def account_key() -> str:
    """The Trackunit account the configured client pushes to, as the client keys its shared budgets."""
    return ClientConfig.from_settings().account_prefix()


def apply_plan(run: SyncRun, *, user: User | None = None) -> SyncRun:
    """Queue a reviewed plan for pushing, or refuse it when the records it covers changed since."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (RunStatus.PLANNED, RunStatus.AWAITING_APPROVAL):
            raise PlanNotApplicable(
                f"Run #{run.pk} is {run.get_status_display().lower()}, not a plan to apply."
            )
        stale = stale_operations(run)
        run.applied_by, run.applied_at = user, timezone.now()
        if stale:
            run.status = RunStatus.STALE
            run.message = (
                "Local records changed after this plan was made; plan again. Changed: "
                + ", ".join(stale[:STALE_LIST_MAX])
                + (f" and {len(stale) - STALE_LIST_MAX} more" if len(stale) > STALE_LIST_MAX else "")
            )
            run.save(update_fields=["status", "message", "applied_by", "applied_at"])
        else:
            run.status = RunStatus.QUEUED
            run.account = account_key()
            run.lease_until = leases.expiry()
            run.save(update_fields=["status", "applied_by", "applied_at", "account", "lease_until"])
            transaction.on_commit(lambda: _enqueue_advance(run.pk, 0))
    if run.status == RunStatus.STALE:
        raise PlanNotApplicable(run.message)
    return run


def stale_operations(run: SyncRun) -> list[str]:
    """`kind:key` of each operation that no longer matches today's data: a payload that would be built
    differently, a record deleted since, or a deleted record that is back.

    The database names the records whose rows changed after the plan read them (the source version kept
    with each operation, as planning finds changes against the ledger); only those payloads are built
    again and compared by hash, so checking a 300,000-operation plan costs a few queries, not a replan.
    """
    stale = []
    kinds = run.operations.order_by().values_list("kind", flat=True).distinct()
    for kind_name in sorted(kinds, key=lambda name: BY_NAME[name].phase):
        kind = BY_NAME[kind_name]
        operations = run.operations.filter(kind=kind_name).order_by("key")
        changed = kind.changed_since_planned(run.pk)
        if changed is None:
            entries = operations.values_list("key", "action", "payload_hash").iterator(chunk_size=2000)
            for chunk in chunked(list(entries)):
                stale += [f"{kind_name}:{key}" for key in _rebuilt_differs(kind, chunk)]
            continue
        suspects = set(_rebuilt_differs_by_key(kind, operations, sorted(changed)))
        for chunk in chunked(list(operations.values_list("key", "action").iterator(chunk_size=2000))):
            here = kind.existing([key for key, _ in chunk])
            suspects |= {key for key, action in chunk if (action == "delete") == (key in here)}
        stale += [f"{kind_name}:{key}" for key in sorted(suspects)]
    return stale


def _rebuilt_differs_by_key(kind: Kind, operations: QuerySet, keys: list[str]) -> Iterator[str]:
    for chunk in chunked(keys):
        entries = list(operations.filter(key__in=chunk).values_list("key", "action", "payload_hash"))
        yield from _rebuilt_differs(kind, entries)


def _rebuilt_differs(kind: Kind, entries: list[tuple[str, str, str]]) -> list[str]:
    """Keys whose payload, built from today's data, differs from the planned one (or whose existence does)."""
    now = {
        d.key: ledger.payload_hash(d.payload, kind.mapping_version)
        for d in kind.desired({k for k, _, _ in entries})
    }
    return [
        key
        for key, action, digest in entries
        if (action == "delete" and key in now) or (action != "delete" and now.get(key) != digest)
    ]


def advance(run_id: int, finished_phase: int) -> None:
    """Start the next phase once every operation of `finished_phase` is done (called after each chunk).

    Phase 0 is the start: the run first waits for its account to be free.
    """
    with leases.holding_run(run_id):
        _advance(run_id, finished_phase)


def _advance(run_id: int, finished_phase: int) -> None:
    if finished_phase == 0 and not _take_account(run_id):
        return
    pending = SyncOperation.objects.filter(run_id=run_id, status=OperationStatus.PENDING)
    if pending.filter(phase=finished_phase).exists():
        return
    next_phase = pending.filter(phase__gt=finished_phase).aggregate(phase=Min("phase"))["phase"]
    claimed = SyncRun.objects.filter(
        pk=run_id, status=RunStatus.RUNNING, current_phase=finished_phase
    ).update(current_phase=next_phase if next_phase is not None else FINISHED)
    if not claimed:
        return
    if next_phase is None:
        finish(run_id)
        return
    _start_phase(run_id, next_phase)


def _start_phase(run_id: int, phase: int) -> None:
    """Let the phase's kind read what it needs, then queue its pending operations in chunks."""
    ids = list(
        SyncOperation.objects.filter(run_id=run_id, phase=phase, status=OperationStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    run = SyncRun.objects.get(pk=run_id)
    kind = BY_NAME[SyncOperation.objects.get(pk=ids[0]).kind]
    recorder = AttemptRecorder(triggered_by=run.actor_label, run=run)
    try:
        kind.prepare(worker_client.api_for(recorder))
    except TrackunitError:
        log.exception("preparing %s for run %s failed; its operations will say why", kind.name, run_id)
    for chunk in chunked(ids, settings.SYNC_CHUNK_SIZE):
        _enqueue_chunk(run_id, phase, chunk)


def _take_account(run_id: int) -> bool:
    """True when the run may push: it is running, or it just started because its account was free and no
    run applied before it is still waiting. Otherwise it asks again in SYNC_HEARTBEAT_S."""
    run = SyncRun.objects.get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run.status == RunStatus.RUNNING
    earlier = (
        Q(pk__lt=run.pk)
        if run.applied_at is None
        else Q(applied_at__lt=run.applied_at) | Q(applied_at=run.applied_at, pk__lt=run.pk)
    )
    ahead = (
        SyncRun.objects.filter(account=run.account, status__in=leases.ACTIVE)
        .exclude(pk=run.pk)
        .filter(Q(status=RunStatus.RUNNING) | earlier)
    )
    blocker = ahead.order_by("applied_at", "pk").values_list("pk", flat=True).first()
    if blocker is None:
        try:
            with transaction.atomic():
                SyncRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
                    status=RunStatus.RUNNING, started_at=timezone.now(), message=""
                )
        except IntegrityError:
            pass  # another run took the account between the look and the update
        else:
            return SyncRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).exists()
    wait = settings.SYNC_HEARTBEAT_S
    if blocker is not None:
        SyncRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            message=f"Waiting for run #{blocker} to finish pushing to this Trackunit account."
        )
    leases.hold_run(run_id, extra_s=wait)
    _enqueue_advance(run_id, 0, countdown=wait)
    return False


def execute_chunk(run_id: int, phase: int, operation_ids: Iterable[int]) -> None:
    """Push the chunk's pending operations, then move the run on (unless the rest was rescheduled)."""
    with leases.holding_run(run_id):
        if _push_chunk(run_id, phase, list(operation_ids)):
            _advance(run_id, phase)


def _push_chunk(run_id: int, phase: int, operation_ids: list[int]) -> bool:
    """False when Trackunit asked to wait and the rest of the chunk was queued again for later."""
    run = SyncRun.objects.get(pk=run_id)
    recorder = AttemptRecorder(triggered_by=run.actor_label, run=run)
    api = worker_client.api_for(recorder)
    pending = list(
        SyncOperation.objects.filter(pk__in=operation_ids, status=OperationStatus.PENDING).order_by("pk")
    )
    # Read for the whole chunk at once: prerequisites are of earlier phases, finished before this one
    # started, and no other task writes the ledger of these records while they are pending in this run.
    blockers = _failed_prerequisites(run_id, pending)
    ledger_entries = ledger.accepted_of([(op.kind, op.key) for op in pending])
    for index, operation in enumerate(pending):
        try:
            # Released before rescheduling: the rescheduled task must be able to claim it again.
            with leases.operation_claim(operation.pk) as claim:
                if claim:
                    recorder.operation = operation
                    execute_operation(
                        operation,
                        api,
                        blocker=blockers.get(operation.pk, ""),
                        accepted=ledger_entries.get((operation.kind, operation.key)),
                    )
                    claim.released_with_outcome()
        except TryLater as later:
            rest = [op.pk for op in pending[index:]]
            log.info("run %s: %s; %d operation(s) rescheduled", run_id, later, len(rest))
            leases.hold_run(run_id, extra_s=later.seconds)
            _enqueue_chunk(run_id, phase, rest, countdown=later.seconds)
            return False
        finally:
            recorder.operation = None
    return True


def execute_operation(
    operation: SyncOperation, api: TrackunitApi, *, blocker: str, accepted: ledger.Accepted | None
) -> None:
    """Push one operation and record the outcome in the operation and the ledger; every return has
    recorded it, and handed back the operation's claim in the same UPDATE.

    `blocker` says why a prerequisite was not accepted ('' when none failed), `accepted` is what the
    ledger holds for the record (None when nothing): the caller reads both for its whole chunk.
    """
    if blocker:
        _finish_operation(
            operation, OperationStatus.SKIPPED, error_code="prerequisite_failed", message=blocker
        )
        return
    kind = BY_NAME[operation.kind]
    push = Push(
        action=operation.action,
        key=operation.key,
        payload=operation.payload,
        previous=accepted.payload if accepted else None,
        remote_id=accepted.remote_id if accepted else "",
    )
    try:
        remote_id = kind.push(api, push)
    except NotFound as error:
        if operation.action != "delete":
            _fail(operation, error)
            return
        # A delete repeated after an ambiguous failure finds the record already gone: that is success.
        remote_id = push.remote_id
    except (ForeignAsset, WaitingForTrackunit) as error:
        # Not the record's fault, and not worth sending again in every run.
        ledger.record_failed(
            operation.kind,
            operation.key,
            f"{error.code}: {error}",
            failed_hash=operation.payload_hash or attention.DELETE_MARK,
            counts=False,
            waiting=isinstance(error, WaitingForTrackunit),
        )
        _finish_operation(operation, OperationStatus.SKIPPED, error_code=error.code, message=str(error))
        return
    except (RateLimited, LocalRateLimitExceeded) as error:
        # Not the record's fault: Trackunit (or the shared budget) said when to come back.
        if error.retry_after is None:
            _fail(operation, error)
            return
        raise TryLater(error.retry_after) from error
    except (TrackunitError, NotReady) as error:
        _fail(operation, error)
        return
    if operation.action == "delete":
        ledger.forget(operation.kind, operation.key)
    else:
        ledger.record_accepted(
            operation.kind,
            operation.key,
            payload=operation.payload,
            payload_hash=operation.payload_hash,
            version=operation.source_version,
            remote_id=remote_id,
            mapping_version=kind.mapping_version,
        )
    _finish_operation(operation, OperationStatus.SUCCEEDED, remote_id=remote_id)


def _fail(operation: SyncOperation, error: Exception) -> None:
    code = getattr(error, "code", None) or type(error).__name__
    message = getattr(error, "message", None) or str(error)
    # Which field Trackunit refused, and why: what the operator needs to fix the record.
    violations = [v for v in getattr(error, "violations", []) if isinstance(v, dict)]
    if violations:
        message += ": " + "; ".join(
            f"{v.get('field', '?')} {v.get('message', '')}".strip() for v in violations
        )
    ledger.record_failed(
        operation.kind,
        operation.key,
        f"{code}: {message}",
        failed_hash=operation.payload_hash or attention.DELETE_MARK,
        counts=attention.counts_against_record(error),
    )
    _finish_operation(operation, OperationStatus.FAILED, error_code=code, message=message)


def _failed_prerequisites(run_id: int, operations: list[SyncOperation]) -> dict[int, str]:
    """operation id -> why its first prerequisite (in push order) was not accepted, for those with one."""
    wanted = {ref for operation in operations for ref in operation.depends_on or ()}
    if not wanted:
        return {}
    keys = {ref.split(":", 1)[1] for ref in wanted}
    failed = [
        (f"{kind}:{key}", f"{BY_NAME[kind].label} {key} was not accepted: {reason}")
        for kind, key, reason in SyncOperation.objects.filter(
            run_id=run_id, status__in=(OperationStatus.FAILED, OperationStatus.SKIPPED), key__in=keys
        )
        .order_by("phase", "pk")
        .values_list("kind", "key", "error_message")
        if f"{kind}:{key}" in wanted
    ]
    blockers = {}
    for operation in operations:
        depends_on = set(operation.depends_on or ())
        reason = next((reason for ref, reason in failed if ref in depends_on), "")
        if reason:
            blockers[operation.pk] = reason
    return blockers


def _finish_operation(
    operation: SyncOperation, status: str, *, error_code: str = "", message: str = "", remote_id: str = ""
) -> None:
    operation.status = status
    operation.error_code = error_code[:100]
    operation.error_message = message
    operation.remote_id = remote_id or operation.remote_id
    operation.finished_at = timezone.now()
    # Hands back the task's claim in the same UPDATE (leases.Claim.released_with_outcome).
    operation.claimed_until = None
    operation.save(
        update_fields=["status", "error_code", "error_message", "remote_id", "finished_at", "claimed_until"]
    )


def finish(run_id: int) -> None:
    """Close the run with its outcome and wake the next run waiting for the same account."""
    run = SyncRun.objects.get(pk=run_id)
    counts = progress(run)
    failed = counts["failed"] + counts["skipped"]
    closed = SyncRun.objects.filter(pk=run_id, status__in=leases.ACTIVE).update(
        status=RunStatus.FAILED if failed else RunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        message=f"{failed} operation(s) failed or were skipped." if failed else "",
        lease_until=None,
    )
    if closed:
        # The next plan reads the ledger this run filled, likely before autovacuum has seen it.
        refresh_after_bulk_write(SyncState, counts[OperationStatus.SUCCEEDED])
    waiting = SyncRun.objects.filter(account=run.account, status=RunStatus.QUEUED).exclude(account="")
    following = waiting.order_by("applied_at", "pk").values_list("pk", flat=True).first()
    if closed and following is not None:
        _enqueue_advance(following, 0)


def resume(run_id: int) -> None:
    """Carry on with a run whose tasks were lost, from what the database says is still to do."""
    with leases.holding_run(run_id):
        run = SyncRun.objects.get(pk=run_id)
        if run.status == RunStatus.QUEUED:
            _advance(run_id, 0)
        elif run.status != RunStatus.RUNNING:
            return
        elif run.current_phase == FINISHED:
            finish(run_id)
        elif run.operations.filter(phase=run.current_phase, status=OperationStatus.PENDING).exists():
            _start_phase(run_id, run.current_phase)
        else:
            _advance(run_id, run.current_phase)


def resume_lost_runs() -> list[int]:
    """Queue a `resume` for every run whose leases ran out (the watchdog calls this every heartbeat)."""
    resumed = []
    for run in leases.lost_runs():
        if leases.take_over(run):
            log.warning(
                "sync run %s lost its tasks (lease ran out at %s); resuming it", run.pk, run.lease_until
            )
            _enqueue_resume(run.pk)
            resumed.append(run.pk)
    return resumed


def abandon_stalled_runs(idle: timedelta) -> list[int]:
    """Close running runs that finished no operation for `idle` though they were resumed (a chunk that
    fails every time, a Retry-After that never ends).

    Their unfinished operations are skipped; the ledger never heard of them, so the next plan includes
    those records again and finishes the job. Runs waiting for their account are not running yet.
    """
    cutoff = timezone.now() - idle
    active = SyncRun.objects.filter(status=RunStatus.RUNNING).filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, applied_at__lt=cutoff)
    )
    abandoned = []
    for run in active:
        last = run.operations.aggregate(last=Max("finished_at"))["last"]
        if last is not None and last >= cutoff:
            continue
        run.operations.filter(status=OperationStatus.PENDING).update(
            status=OperationStatus.SKIPPED,
            error_code="abandoned",
            error_message=f"no progress for {idle}; the next plan includes this record again",
            finished_at=timezone.now(),
        )
        SyncRun.objects.filter(pk=run.pk).update(current_phase=FINISHED)
        finish(run.pk)
        abandoned.append(run.pk)
    return abandoned


def progress(run: SyncRun) -> dict[str, int]:
    """Operation counts by status, for the admin's live progress and `sync_apply --wait`."""
    counts = run.operations.aggregate(
        total=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in OperationStatus.values},
    )
    counts["done"] = counts["total"] - counts[OperationStatus.PENDING]
    return counts


def _enqueue_advance(run_id: int, phase: int, countdown: float | None = None) -> None:
    dispatch.enqueue("advance_run", run_id, phase, countdown=countdown)


def _enqueue_chunk(run_id: int, phase: int, operation_ids: list[int], countdown: float | None = None) -> None:
    dispatch.enqueue("push_operations", run_id, phase, operation_ids, countdown=countdown)


def _enqueue_resume(run_id: int) -> None:
    dispatch.enqueue("resume_run", run_id)
