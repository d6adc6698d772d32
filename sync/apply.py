"""Apply a plan: push exactly the reviewed operations, phase by phase, through Celery.

Phases follow dependencies (definitions, depots, customers, contacts, asset references, rental data,
assignments, values; deletes last, children first). Within a phase operations run in parallel chunks,
paced by the client's shared rate limits. The last chunk of a phase to finish moves the run on with a
conditional UPDATE, so exactly one worker starts the next phase and a redelivered task cannot double it.
An operation whose prerequisite failed is skipped with that reason instead of being sent to fail.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from sync import ledger
from sync.audit import AttemptRecorder
from sync.kinds import BY_NAME
from sync.kinds.base import NotReady, Push, chunked
from sync.models import OperationStatus, RunStatus, SyncOperation, SyncRun, SyncState
from sync.remote_assets import ForeignAsset
from sync.trackunit.client import TrackunitClient
from sync.trackunit.endpoints import TrackunitApi
from sync.trackunit.errors import NotFound, TrackunitError

log = logging.getLogger(__name__)
FINISHED = 32767
STALE_LIST_MAX = 10


class PlanNotApplicable(Exception):
    """The plan was applied already or is stale; the message says which."""


def apply_plan(run: SyncRun, *, user=None) -> SyncRun:
    """Queue a reviewed plan for pushing, or refuse it when the records it covers changed since."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.PLANNED:
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
            run.save(update_fields=["status", "applied_by", "applied_at"])
            transaction.on_commit(lambda: _enqueue_advance(run.pk, 0))
    if run.status == RunStatus.STALE:
        raise PlanNotApplicable(run.message)
    return run


def stale_operations(run: SyncRun) -> list[str]:
    """`kind:key` of each operation whose payload, rebuilt from today's data, differs from the plan's."""
    stale = []
    operations = run.operations.values_list("kind", "key", "action", "payload_hash")
    by_kind: dict[str, list[tuple[str, str, str]]] = {}
    for kind, key, action, digest in operations.iterator():
        by_kind.setdefault(kind, []).append((key, action, digest))
    for kind_name, entries in by_kind.items():
        kind = BY_NAME[kind_name]
        now = {}
        for chunk in chunked([key for key, _, _ in entries]):
            now |= {
                d.key: ledger.payload_hash(d.payload, kind.mapping_version) for d in kind.desired(set(chunk))
            }
        for key, action, digest in entries:
            if (action == "delete" and key in now) or (action != "delete" and now.get(key) != digest):
                stale.append(f"{kind_name}:{key}")
    return stale


def advance(run_id: int, finished_phase: int) -> None:
    """Start the next phase once every operation of `finished_phase` is done (called after each chunk)."""
    pending = SyncOperation.objects.filter(run_id=run_id, status=OperationStatus.PENDING)
    if pending.filter(phase=finished_phase).exists():
        return
    next_phase = pending.filter(phase__gt=finished_phase).aggregate(phase=Min("phase"))["phase"]
    claimed = SyncRun.objects.filter(pk=run_id, current_phase=finished_phase).update(
        current_phase=next_phase if next_phase is not None else FINISHED, status=RunStatus.RUNNING
    )
    if not claimed:
        return
    if next_phase is None:
        finish(run_id)
        return
    run = SyncRun.objects.get(pk=run_id)
    ids = list(pending.filter(phase=next_phase).values_list("pk", flat=True))
    kind = BY_NAME[SyncOperation.objects.get(pk=ids[0]).kind]
    recorder = AttemptRecorder(triggered_by=run.actor_label, run=run)
    try:
        kind.prepare(TrackunitApi(TrackunitClient.from_settings(on_exchange=recorder)))
    except TrackunitError:
        log.exception("preparing %s for run %s failed; its operations will say why", kind.name, run_id)
    for chunk in chunked(ids, settings.SYNC_CHUNK_SIZE):
        _enqueue_chunk(run_id, next_phase, chunk)


def execute_chunk(run_id: int, phase: int, operation_ids: Iterable[int]) -> None:
    run = SyncRun.objects.get(pk=run_id)
    recorder = AttemptRecorder(triggered_by=run.actor_label, run=run)
    api = TrackunitApi(TrackunitClient.from_settings(on_exchange=recorder))
    operations = SyncOperation.objects.filter(pk__in=list(operation_ids), status=OperationStatus.PENDING)
    for operation in operations.order_by("pk"):
        recorder.operation = operation
        execute_operation(operation, api)
    recorder.operation = None
    advance(run_id, phase)


def execute_operation(operation: SyncOperation, api: TrackunitApi) -> None:
    """Push one operation and record the outcome in the operation and the ledger."""
    blocker = _failed_prerequisite(operation)
    if blocker:
        _finish_operation(
            operation, OperationStatus.SKIPPED, error_code="prerequisite_failed", message=blocker
        )
        return
    kind = BY_NAME[operation.kind]
    state = SyncState.objects.filter(kind=operation.kind, key=operation.key).first()
    push = Push(
        action=operation.action,
        key=operation.key,
        payload=operation.payload,
        previous=state.payload if state else None,
        remote_id=state.remote_id if state else "",
    )
    try:
        remote_id = kind.push(api, push)
    except NotFound:
        if operation.action != "delete":
            raise
        # A delete repeated after an ambiguous failure finds the record already gone: that is success.
        remote_id = push.remote_id
    except ForeignAsset as error:
        ledger.record_failed(operation.kind, operation.key, f"{error.code}: {error}")
        _finish_operation(operation, OperationStatus.SKIPPED, error_code=error.code, message=str(error))
        return
    except (TrackunitError, NotReady) as error:
        code = getattr(error, "code", None) or type(error).__name__
        message = getattr(error, "message", None) or str(error)
        ledger.record_failed(operation.kind, operation.key, f"{code}: {message}")
        _finish_operation(operation, OperationStatus.FAILED, error_code=code, message=message)
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


def _failed_prerequisite(operation: SyncOperation) -> str:
    if not operation.depends_on:
        return ""
    wanted = Q()
    for ref in operation.depends_on:
        kind, key = ref.split(":", 1)
        wanted |= Q(kind=kind, key=key)
    failed = (
        SyncOperation.objects.filter(run_id=operation.run_id)
        .filter(wanted)
        .filter(status__in=(OperationStatus.FAILED, OperationStatus.SKIPPED))
        .values_list("kind", "key", "error_message")
        .first()
    )
    if failed is None:
        return ""
    kind, key, reason = failed
    return f"{BY_NAME[kind].label} {key} was not accepted: {reason}"


def _finish_operation(
    operation: SyncOperation, status: str, *, error_code: str = "", message: str = "", remote_id: str = ""
) -> None:
    operation.status = status
    operation.error_code = error_code[:100]
    operation.error_message = message
    operation.remote_id = remote_id or operation.remote_id
    operation.finished_at = timezone.now()
    operation.save(update_fields=["status", "error_code", "error_message", "remote_id", "finished_at"])


def finish(run_id: int) -> None:
    counts = progress(SyncRun.objects.get(pk=run_id))
    failed = counts["failed"] + counts["skipped"]
    SyncRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED if failed else RunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        message=f"{failed} operation(s) failed or were skipped." if failed else "",
    )


def abandon_stalled_runs(idle: timedelta) -> list[int]:
    """Close runs that made no progress for `idle` (their tasks were lost, e.g. with Redis).

    Their unfinished operations are skipped; the ledger never heard of them, so the next plan includes
    those records again and finishes the job.
    """
    cutoff = timezone.now() - idle
    active = SyncRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING), applied_at__lt=cutoff)
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


def _enqueue_advance(run_id: int, phase: int) -> None:
    from sync.tasks import advance_run

    advance_run.delay(run_id, phase)


def _enqueue_chunk(run_id: int, phase: int, operation_ids: list[int]) -> None:
    from sync.tasks import push_operations

    push_operations.delay(run_id, phase, operation_ids)
