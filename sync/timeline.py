"""One record's story, newest first: who changed it here and through what, what was sent to Trackunit
about it, and (for an asset) the readings that came back, so an auditor sees the local change that caused
an attempt.

Local changes are the record's history rows (rentalbridge.history): each names the user, the way in (admin
form, import job, drift adoption, command...) and every field's old -> new value, read against the row
before it. A record's custom-field values and a contract's items are part of its story, so their rows
are shown too. Each source is read newest first with a limit, so a record with years of history costs a
few small indexed queries.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from assets.models import Asset, AssetReading
from contracts.models import Contract
from rentalbridge.customfields.models import CustomFieldValue
from rentalbridge.history import CREATED, DELETED
from sync.models import SyncAttempt
from sync.records import records_of

LIMIT = 50
LONGEST_VALUE = 80
_VERBS = {CREATED: "Created", DELETED: "Deleted"}


@dataclass(frozen=True)
class Event:
    at: datetime
    source: str  # "change", "attempt" or "reading"
    title: str
    detail: str
    url: str | None = None
    failed: bool = False
    changes: tuple[str, ...] = ()  # "field: old → new", one per changed field


def timeline(obj: Model, *, limit: int = LIMIT) -> list[Event]:
    """The newest `limit` events of the record, all sources interleaved by time."""
    events = _changes(obj, limit) + _attempts(obj, limit)
    if isinstance(obj, Asset):
        events += _readings(obj, limit)
    return sorted(events, key=lambda event: event.at, reverse=True)[:limit]


def _changes(obj: Model, limit: int) -> list[Event]:
    sources: list[tuple[QuerySet, str | None]] = []
    if hasattr(type(obj), "history"):
        # simple-history adds `history` at class creation; the stubs cannot see it.
        sources.append((cast(Any, obj).history.all(), None))
    if isinstance(obj, Contract):
        sources.append((obj.items.model.history.filter(contract_id=obj.pk), "item"))
    content_type = ContentType.objects.get_for_model(obj)
    values = CustomFieldValue.history.filter(content_type_id=content_type.pk, object_id=obj.pk)
    sources.append((values.select_related("definition"), "custom field"))
    events = []
    for rows, part in sources:
        events += _history_events(rows, part, limit)
    return events


# Fields a part's rows share with the record they belong to: saying them again would be noise.
_IMPLIED = {"item": {"contract"}, "custom field": {"definition", "content_type", "object_id"}}


def _history_events(rows: QuerySet, part: str | None, limit: int) -> list[Event]:
    """The newest `limit` history rows, each diffed against the row before it of the same record."""
    fetched = list(rows.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    events = []
    for position, row in enumerate(fetched[:limit]):
        older = next((r for r in fetched[position + 1 :] if r.id == row.id), None)
        if older is None and row.history_type != CREATED:
            older = row.prev_record
        events.append(
            Event(
                at=row.history_date,
                source="change",
                title=_title(row, part),
                detail=f"through {row.history_change_reason}",
                url=_version_url(row),
                changes=_field_changes(row, older, _IMPLIED.get(part or "", set())),
            )
        )
    return events


def _title(row, part: str | None) -> str:
    verb = _VERBS.get(row.history_type, "Changed")
    if part == "custom field":
        verb += f" custom field {row.definition.title}" if row.definition_id else " a custom field"
    elif part:
        verb += f" {part} {row.external_reference}"
    who = row.history_user.get_username() if row.history_user else "no user"
    return f"{verb} by {who}"


def _field_changes(row, older, implied: set[str]) -> tuple[str, ...]:
    """ "field: old → new" per field, in the model's field order; a new record lists what it was given."""
    if row.history_type == DELETED:
        return ()
    if older is None and row.history_type != CREATED:
        return ("earlier values not recorded",)
    shown = [f for f in row.tracked_fields if not f.primary_key and f.name not in implied]
    if older is None:
        changed = {f.name: (None, getattr(row, f.attname)) for f in shown}
    else:
        delta = row.diff_against(older, included_fields=[f.name for f in shown])
        changed = {change.field: (change.old, change.new) for change in delta.changes}
    lines = []
    for field in row.instance_type._meta.fields:
        old, new = changed.get(field.name, (None, None))
        if field.name in changed and not (older is None and new in (None, "", [], {})):
            lines.append(f"{capfirst(field.verbose_name)}: {_readable(field, old)} → {_readable(field, new)}")
    return tuple(lines)


def _readable(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        text = str(related) if related is not None else f"#{value} (deleted)"
    elif field.choices:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def _version_url(row) -> str | None:
    opts = row.instance_type._meta
    try:
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[row.id, row.history_id]
        )
    except NoReverseMatch:
        return None


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
