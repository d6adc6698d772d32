"""What every syncable kind of record provides: its desired payloads, how to push one, how to read it back.

A kind knows the local models and turns them into Trackunit payloads with the builders in
sync/trackunit/wire.py; it never builds a URL or JSON by hand. The planner and the applier are generic
over kinds, so adding a kind is one module here.
"""

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, ClassVar, Generic, TypeVar

from django.db.models import Exists, Expression, F, Model, OuterRef, QuerySet

from sync.models import SyncOperation, SyncState, SyncStatus
from sync.planned import PlannedOperation
from sync.trackunit.endpoints import TrackunitApi

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SYNC_KEY = "_sync_key"
CHANGED_AT = "_changed_at"


class NotReady(Exception):
    """Something the operation needs is not in Trackunit yet: a customer never pushed, an unmatched asset."""

    code = "dependency_missing"


class WaitingForTrackunit(NotReady):
    """Trackunit does not know the asset (yet: its unit may not be installed). The record waits, and is
    tried again by the nightly schedule or when the asset list matches the asset (sync/attention.py)."""

    code = "waiting_for_trackunit"


@dataclass(frozen=True)
class Desired:
    """The payload one local record should have in Trackunit, and what must be there before it."""

    key: str
    payload: dict[str, Any]
    version: datetime | None = None
    depends_on: tuple[str, ...] = ()


@dataclass
class Push:
    """One operation as the applier hands it to a kind."""

    action: str  # create, update or delete
    key: str
    payload: dict[str, Any] | None
    previous: dict[str, Any] | None  # the payload Trackunit last accepted
    remote_id: str  # known remote id, or ""
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> dict[str, Any]:
        """The payload of a create or update: the plan always stores one; only a delete has none."""
        assert self.payload is not None, f"{self.action} {self.key} has no payload"
        return self.payload


class CannotAdopt(Exception):
    """This kind has no local record to take Trackunit's values into."""


class Kind(ABC):
    name: ClassVar[str]
    label: ClassVar[str]
    phase: ClassVar[int]
    # Bump when the payload mapping changes (a field added): every record of the kind is pushed again.
    mapping_version: ClassVar[int] = 1
    # Trackunit offers no delete for some kinds (assets, rental data): their records are never deleted.
    deletable: ClassVar[bool] = True

    def present(self) -> QuerySet | None:
        """Every local record of this kind, keyed by SYNC_KEY (None: known only by building payloads)."""
        return None

    def present_count(self) -> int:
        """How many records `present` holds (only asked when it is not None)."""
        present = self.present()
        assert present is not None, "present_count() is only asked of kinds with a `present` queryset"
        return present.count()

    def gone(self) -> set[str]:
        """Keys the ledger holds that no longer exist locally (only asked when `present` is not None).

        NOT EXISTS, not NOT IN: an anti-join on the indexed key stays linear at 100,000 records.
        """
        present = self.present()
        assert present is not None, "gone() is only asked of kinds with a `present` queryset"
        still_here = present.filter(**{SYNC_KEY: OuterRef("key")})
        stored = SyncState.objects.filter(kind=self.name).filter(~Exists(still_here))
        return set(stored.values_list("key", flat=True))

    def changed(self, mapping_version: int) -> Iterable[str] | None:
        """Keys whose rows changed since Trackunit accepted them, found by the database (None: unknown)."""
        return None

    def changed_since_planned(self, run_id: int) -> Iterable[str] | None:
        """Keys of the run's creates and updates whose rows changed after the plan read them (None: unknown).

        The stale-plan check asks this instead of building every payload again; only these are rebuilt.
        """
        return None

    def existing(self, keys: list[str]) -> set[str]:
        """Those of `keys` that exist locally (only asked when `present` is not None)."""
        present = self.present()
        assert present is not None, "existing() is only asked of kinds with a `present` queryset"
        return set(present.filter(**{f"{SYNC_KEY}__in": keys}).values_list(SYNC_KEY, flat=True))

    @abstractmethod
    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        """The payload each local record (of `keys`, or all) should have in Trackunit."""

    def blocked(self, operations: list[PlannedOperation]) -> dict[str, str]:
        """Keys of planned operations RentalBridge must not send, with the reason (e.g. a foreign asset)."""
        return {}

    def prepare(self, api: TrackunitApi) -> None:  # noqa: B027 - an optional hook, most kinds need nothing
        """Read what the kind's pushes need from Trackunit, once per run, before its phase starts."""

    @abstractmethod
    def push(self, api: TrackunitApi, push: Push) -> str:
        """Send one operation; return the remote id. Raise TrackunitError when Trackunit refuses."""

    def remote(self, api: TrackunitApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(key, remote id, payload-shaped fields) of what Trackunit holds now, for drift detection."""
        return iter(())

    def adopt(self, key: str, remote_fields: Mapping[str, Any]) -> None:
        """Take values someone changed in Trackunit into the local record."""
        raise CannotAdopt(f"{self.label} cannot adopt Trackunit's values")


class RecordKind(Kind):
    """A kind with one local row per record, found by `key_field`, whose changes show in `updated_at`."""

    model: ClassVar[type[Model]]
    key_field: ClassVar[str] = "external_reference"

    def rows(self) -> QuerySet:
        """The local rows this kind pushes."""
        return self.model._default_manager.all()

    def present(self) -> QuerySet:
        return keyed(self.rows(), self.key_field)

    def changed(self, mapping_version: int) -> list[str]:
        return changed_since_accepted(
            self.rows(),
            kind=self.name,
            mapping_version=mapping_version,
            key=self.key_field,
            changed_at=self.changed_at(),
            related=self.related(),
        )

    def changed_since_planned(self, run_id: int) -> list[str]:
        return changed_since_planned(
            self.rows(),
            run_id=run_id,
            kind=self.name,
            key=self.key_field,
            changed_at=self.changed_at(),
            related=self.related(),
        )

    def changed_at(self) -> Expression | F:
        """The newest `updated_at` of a row and the single-valued relations its payload reads."""
        return F("updated_at")

    def related(self) -> "RelatedRows | None":
        """The many-valued rows behind a record whose changes change its payload (None: there are none)."""
        return None


M = TypeVar("M", bound=Model)


class UpsertKind(RecordKind, Generic[M]):
    """Records RentalBridge creates in Trackunit and then keeps patched.

    Before any create the record is looked up by its key, so a run interrupted after Trackunit created it
    (but before the ledger heard) updates it instead of creating a duplicate. The Trackunit id is also
    kept on the local record (`remote_id_field`) for display.
    """

    remote_id_field: ClassVar[str]

    @abstractmethod
    def payload(self, record: M) -> dict[str, Any]:
        """One Trackunit call of the upsert; see the class docstring."""

    @abstractmethod
    def find_remote(self, api: TrackunitApi, key: str) -> dict[str, Any] | None:
        """One Trackunit call of the upsert; see the class docstring."""

    @abstractmethod
    def create_remote(self, api: TrackunitApi, payload: dict[str, Any]) -> dict[str, Any]:
        """One Trackunit call of the upsert; see the class docstring."""

    @abstractmethod
    def update_remote(self, api: TrackunitApi, remote_id: str, push: Push) -> None:
        """One Trackunit call of the upsert; see the class docstring."""

    @abstractmethod
    def delete_remote(self, api: TrackunitApi, push: Push) -> None:
        """One Trackunit call of the upsert; see the class docstring."""

    def desired(self, keys: Collection[str] | None = None) -> Iterator[Desired]:
        rows = self.rows()
        for chunk in [None] if keys is None else chunked(sorted(keys)):
            selected = rows if chunk is None else rows.filter(**{f"{self.key_field}__in": chunk})
            for record in selected.iterator():
                yield Desired(getattr(record, self.key_field), self.payload(record), record.updated_at)

    def push(self, api: TrackunitApi, push: Push) -> str:
        if push.action == "delete":
            self.delete_remote(api, push)
            return push.remote_id
        remote_id = push.remote_id
        if not remote_id:
            found = self.find_remote(api, push.key)
            if found is None:
                remote_id = self.create_remote(api, push.body)["id"]
                self._remember(push.key, remote_id)
                return remote_id
            remote_id = found["id"]
        self.update_remote(api, remote_id, push)
        self._remember(push.key, remote_id)
        return remote_id

    def _remember(self, key: str, remote_id: str) -> None:
        self.model._default_manager.filter(**{self.key_field: key}).update(
            **{self.remote_id_field: remote_id}
        )


@lru_cache(maxsize=4096)
def midnight_utc(day: date | None) -> str | None:
    """Trackunit's rental dates are date-times with an offset; local contracts carry calendar dates.

    Cached: a fleet's items start and end on a few hundred days, and a first plan asks 400,000 times."""
    return None if day is None else datetime.combine(day, time(0), tzinfo=UTC).isoformat()


def chunked(items: list, size: int = 2000) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def patch_body(payload: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """A PATCH that also clears fields the previous payload had and the new one no longer has."""
    body = dict(payload)
    for name in (previous or {}).keys() - payload.keys():
        body[name] = None
    return body


def first(iterator: Iterator[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    """The first remote record whose fields equal `match` (lists are filtered server-side where possible)."""
    return next((r for r in iterator if all(r.get(k) == v for k, v in match.items())), None)


def keyed(rows: QuerySet, key: str | Expression) -> QuerySet:
    """`rows` with their ledger key as SYNC_KEY, so the planner can match them to SyncState rows in SQL."""
    return rows.annotate(**{SYNC_KEY: F(key) if isinstance(key, str) else key})


@dataclass(frozen=True)
class RelatedRows:
    """Many-valued rows behind a record (the contract items behind an asset's rental data).

    `key` is the path from such a row to the record's key; `changed_at` the newest `updated_at` of the row
    and the single-valued relations it reads (its contract, customer, depot).
    """

    rows: QuerySet
    key: str
    changed_at: Expression


def changed_since_accepted(
    rows: QuerySet,
    *,
    kind: str,
    mapping_version: int,
    key: str | Expression,
    changed_at: Expression | F,
    related: RelatedRows | None = None,
) -> list[str]:
    """Keys of `rows` that the ledger has not seen accepted since their newest change.

    `changed_at` is the newest `updated_at` of a row and its single-valued relations; `related` names the
    many-valued rows behind it (an asset's contract items), any of which may have changed after the
    accepted push. Records never pushed, failed, drifted or pushed with another mapping qualify.
    """
    accepted = SyncState.objects.filter(kind=kind, status=SyncStatus.IN_SYNC, mapping_version=mapping_version)
    return list(_changed_after(rows, accepted, key=key, changed_at=changed_at, related=related))


def changed_since_planned(
    rows: QuerySet,
    *,
    run_id: int,
    kind: str,
    key: str | Expression,
    changed_at: Expression | F,
    related: RelatedRows | None = None,
) -> list[str]:
    """Keys of the run's creates and updates whose rows changed after the plan read them.

    The same test as `changed_since_accepted`, against the source version each operation was planned at.
    """
    planned = SyncOperation.objects.filter(run_id=run_id, kind=kind).exclude(action="delete")
    return list(
        _changed_after(rows, planned, key=key, changed_at=changed_at, related=related, only_held=True)
    )


def _changed_after(
    rows: QuerySet,
    versions: QuerySet,
    *,
    key: str | Expression,
    changed_at: Expression | F,
    related: RelatedRows | None,
    only_held: bool = False,
) -> QuerySet:
    """SYNC_KEYs of `rows` that changed after the `source_version` `versions` holds for their key (or that
    it holds none for, unless `only_held`).

    Two passes the database runs as joins, not one correlated test per record: the rows themselves
    (NOT EXISTS, an anti-join) and, UNIONed, the related rows newer than their record's version (EXISTS, a
    semi-join). Nesting the related test inside the first pass made it a subquery per record: three times
    slower on 100,000 assets.
    """
    still_current = versions.filter(key=OuterRef(SYNC_KEY), source_version__gte=OuterRef(CHANGED_AT))
    candidates = keyed(rows, key).annotate(**{CHANGED_AT: changed_at}).filter(~Exists(still_current))
    if only_held:
        candidates = candidates.filter(Exists(versions.filter(key=OuterRef(SYNC_KEY))))
    changed = candidates.order_by().values_list(SYNC_KEY, flat=True)
    if related is None:
        return changed.distinct()
    outdated = versions.filter(key=OuterRef(SYNC_KEY), source_version__lt=OuterRef(CHANGED_AT))
    behind = (
        keyed(related.rows, related.key)
        .annotate(**{CHANGED_AT: related.changed_at})
        .filter(Exists(outdated))
        .order_by()
        .values_list(SYNC_KEY, flat=True)
    )
    return changed.union(behind)
