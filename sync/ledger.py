"""Reading and writing the ledger (SyncState): what Trackunit accepted, per record."""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from django.utils import timezone

from sync import attention
from sync.models import SyncState, SyncStatus

FAILURES_MAX = 32767  # the column's ceiling
# Everything an accepted push sets; `updated_at` too, which the upsert's UPDATE does not touch by itself.
ACCEPTED_FIELDS = (
    "payload",
    "payload_hash",
    "source_version",
    "mapping_version",
    "remote_id",
    "status",
    "last_error",
    "failures",
    "failed_hash",
    "synced_at",
    "updated_at",
)


def payload_hash(payload: Any, mapping_version: int) -> str:
    """A stable fingerprint of a payload; the mapping version is part of it, so a new mapping resyncs."""
    return canonical_hash(canonical_json(payload), mapping_version)


# One encoder for every payload: json.dumps with options builds a new encoder per call, which was a tenth
# of a first plan's time.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def canonical_json(payload: Any) -> str:
    """The one serialisation a payload is hashed in; the planner also stores it, so it is encoded once."""
    return _CANONICAL.encode(payload)


def canonical_hash(canonical: str, mapping_version: int) -> str:
    return hashlib.sha256(f"{mapping_version}:{canonical}".encode()).hexdigest()


class Accepted(NamedTuple):
    """What Trackunit last accepted for a record, as a push needs it."""

    payload: Any
    remote_id: str


def accepted_of(records: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Accepted]:
    """(kind, key) -> what the ledger holds for each of `records` that it knows, in one query."""
    wanted = set(records)
    if not wanted:
        return {}
    rows = SyncState.objects.filter(key__in={key for _, key in wanted}, kind__in={kind for kind, _ in wanted})
    return {
        (kind, key): Accepted(payload, remote_id)
        for kind, key, payload, remote_id in rows.values_list("kind", "key", "payload", "remote_id")
        if (kind, key) in wanted
    }


def remote_id_of(kind: str, key: str) -> str:
    """The Trackunit id the ledger holds for a record, or ''."""
    return SyncState.objects.filter(kind=kind, key=key).values_list("remote_id", flat=True).first() or ""


def record_accepted(
    kind: str,
    key: str,
    *,
    payload: Any,
    payload_hash: str,
    version: datetime | None,
    remote_id: str,
    mapping_version: int,
) -> None:
    """Record an accepted push, in one upsert (INSERT ... ON CONFLICT UPDATE on the record's unique key):
    every push writes this row, so the lookup-then-write of update_or_create would double its cost."""
    state = SyncState(
        kind=kind,
        key=key,
        payload=payload,
        payload_hash=payload_hash,
        source_version=version,
        mapping_version=mapping_version,
        remote_id=remote_id,
        status=SyncStatus.IN_SYNC,
        last_error="",
        failures=0,
        failed_hash="",
        synced_at=timezone.now(),
    )
    SyncState.objects.bulk_create(
        [state], update_conflicts=True, unique_fields=["kind", "key"], update_fields=list(ACCEPTED_FIELDS)
    )


def record_failed(
    kind: str, key: str, error: str, *, failed_hash: str = "", counts: bool = True, waiting: bool = False
) -> str:
    """Keep the last accepted payload and hash, so the record is planned again next time; returns the
    record's new status.

    `failed_hash` names the payload that failed. A failure that `counts` (Trackunit rejected the record
    itself) adds to the failures in a row of that payload, which set the record aside once there are
    enough (sync/attention.py); a passing outage leaves the count as it was.
    """
    state, _ = SyncState.objects.get_or_create(kind=kind, key=key)
    if counts:
        in_a_row = state.failures + 1 if state.failed_hash == failed_hash else 1
        state.failures = min(in_a_row, FAILURES_MAX)
    state.failed_hash = failed_hash
    state.status = attention.failure_status(state.failures, waiting=waiting)
    state.last_error = error
    state.save(update_fields=["status", "last_error", "failures", "failed_hash", "updated_at"])
    return state.status


def forget(kind: str, key: str) -> None:
    SyncState.objects.filter(kind=kind, key=key).delete()
