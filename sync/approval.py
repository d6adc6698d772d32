"""Which automatic plans wait for an operator, and the operator's approve / discard.

Automatic syncs (a save, an import, the nightly schedule) apply small, additive change sets on their own.
A plan that could do real harm if it were wrong waits as "awaiting approval" instead: the very first sync
of a database (everything would be created), any plan that deletes in Trackunit, and plans larger than
SYNC_AUTO_APPLY_MAX_OPERATIONS (the anchors are Census' and Hightouch's row-count and deletion
thresholds, and Terraform Cloud's auto-apply switch). SYNC_APPROVAL chooses the policy: threshold (those
rules), always (every automatic plan waits), never (none does). A plan an operator starts in the admin or
from a command is applied as asked: the operator is its reviewer.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from sync.apply import PlanNotApplicable, apply_plan
from sync.models import RunStatus, SyncRun, SyncState

POLICIES = ("threshold", "always", "never")
WORK = ("create", "update", "delete")


def policy() -> str:
    value = settings.SYNC_APPROVAL
    if value not in POLICIES:
        raise ImproperlyConfigured(f"SYNC_APPROVAL is {value!r}; use one of: {', '.join(POLICIES)}.")
    return value


def hold_reason(run: SyncRun) -> str:
    """Why this automatic plan must wait for an operator, in words; '' when it may be applied at once."""
    summary = run.summary or {}
    total = sum(summary.get(action, 0) for action in WORK)
    chosen = policy()
    if total == 0 or chosen == "never":
        return ""
    if chosen == "always":
        return "Every automatic sync waits for approval (SYNC_APPROVAL=always)."
    if not _synced_before():
        return f"The first sync of this database: {total:,} operations would be sent to Trackunit."
    deletes = summary.get("delete", 0)
    if deletes:
        return f"It deletes {deletes:,} record{'s' if deletes != 1 else ''} in Trackunit."
    limit = settings.SYNC_AUTO_APPLY_MAX_OPERATIONS
    if total > limit:
        return (
            f"{total:,} operations, more than the {limit:,} applied automatically "
            "(SYNC_AUTO_APPLY_MAX_OPERATIONS)."
        )
    return ""


def _synced_before() -> bool:
    """Has Trackunit ever accepted a push from this database? The ledger holds what it accepted."""
    return SyncState.objects.exclude(payload_hash="", remote_id="").exists()


def apply_or_hold(run: SyncRun) -> SyncRun:
    """Apply an automatic plan, or leave it awaiting approval with the reason; an older plan still
    waiting is superseded, since this one covers everything it did and what changed since."""
    reason = hold_reason(run)
    if not reason:
        return apply_plan(run)
    with transaction.atomic():
        SyncRun.objects.filter(status=RunStatus.AWAITING_APPROVAL).exclude(pk=run.pk).update(
            status=RunStatus.DISCARDED,
            message=f"Superseded by sync run #{run.pk}, planned later.",
            finished_at=timezone.now(),
        )
        run.status, run.approval_reason = RunStatus.AWAITING_APPROVAL, reason[:255]
        run.save(update_fields=["status", "approval_reason"])
    return run


def approve(run: SyncRun, user: User) -> SyncRun:
    """The operator reviewed the waiting plan: push it (refused, as any plan is, if its records changed)."""
    if run.status != RunStatus.AWAITING_APPROVAL:
        raise PlanNotApplicable(f"{run} is {run.get_status_display().lower()}, not awaiting approval.")
    return apply_plan(run, user=user)


def discard(run: SyncRun, user: User) -> SyncRun:
    """The operator refused the waiting plan: nothing of it is sent; its records are planned again later."""
    updated = SyncRun.objects.filter(pk=run.pk, status=RunStatus.AWAITING_APPROVAL).update(
        status=RunStatus.DISCARDED,
        message=f"Discarded by {user.get_username()}; nothing was sent.",
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    if not updated:
        raise PlanNotApplicable(f"{run} is {run.get_status_display().lower()}, not awaiting approval.")
    return run
