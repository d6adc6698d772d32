"""Plans nobody applied expire: a reviewed plan describes the data of its day, not of next week.

A plan left "Planned" (or "Awaiting approval") for longer than SYNC_PLAN_EXPIRES_AFTER_H is closed as
expired, with a message saying why, so the runs list does not fill with plans that would be refused as
stale anyway and nobody applies last week's review by mistake. apply_plan refuses any run that is not
"Planned", expired ones included.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from sync.durations import humanize
from sync.models import RunStatus, SyncRun

EXPIRING = (RunStatus.PLANNED, RunStatus.AWAITING_APPROVAL)


def expire_unapplied_plans(now: datetime | None = None) -> int:
    """Mark plans older than SYNC_PLAN_EXPIRES_AFTER_H that were never applied as expired; how many.

    Each run is closed with a conditional UPDATE on the status it was read with, so a plan being
    applied at this moment (apply_plan holds its row and moves it to "Queued") is never expired.
    """
    now = now or timezone.now()
    max_age = timedelta(hours=settings.SYNC_PLAN_EXPIRES_AFTER_H)
    expired = 0
    candidates = SyncRun.objects.filter(status__in=EXPIRING, created_at__lt=now - max_age).values_list(
        "pk", "status", "created_at", "message"
    )
    for run_id, status, created_at, message in candidates:
        note = (
            f"Expired: planned {humanize((now - created_at).total_seconds() // 1)} ago and never applied "
            f"(plans expire after {settings.SYNC_PLAN_EXPIRES_AFTER_H} h); plan again to sync."
        )
        expired += SyncRun.objects.filter(pk=run_id, status=status).update(
            status=RunStatus.EXPIRED, message=f"{note}\n{message}" if message else note
        )
    return expired
