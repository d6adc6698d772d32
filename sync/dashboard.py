"""The figures of the admin home: where sync stands, what failed, and how close Trackunit's limits are.

Every figure is one aggregate query over an indexed column (state per kind and status, attempts of the
last days by their creation time, operations of one run), so the page stays fast on a 100,000-asset
fleet: nothing here reads rows one by one.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from redis.exceptions import RedisError

from rentalbridge.imports.models import ImportJob, JobStatus
from sync.models import (
    AuditVerification,
    DriftResolution,
    OperationStatus,
    RunStatus,
    SyncAttempt,
    SyncDrift,
    SyncOperation,
    SyncRun,
    SyncState,
    SyncStatus,
    TelematicsPull,
)
from sync.trackunit.client import TrackunitClient

ATTEMPT_DAYS = 14
ERROR_DAYS = 30
OUTCOMES = ("success", "http_error", "transport_error")
AWAITING_SHOWN = 5


@dataclass(frozen=True)
class KindRow:
    """One synced entity type: how many records are in each sync state, and what the last run did."""

    kind: str
    in_sync: int = 0
    pending: int = 0
    failed: int = 0
    drift: int = 0
    open_drift: int = 0
    skipped_last_run: int = 0


@dataclass(frozen=True)
class Budget:
    name: str
    limit_per_s: float
    booked_ahead_s: float


@dataclass(frozen=True)
class Dashboard:
    last_run: SyncRun | None
    kinds: list[KindRow]
    days: list[date]
    attempts_by_outcome: dict[str, list[int]]
    top_errors: list[tuple[str, int]]
    imports_running: list[ImportJob]
    imports_recent: list[ImportJob]
    last_pull: TelematicsPull | None
    last_verification: AuditVerification | None
    budgets: list[Budget] | None
    throttled_24h: int
    awaiting_approval: list[SyncRun] = field(default_factory=list)
    # Ledger records set aside, by status (sync/attention.py).
    set_aside: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def dashboard() -> Dashboard:
    """Everything the admin home shows, in a handful of aggregate queries."""
    last_run = SyncRun.objects.select_related("triggered_by").order_by("-created_at").first()
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(ATTEMPT_DAYS - 1, -1, -1)]
    notes: list[str] = []
    budgets = _budgets(notes)
    state_counts = _state_counts()
    return Dashboard(
        last_run=last_run,
        kinds=_kinds(last_run, state_counts),
        days=days,
        attempts_by_outcome=_attempts_by_day(days),
        top_errors=_top_errors(),
        imports_running=list(
            ImportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
            .defer("source")
            .order_by("-id")[:5]
        ),
        imports_recent=list(
            ImportJob.objects.exclude(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
            .defer("source")
            .order_by("-id")[:5]
        ),
        last_pull=TelematicsPull.objects.filter(scope="fleet").order_by("-started_at").first(),
        last_verification=AuditVerification.objects.order_by("-verified_at", "-id").first(),
        budgets=budgets,
        throttled_24h=SyncAttempt.objects.filter(
            created_at__gte=timezone.now() - timedelta(hours=24), status_code=429
        ).count(),
        awaiting_approval=list(
            SyncRun.objects.filter(status=RunStatus.AWAITING_APPROVAL).order_by("-created_at")[
                :AWAITING_SHOWN
            ]
        ),
        set_aside={
            status: sum(by.get(status, 0) for by in state_counts.values())
            for status in (SyncStatus.NEEDS_ATTENTION, SyncStatus.WAITING)
        },
        notes=notes,
    )


def _state_counts() -> dict[str, dict[str, int]]:
    """Ledger records per kind and status, in one query."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in SyncState.objects.values("kind", "status").annotate(n=Count("id")).order_by():
        counts[row["kind"]][row["status"]] = row["n"]
    return counts


def _kinds(last_run: SyncRun | None, counts: dict[str, dict[str, int]]) -> list[KindRow]:
    for row in (
        SyncDrift.objects.filter(resolution=DriftResolution.OPEN)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["kind"]]["open_drift"] = row["n"]
    if last_run is not None:
        skipped = (
            SyncOperation.objects.filter(run=last_run, status=OperationStatus.SKIPPED)
            .values("kind")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in skipped:
            counts[row["kind"]]["skipped"] = row["n"]
    return [
        KindRow(
            kind=kind,
            in_sync=by.get(SyncStatus.IN_SYNC, 0),
            # Waiting for Trackunit is still to be sent; needing attention is a failure set aside.
            pending=by.get(SyncStatus.PENDING, 0) + by.get(SyncStatus.WAITING, 0),
            failed=by.get(SyncStatus.FAILED, 0) + by.get(SyncStatus.NEEDS_ATTENTION, 0),
            drift=by.get(SyncStatus.DRIFT, 0),
            open_drift=by.get("open_drift", 0),
            skipped_last_run=by.get("skipped", 0),
        )
        for kind, by in sorted(counts.items())
    ]


def _attempts_by_day(days: list[date]) -> dict[str, list[int]]:
    """Attempts per local day and outcome: one count per day over the created_at index, not a date
    function per row (SQLite runs Django's as Python for each of them)."""
    zone = timezone.get_current_timezone()
    starts = [datetime.combine(day, time.min, tzinfo=zone) for day in days]
    bounds = list(zip(starts, [*starts[1:], starts[-1] + timedelta(days=1)], strict=True))
    rows = (
        SyncAttempt.objects.filter(created_at__gte=starts[0])
        .values("outcome")
        .annotate(
            **{
                f"day{n}": Count("id", filter=Q(created_at__gte=start, created_at__lt=end))
                for n, (start, end) in enumerate(bounds)
            }
        )
        .order_by()
    )
    series = {outcome: [0] * len(days) for outcome in OUTCOMES}
    for row in rows:
        series[row["outcome"]] = [row[f"day{n}"] for n in range(len(days))]
    return series


def _top_errors() -> list[tuple[str, int]]:
    rows = (
        SyncAttempt.objects.filter(created_at__gte=timezone.now() - timedelta(days=ERROR_DAYS))
        .filter(~Q(error_code=""))
        .values("error_code")
        .annotate(n=Count("id"))
        .order_by("-n", "error_code")[:5]
    )
    return [(row["error_code"], row["n"]) for row in rows]


def _budgets(notes: list[str]) -> list[Budget] | None:
    """Each rate budget's limit and how far ahead it is booked; None when Redis cannot be asked."""
    limiter = TrackunitClient.from_settings().limiter
    try:
        booked = limiter.booked_ahead()
    except RedisError as error:
        notes.append(f"Rate-limit headroom unknown: Redis did not answer ({type(error).__name__}).")
        return None
    return [Budget(name, limiter.limit(name), seconds) for name, seconds in booked.items()]
