"""Plan a sync: what must Trackunit be told so it matches local data? Sends nothing.

For each kind, the ledger (SyncState) says what Trackunit last accepted. Kinds that can ask the database
which records changed since (`Kind.changed`) build payloads for those records only, so an unchanged fleet
of 100,000 assets costs a few indexed queries; the others build every payload and compare hashes.
A record whose last push failed is always planned again.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from sync.diff import field_changes
from sync.kinds import KINDS, Kind
from sync.kinds.base import Desired, chunked
from sync.ledger import payload_hash
from sync.models import OperationStatus, SyncOperation, SyncRun, SyncState, SyncStatus

ACTIONS = ("create", "update", "delete")
# Deletes run after every create and update, children before parents.
DELETE_PHASE_BASE = 100
BOOKKEEPING_FIELDS = ["source_version", "mapping_version", "status"]
LEDGER_FIELDS = ("key", "pk", "payload_hash", "source_version", "mapping_version", "status", "remote_id")


@dataclass(frozen=True)
class _Ledger:
    pk: int
    payload_hash: str
    version: datetime | None
    mapping_version: int
    status: str
    remote_id: str

    @property
    def accepted(self) -> bool:
        return bool(self.payload_hash or self.remote_id)


def make_plan(
    *, trigger: str, user=None, kinds: Iterable[str] | None = None, only_failed: bool = False
) -> SyncRun:
    """Create a SyncRun in plan mode listing every operation in dependency order."""
    wanted = set(kinds) if kinds is not None else None
    selected = [kind for kind in KINDS if wanted is None or kind.name in wanted]
    summary: Counter = Counter({action: 0 for action in (*ACTIONS, "unchanged", "skipped")})
    operations: list[SyncOperation] = []
    refreshed: list[SyncState] = []
    for kind in selected:
        kind_operations, unchanged, kind_refreshed = _plan_kind(kind, only_failed)
        operations += kind_operations
        refreshed += kind_refreshed
        summary["unchanged"] += unchanged
    for operation in operations:
        summary[operation.action] += 1
        if operation.status == OperationStatus.SKIPPED:
            summary["skipped"] += 1
    run = SyncRun(
        trigger=trigger,
        triggered_by=user,
        scope={"kinds": [k.name for k in selected], "only_failed": only_failed},
        summary=dict(summary),
    )
    with transaction.atomic():
        run.save()
        for operation in operations:
            operation.run = run
        SyncOperation.objects.bulk_create(operations, batch_size=2000)
        # Records touched without a change to their payload: remember the newer version so they are not
        # looked at again. This is bookkeeping of what Trackunit already holds, not a push.
        SyncState.objects.bulk_update(refreshed, BOOKKEEPING_FIELDS, batch_size=2000)
    return run


def _plan_kind(kind: Kind, only_failed: bool) -> tuple[list[SyncOperation], int, list[SyncState]]:
    changed = kind.changed(kind.mapping_version)
    if changed is None:
        ledger = _ledger(kind)
        desired: list[Desired] = list(kind.desired())
        present = None
    else:
        candidates = set(changed)
        ledger = _ledger(kind, candidates)
        desired = list(kind.desired(candidates)) if candidates else []
        present = kind.present()
    operations, refreshed, unchanged = [], [], 0
    for item in desired:
        digest = payload_hash(item.payload, kind.mapping_version)
        state = ledger.get(item.key)
        if state is not None and state.payload_hash == digest:
            unchanged += 1
            if _needs_bookkeeping(state, item, kind):
                refreshed.append(
                    SyncState(
                        pk=state.pk,
                        source_version=item.version,
                        mapping_version=kind.mapping_version,
                        status=SyncStatus.IN_SYNC,
                    )
                )
            continue
        operations.append(
            SyncOperation(
                phase=kind.phase,
                kind=kind.name,
                key=item.key,
                action="update" if state is not None and state.accepted else "create",
                payload=item.payload,
                payload_hash=digest,
                source_version=item.version,
                depends_on=list(item.depends_on),
            )
        )
    if present is not None:
        unchanged += present.count() - len(desired)
    if kind.deletable:
        operations += _deletes(kind, ledger, present, {item.key for item in desired})
    if only_failed:
        failed = {key for key, state in ledger.items() if state.status == SyncStatus.FAILED}
        operations = [op for op in operations if op.key in failed]
    _attach_diffs(kind, operations)
    _skip_blocked(kind, operations)
    return operations, unchanged, refreshed


def _skip_blocked(kind: Kind, operations: list[SyncOperation]) -> None:
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


def _deletes(
    kind: Kind, ledger: dict[str, _Ledger], present: QuerySet | None, desired_keys: set[str]
) -> list[SyncOperation]:
    """Records Trackunit accepted that no longer exist locally."""
    if present is None:
        gone = {key: state for key, state in ledger.items() if key not in desired_keys}
    else:
        gone = _ledger(kind, kind.gone())
    return [
        SyncOperation(phase=DELETE_PHASE_BASE - kind.phase, kind=kind.name, key=key, action="delete")
        for key, state in gone.items()
        if state.accepted
    ]


def _ledger(kind: Kind, keys: set[str] | None = None) -> dict[str, _Ledger]:
    """What the ledger holds for `keys` (every record of the kind when None)."""
    states = SyncState.objects.filter(kind=kind.name)
    if keys is None:
        rows = states.values_list(*LEDGER_FIELDS).iterator(chunk_size=10000)
        return {key: _Ledger(*rest) for key, *rest in rows}
    ledger = {}
    for chunk in chunked(sorted(keys)):
        rows = states.filter(key__in=chunk).values_list(*LEDGER_FIELDS)
        ledger |= {key: _Ledger(*rest) for key, *rest in rows}
    return ledger


def _attach_diffs(kind: Kind, operations: list[SyncOperation]) -> None:
    """Before -> after per field, against what Trackunit last accepted; loaded only for planned records."""
    keys = [op.key for op in operations if op.action != "create"]
    accepted: Mapping[str, dict] = {}
    states = SyncState.objects.filter(kind=kind.name)
    for chunk in chunked(keys):
        accepted |= dict(states.filter(key__in=chunk).values_list("key", "payload"))
    for op in operations:
        op.fields = field_changes(accepted.get(op.key), op.payload)


def plan_as_json(run: SyncRun) -> dict:
    """The machine-readable plan `sync_plan --json` prints; skipped operations say why."""
    rows = run.operations.order_by("phase", "id").values_list(
        "kind", "key", "action", "fields", "status", "error_message"
    )
    return {
        "run": run.pk,
        "summary": {action: run.summary.get(action, 0) for action in (*ACTIONS, "unchanged", "skipped")},
        "operations": [
            {"entity": kind, "key": key, "action": action, "fields": fields}
            | ({"skipped": reason} if status == OperationStatus.SKIPPED else {})
            for kind, key, action, fields, status, reason in rows
        ],
    }
