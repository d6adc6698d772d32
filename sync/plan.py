"""Plan a sync: what must Trackunit be told so it matches local data? Sends nothing.

For each kind, the ledger (SyncState) says what Trackunit last accepted. Kinds that can ask the database
which records changed since (`Kind.changed`) build payloads for those records only, so an unchanged fleet
of 100,000 assets costs a few indexed queries; the others build every payload and compare hashes.
A record whose last push failed is planned again, unless it was set aside (sync/attention.py) and would
send the very payload that failed.

A plan streams: records are planned and their operations written in batches of BATCH_SIZE, so memory stays
bounded whatever the fleet's size. The run is PLANNING while that happens (nobody may apply it) and becomes
PLANNED with its summary at the end; a plan that fails half-way is removed, and so (by the watchdog) is one
whose planner died, once the lease each batch renews has run out.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rentalbridge.db_statistics import refresh_after_bulk_write
from rentalbridge.garbage_collection import long_lived_objects_frozen
from sync import attention
from sync.diff import field_changes
from sync.kinds import KINDS, Kind
from sync.kinds.base import Desired, chunked
from sync.ledger import canonical_hash, canonical_json
from sync.models import OperationStatus, RunStatus, SyncOperation, SyncRun, SyncState, SyncStatus
from sync.operation_store import store_operations
from sync.planned import PlannedOperation

ACTIONS = ("create", "update", "delete")
# Deletes run after every create and update, children before parents.
DELETE_PHASE_BASE = 100
BOOKKEEPING_FIELDS = ["source_version", "mapping_version", "status", "failures", "failed_hash"]
LEDGER_FIELDS = (
    "key",
    "pk",
    "payload_hash",
    "source_version",
    "mapping_version",
    "status",
    "remote_id",
    "failed_hash",
)
BATCH_SIZE = 2000

# (stage, kinds done, kinds in the plan): how a plan job shows its progress.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Ledger:
    pk: int
    payload_hash: str
    version: datetime | None
    mapping_version: int
    status: str
    remote_id: str
    failed_hash: str

    @property
    def accepted(self) -> bool:
        return bool(self.payload_hash or self.remote_id)


@long_lived_objects_frozen()
def make_plan(
    *,
    trigger: str,
    user: User | None = None,
    kinds: Iterable[str] | None = None,
    only_failed: bool = False,
    on_progress: Progress | None = None,
    detail: str = "",
) -> SyncRun:
    """Create a SyncRun in plan mode listing every operation in dependency order.

    `detail` says what asked for an automatic plan (sync/triggers.py), in words.
    """
    wanted = set(kinds) if kinds is not None else None
    selected = [kind for kind in KINDS if wanted is None or kind.name in wanted]
    run = SyncRun.objects.create(
        status=RunStatus.PLANNING,
        trigger=trigger,
        triggered_by=user,
        trigger_detail=detail,
        scope={"kinds": [k.name for k in selected], "only_failed": only_failed},
        lease_until=_lease(),
    )
    # "set_aside" joins the summary only when some record was left out (sync/attention.py).
    summary: Counter = Counter({action: 0 for action in (*ACTIONS, "unchanged", "skipped")})
    try:
        for index, kind in enumerate(selected):
            report = (lambda stage, i=index: on_progress(stage, i, len(selected))) if on_progress else None
            _plan_kind(run.pk, kind, only_failed, summary, report)
    except BaseException:
        run.delete()
        raise
    # The stale-plan check reads these rows at apply, likely before autovacuum has seen them.
    refresh_after_bulk_write(SyncOperation, sum(summary[action] for action in ACTIONS))
    run.status, run.summary = RunStatus.PLANNED, dict(summary)
    run.save(update_fields=["status", "summary"])
    if on_progress:
        on_progress("planned", len(selected), len(selected))
    return run


def _plan_kind(
    run_id: int,
    kind: Kind,
    only_failed: bool,
    summary: Counter,
    report: Callable[[str], None] | None,
) -> None:
    looked_at = 0
    if report:
        report(kind.label)
    # A kind never pushed is all creates: its payloads stream in one pass, with no key list and no ledger
    # to read.
    pushed = SyncState.objects.filter(kind=kind.name).exists()
    changed = kind.changed(kind.mapping_version) if pushed else None
    if changed is None:
        seen: set[str] = set()
        for batch in _batches(kind.desired()):
            seen.update(item.key for item in batch)
            ledger = _ledger(kind, [item.key for item in batch]) if pushed else {}
            _plan_batch(run_id, kind, batch, ledger, only_failed, summary)
            looked_at += len(batch)
            if report:
                report(f"{kind.label}: {looked_at:,} records")
        gone = _ledger_outside(kind, seen) if kind.deletable and pushed else {}
    else:
        candidates = sorted(set(changed))
        built = 0
        for chunk in chunked(candidates, BATCH_SIZE):
            batch = list(kind.desired(set(chunk)))
            built += len(batch)
            _plan_batch(run_id, kind, batch, _ledger(kind, chunk), only_failed, summary)
            if report:
                report(f"{kind.label}: {built:,} of {len(candidates):,} changed records")
        summary["unchanged"] += kind.present_count() - built
        gone = _ledger(kind, sorted(kind.gone())) if kind.deletable else {}
    aside = {
        key
        for key, state in gone.items()
        if attention.is_set_aside(state.status, state.failed_hash, attention.DELETE_MARK)
    }
    if aside:
        summary["set_aside"] += len(aside)
    deletes = [
        PlannedOperation(phase=DELETE_PHASE_BASE - kind.phase, kind=kind.name, key=key, action="delete")
        for key, state in gone.items()
        if state.accepted and key not in aside and (not only_failed or state.status == SyncStatus.FAILED)
    ]
    for chunk in chunked(deletes, BATCH_SIZE):
        _write(run_id, chunk, [], summary)


def _batches(items: Iterable[Desired]) -> Iterator[list[Desired]]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


def _plan_batch(
    run_id: int,
    kind: Kind,
    batch: list[Desired],
    ledger: dict[str, _Ledger],
    only_failed: bool,
    summary: Counter,
) -> None:
    """Compare one batch of desired payloads with the ledger and write what must be sent."""
    operations, refreshed = [], []
    for item in batch:
        canonical = canonical_json(item.payload)
        digest = canonical_hash(canonical, kind.mapping_version)
        state = ledger.get(item.key)
        if state is not None and state.payload_hash == digest:
            summary["unchanged"] += 1
            if _needs_bookkeeping(state, item, kind):
                refreshed.append(
                    SyncState(
                        pk=state.pk,
                        source_version=item.version,
                        mapping_version=kind.mapping_version,
                        status=SyncStatus.IN_SYNC,
                        failures=0,
                        failed_hash="",
                    )
                )
            continue
        if state is not None and attention.is_set_aside(state.status, state.failed_hash, digest):
            summary["set_aside"] += 1
            continue
        if only_failed and (state is None or state.status != SyncStatus.FAILED):
            continue
        action = "update" if state is not None and state.accepted else "create"
        operations.append(
            PlannedOperation(
                phase=kind.phase,
                kind=kind.name,
                key=item.key,
                action=action,
                payload=item.payload,
                payload_json=canonical,
                payload_hash=digest,
                source_version=item.version,
                depends_on=tuple(item.depends_on),
            )
        )
    _attach_diffs(kind, operations)
    _skip_blocked(kind, operations)
    _write(run_id, operations, refreshed, summary)


def _write(
    run_id: int, operations: list[PlannedOperation], refreshed: list[SyncState], summary: Counter
) -> None:
    """One batch, in one short transaction: a long one would keep SQLite's other writers waiting."""
    with transaction.atomic():
        SyncRun.objects.filter(pk=run_id).update(lease_until=_lease())
        store_operations(run_id, operations)
        # Records touched without a change to their payload: remember the newer version so they are not
        # looked at again. This is bookkeeping of what Trackunit already holds, not a push.
        SyncState.objects.bulk_update(refreshed, BOOKKEEPING_FIELDS, batch_size=BATCH_SIZE)
    for operation in operations:
        summary[operation.action] += 1
        if operation.status == OperationStatus.SKIPPED:
            summary["skipped"] += 1


def _lease() -> datetime:
    """How long the planner's last sign of life stands for it: past this, it died with its worker."""
    return timezone.now() + timedelta(seconds=settings.SYNC_STALLED_AFTER_S)


def remove_abandoned_plans() -> int:
    """Plans left "Being planned" by a planner that died (a worker killed mid-plan) are removed, as a plan
    that fails half-way is; the watchdog calls this. Returns how many."""
    abandoned = SyncRun.objects.filter(status=RunStatus.PLANNING, lease_until__lt=timezone.now())
    return abandoned.delete()[1].get("sync.SyncRun", 0)


def _skip_blocked(kind: Kind, operations: list[PlannedOperation]) -> None:
    """Operations the kind must not send (an asset another account owns) are skipped in the plan, with why."""
    reasons = kind.blocked([op for op in operations if op.action != "delete"]) if operations else {}
    for op in operations:
        if op.key in reasons:
            op.status = OperationStatus.SKIPPED
            op.error_code = "foreign_asset"
            op.error_message = reasons[op.key]


def _needs_bookkeeping(state: _Ledger, item: Desired, kind: Kind) -> bool:
    """Trackunit holds exactly this payload: should the ledger learn the newer version or status?

    Drift keeps its status until the operator decides.
    """
    if state.status == SyncStatus.DRIFT:
        return False
    return (
        state.version != item.version
        or state.status != SyncStatus.IN_SYNC
        or state.mapping_version != kind.mapping_version
    )


def _ledger(kind: Kind, keys: list[str]) -> dict[str, _Ledger]:
    """What the ledger holds for `keys`."""
    states = SyncState.objects.filter(kind=kind.name)
    ledger: dict[str, _Ledger] = {}
    for chunk in chunked(keys):
        rows = states.filter(key__in=chunk).values_list(*LEDGER_FIELDS)
        ledger |= {key: _Ledger(*rest) for key, *rest in rows}
    return ledger


def _ledger_outside(kind: Kind, keys: set[str]) -> dict[str, _Ledger]:
    """The ledger's records of the kind that are not among `keys` (kinds known only by their payloads)."""
    rows = SyncState.objects.filter(kind=kind.name).values_list(*LEDGER_FIELDS).iterator(chunk_size=10000)
    return {key: _Ledger(*rest) for key, *rest in rows if key not in keys}


def _attach_diffs(kind: Kind, operations: list[PlannedOperation]) -> None:
    """Before -> after per field, against what Trackunit last accepted; loaded only for planned records.

    A create has none stored: its diff is its payload (SyncOperation.changes).
    """
    updates = [op for op in operations if op.action == "update"]
    keys = [op.key for op in updates]
    accepted: dict[str, Any] = {}
    states = SyncState.objects.filter(kind=kind.name)
    for chunk in chunked(keys):
        accepted |= dict(states.filter(key__in=chunk).values_list("key", "payload"))
    for op in updates:
        op.fields = field_changes(accepted.get(op.key), op.payload)


def plan_as_json(run: SyncRun) -> dict:
    """The machine-readable plan `sync_plan --json` prints; skipped operations say why."""
    rows = run.operations.order_by("phase", "id").only(
        "kind", "key", "action", "fields", "payload", "status", "error_message"
    )
    return {
        "run": run.pk,
        "summary": {action: run.summary.get(action, 0) for action in (*ACTIONS, "unchanged", "skipped")}
        | ({"set_aside": run.summary["set_aside"]} if run.summary.get("set_aside") else {}),
        "operations": [
            {"entity": op.kind, "key": op.key, "action": op.action, "fields": op.changes}
            | ({"skipped": op.error_message} if op.status == OperationStatus.SKIPPED else {})
            for op in rows.iterator(chunk_size=2000)
        ],
    }
