"""Drift: records someone changed in Trackunit after RentalBridge pushed them.

The reconcile reads what Trackunit holds (assets, customers, sites, definitions), compares each field
RentalBridge pushed with its remote value, and records both sides. The operator then overwrites Trackunit
with the local value or adopts the remote one locally, per record or in bulk. An adoption changes the
local record, so its history row says so: "drift adoption (drift #N)", by the operator who chose it.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rentalbridge.history import recorded_as
from sync import ledger
from sync.audit import AttemptRecorder
from sync.kinds import BY_NAME
from sync.models import DriftResolution, SyncDrift, SyncState, SyncStatus
from sync.trackunit.client import TrackunitClient
from sync.trackunit.endpoints import TrackunitApi
from sync.triggers import request_sync

READABLE_KINDS = ("definition", "depot", "customer", "asset_reference")


def detect_drift(
    *, trigger: str, user: User | None = None, kinds: tuple[str, ...] = READABLE_KINDS
) -> list[SyncDrift]:
    recorder = AttemptRecorder(triggered_by=user.get_username() if user else trigger)
    api = TrackunitApi(TrackunitClient.from_settings(on_exchange=recorder))
    found = []
    for kind_name in kinds:
        states = {s.key: s for s in SyncState.objects.filter(kind=kind_name).exclude(payload=None)}
        for key, _remote_id, remote in BY_NAME[kind_name].remote(api):
            state = states.get(key)
            if state is None:
                continue
            assert state.payload is not None, "states without a payload are excluded above"
            differences = compare(state.payload, remote)
            if differences:
                found.append(_record(state, differences))
    return found


def compare(pushed: dict[str, Any], remote: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The pushed fields whose remote value differs; fields Trackunit adds (ids, statuses) are ignored."""
    return {
        field: {"pushed": value, "remote": remote.get(field)}
        for field, value in pushed.items()
        if _normal(value) != _normal(remote.get(field))
    }


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None if value == "" else value


def _record(state: SyncState, differences: dict) -> SyncDrift:
    with transaction.atomic():
        drift, _ = SyncDrift.objects.update_or_create(
            kind=state.kind, key=state.key, resolution=DriftResolution.OPEN, defaults={"fields": differences}
        )
        SyncState.objects.filter(pk=state.pk).update(status=SyncStatus.DRIFT)
    return drift


def resolve(drift: SyncDrift, resolution: str, *, user: User | None = None) -> None:
    """Overwrite Trackunit with the local values, or adopt Trackunit's values locally."""
    if drift.resolution != DriftResolution.OPEN:
        return
    kind = BY_NAME[drift.kind]
    with transaction.atomic():
        state = SyncState.objects.select_for_update().get(kind=drift.kind, key=drift.key)
        if resolution == DriftResolution.OVERWRITE_REMOTE:
            # What Trackunit holds now becomes the "before" of the next plan, which pushes the local values.
            assert state.payload is not None, "drift is only recorded against an accepted payload"
            state.payload = {**state.payload, **{f: sides["remote"] for f, sides in drift.fields.items()}}
            state.payload_hash = ""
            state.status = SyncStatus.PENDING
            state.save(update_fields=["payload", "payload_hash", "status", "updated_at"])
            who = user.get_username() if user is not None else "the operator"
            request_sync(
                f"{who} chose to overwrite Trackunit for drift #{drift.pk}", getattr(user, "pk", None)
            )
        elif resolution == DriftResolution.ADOPT_REMOTE:
            with recorded_as(f"drift adoption (drift #{drift.pk})", user=user):
                kind.adopt(drift.key, {f: sides["remote"] for f, sides in drift.fields.items()})
            desired = next(kind.desired({drift.key}))
            state.payload = desired.payload
            state.payload_hash = ledger.payload_hash(desired.payload, kind.mapping_version)
            state.source_version = desired.version
            state.status = SyncStatus.IN_SYNC
            state.save(update_fields=["payload", "payload_hash", "source_version", "status", "updated_at"])
        else:
            raise ValueError(f"unknown resolution {resolution!r}")
        drift.resolution = resolution
        drift.resolved_by = user
        drift.resolved_at = timezone.now()
        drift.save(update_fields=["resolution", "resolved_by", "resolved_at"])
