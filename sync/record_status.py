"""What a record's own admin page says about Trackunit: its sync status, its last attempt and where all its
attempts are, so staff need not search the attempt list by hand.

The status is the one its changelist column shows (sync.admin_status); the attempts are those sent about
the ledger records the object is pushed as (sync.records), and for a contract those of the assets on its
items, whose rental data carry it.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Max, Model, Q
from django.urls import reverse

from contracts.models import Contract
from sync import attention
from sync.admin_status import CONTRACT_LABELS, RENTAL_KIND, STATUS_OF
from sync.models import SyncAttempt, SyncState
from sync.records import Record, records_of

# A contract's attempts link names the assets of its items; more would make an address browsers refuse.
ASSETS_LINKED = 200


@dataclass(frozen=True)
class RecordSync:
    status: str
    label: str
    last_error: str
    synced_at: datetime | None
    last_attempt: SyncAttempt | None
    attempts_url: str | None
    # The failing ledger record a Retry / Ignore button acts on, when there is one.
    failing: SyncState | None = None


def synced_records(obj: Model) -> list[Record]:
    """The ledger records (kind, key) whose attempts are about `obj`."""
    records = records_of(obj)
    if isinstance(obj, Contract):
        assets = obj.items.values_list("asset__external_reference", flat=True).distinct().order_by()
        records += [(RENTAL_KIND, reference) for reference in assets[:ASSETS_LINKED]]
    return records


def attempts_url(records: list[Record]) -> str | None:
    """The attempt changelist filtered to these records (kind and key lookups in the query string).

    A comma inside a key would split an `__in` list, so such records are linked one by one: the first.
    """
    if not records:
        return None
    base = reverse("admin:sync_syncattempt_changelist")
    kinds = sorted({kind for kind, _ in records})
    keys = sorted({key for _, key in records})
    if len(records) == 1 or any("," in key for key in keys):
        kind, key = records[0]
        return f"{base}?{urlencode({'kind': kind, 'key': key})}"
    return f"{base}?{urlencode({'kind__in': ','.join(kinds), 'key__in': ','.join(keys)})}"


def record_sync(obj: Model) -> RecordSync | None:
    """The Trackunit box of `obj`'s page; None for a model that is not synced."""
    annotate = STATUS_OF.get(type(obj))
    if annotate is None:
        return None
    found = annotate(type(obj)._default_manager.filter(pk=obj.pk)).values_list("sync_status", flat=True)
    status: str = found.first() or ""
    records = synced_records(obj)
    matching = Q(pk__in=[])
    for kind, key in records:
        matching |= Q(kind=kind, key=key)
    last_attempt = SyncAttempt.objects.filter(matching).order_by("-created_at", "-id").first()
    states = SyncState.objects.filter(matching)
    failing = states.filter(status__in=attention.FAILING).exclude(last_error="")
    failed = failing.order_by("-updated_at").first()
    synced_at = states.aggregate(newest=Max("synced_at"))["newest"]
    return RecordSync(
        status=status,
        label=CONTRACT_LABELS.get(status, status or "—"),
        last_error=failed.last_error if failed else "",
        synced_at=synced_at,
        last_attempt=last_attempt,
        attempts_url=attempts_url(records),
        failing=failed,
    )
