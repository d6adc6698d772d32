from django.core.management.base import BaseCommand, CommandError

from sync import attention
from sync.apply import apply_plan
from sync.models import RunStatus, SyncState, SyncStatus
from sync.plan import make_plan
from sync.service import wait_for


class Command(BaseCommand):
    help = (
        "Plan and apply the records whose last push failed, those set aside as needing attention and "
        "those waiting for Trackunit (ignored ones stay aside)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--wait", action="store_true", help="block until done; exit 1 if anything failed")
        parser.add_argument("--timeout", type=float, default=3600)

    def handle(self, *args, wait: bool, timeout: float, **options) -> None:
        set_aside = SyncState.objects.filter(status__in=(SyncStatus.NEEDS_ATTENTION, SyncStatus.WAITING))
        attention.retry(set_aside)
        run = make_plan(trigger="retry", only_failed=True)
        total = sum(run.summary.get(a, 0) for a in ("create", "update", "delete"))
        run = apply_plan(run)
        self.stdout.write(f"Retrying {total} failed record(s) in run #{run.pk}.")
        if wait:
            run = wait_for(run, timeout=timeout)
            if run.status != RunStatus.SUCCEEDED:
                raise CommandError(f"Run #{run.pk}: {run.get_status_display()}. {run.message}")
