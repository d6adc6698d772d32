"""Records set aside after failing, so one bad record does not fail every later run.

A record whose push failed SYNC_SET_ASIDE_AFTER_FAILURES times in a row with the same payload "needs
attention"; one whose asset Trackunit does not know yet is "waiting for Trackunit". Plans leave both out
until the record changes (its payload hash differs from the one that failed) or someone retries it; the
waiting ones are also retried by the nightly schedule and whenever the asset list matches new assets. An
operator may also ignore a failure: the record stays aside until it changes.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet

from sync.models import OperationStatus, SyncOperation, SyncState, SyncStatus
from sync.trackunit.errors import Conflict, NotFound, ValidationFailed
from sync.triggers import request_sync

SET_ASIDE = (SyncStatus.NEEDS_ATTENTION, SyncStatus.WAITING, SyncStatus.IGNORED)
# Every status of a record whose last push did not land.
FAILING = (SyncStatus.FAILED, *SET_ASIDE)
# Trackunit's answers that reject the record itself (400/422, 404, 409 and other 4xx); an outage, a
# rate limit or a prerequisite not yet pushed is not the record's fault.
RECORD_ERRORS = (ValidationFailed, NotFound, Conflict)
# What a failed delete is remembered by, in place of a payload hash.
DELETE_MARK = "delete"


def failure_status(failures: int, *, waiting: bool) -> str:
    """The ledger status after `failures` failed pushes in a row."""
    if waiting:
        return SyncStatus.WAITING
    if failures >= settings.SYNC_SET_ASIDE_AFTER_FAILURES:
        return SyncStatus.NEEDS_ATTENTION
    return SyncStatus.FAILED


def counts_against_record(error: Exception) -> bool:
    """Did Trackunit reject the record itself? Outages, limits and missing prerequisites do not count."""
    return isinstance(error, RECORD_ERRORS)


def is_set_aside(status: str, failed_hash: str, digest: str) -> bool:
    """Does a plan leave this record out? Only while the payload it would send is the one that failed."""
    return status in SET_ASIDE and bool(failed_hash) and failed_hash == digest


def retry(states: QuerySet[SyncState], user: User | None = None, *, ask_sync: bool = True) -> int:
    """Put records back in line: the next plan sends them, and (`ask_sync`) one is asked for now."""
    count = states.filter(status__in=FAILING).update(status=SyncStatus.FAILED, failures=0, failed_hash="")
    if count and ask_sync:
        who = user.get_username() if user is not None else "sync_retry_failed"
        request_sync(f"{who} retried {count:,} set-aside record(s)", getattr(user, "pk", None))
    return count


def ignore(states: QuerySet[SyncState]) -> int:
    """Leave records aside until they change; only records whose push failed can be ignored."""
    failing = states.filter(status__in=FAILING).exclude(status=SyncStatus.IGNORED)
    return failing.exclude(failed_hash="").update(status=SyncStatus.IGNORED)


def states_of(operations: Iterable[SyncOperation]) -> QuerySet[SyncState]:
    """The ledger rows of these operations' records."""
    wanted = Q(pk__in=[])
    for kind, key in {(op.kind, op.key) for op in operations}:
        wanted |= Q(kind=kind, key=key)
    return SyncState.objects.filter(wanted)


def failed_in_run(run_id: int) -> QuerySet[SyncState]:
    """The ledger rows of the records a run could not push (failed or skipped), for "Retry failed"."""
    operations = SyncOperation.objects.filter(
        run_id=run_id,
        status__in=(OperationStatus.FAILED, OperationStatus.SKIPPED),
        kind=OuterRef("kind"),
        key=OuterRef("key"),
    )
    return SyncState.objects.filter(Exists(operations)).exclude(status=SyncStatus.IN_SYNC)


def wake_waiting() -> int:
    """Records waiting for Trackunit are tried again by the next plan (the asset may be there now)."""
    return SyncState.objects.filter(status=SyncStatus.WAITING).update(status=SyncStatus.FAILED)
