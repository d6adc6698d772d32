"""One record's story, newest first: who changed it here, what was sent to Trackunit about it, and (for an
asset) the readings that came back, so an auditor sees the local change that caused an attempt.

Local changes come from the admin's own log of form edits (who, when, which fields). Each source is
read newest first with a limit, so a record with years of history costs three small indexed queries.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.urls import reverse

from assets.models import Asset, AssetReading
from sync.models import SyncAttempt
from sync.records import records_of

LIMIT = 50
_VERBS = {ADDITION: "Added", CHANGE: "Changed", DELETION: "Deleted"}


@dataclass(frozen=True)
class Event:
    at: datetime
    source: str  # "change", "attempt" or "reading"
    title: str
    detail: str
    url: str | None = None
    failed: bool = False


def timeline(obj: Model, *, limit: int = LIMIT) -> list[Event]:
    """The newest `limit` events of the record, all sources interleaved by time."""
    events = _changes(obj, limit) + _attempts(obj, limit)
    if isinstance(obj, Asset):
        events += _readings(obj, limit)
    return sorted(events, key=lambda event: event.at, reverse=True)[:limit]


def _changes(obj: Model, limit: int) -> list[Event]:
    entries = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("user")
        .order_by("-action_time")[:limit]
    )
    return [
        Event(
            at=entry.action_time,
            source="change",
            title=f"{_VERBS.get(entry.action_flag, 'Changed')} by {entry.user.get_username()}",
            detail=entry.get_change_message(),
        )
        for entry in entries
    ]


def _attempts(obj: Model, limit: int) -> list[Event]:
    records = records_of(obj)
    if not records:
        return []
    matching = Q()
    for kind, key in records:
        matching |= Q(kind=kind, key=key)
    attempts = SyncAttempt.objects.filter(matching).order_by("-created_at", "-id")[:limit]
    return [
        Event(
            at=attempt.created_at,
            source="attempt",
            title=f"{attempt.method} to Trackunit: {attempt.status_code or attempt.outcome}",
            detail=" ".join(
                part
                for part in (attempt.action, attempt.kind, attempt.error_code, attempt.triggered_by)
                if part
            ),
            url=reverse("admin:sync_syncattempt_change", args=[attempt.pk]),
            failed=attempt.outcome != "success",
        )
        for attempt in attempts
    ]


def _readings(asset: Asset, limit: int) -> list[Event]:
    readings = AssetReading.objects.filter(asset=asset).order_by("-recorded_at")[:limit]
    return [
        Event(
            at=reading.recorded_at,
            source="reading",
            title="Telematics reading stored",
            detail=(
                f"{reading.operating_hours} h at {reading.observed_at:%Y-%m-%d %H:%M}"
                + (f" ({reading.get_flag_display()})" if reading.flag else "")
            ),
            failed=bool(reading.flag),
        )
        for reading in readings
    ]
